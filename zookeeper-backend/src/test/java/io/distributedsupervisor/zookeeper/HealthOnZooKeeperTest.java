package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.tck.supervisor.ClusterHarness;
import io.distributedsupervisor.tck.supervisor.HealthContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The supervisor TCK's {@link HealthContract} on a real ZooKeeper server, each node with its own session. */
class HealthOnZooKeeperTest extends HealthContract {
    @RegisterExtension
    static final SharedZooKeeper ZOOKEEPER = new SharedZooKeeper();

    @Override
    protected ClusterHarness newHarness() {
        return ZOOKEEPER.harness();
    }
}
