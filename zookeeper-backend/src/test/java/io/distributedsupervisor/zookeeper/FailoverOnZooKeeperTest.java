package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.tck.supervisor.FailoverContract;
import io.distributedsupervisor.tck.supervisor.ClusterHarness;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The supervisor TCK's {@link FailoverContract} on a real ZooKeeper server, each node with its own session and transport. */
class FailoverOnZooKeeperTest extends FailoverContract {
    @RegisterExtension
    static final SharedZooKeeper ZOOKEEPER = new SharedZooKeeper();

    @Override
    protected ClusterHarness newHarness() {
        return ZOOKEEPER.harness();
    }
}
