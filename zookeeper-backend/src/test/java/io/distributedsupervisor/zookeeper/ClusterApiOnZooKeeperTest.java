package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.tck.supervisor.ClusterApiContract;
import io.distributedsupervisor.tck.supervisor.ClusterHarness;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The supervisor TCK's {@link ClusterApiContract} on a real ZooKeeper server, each node with its own session and transport. */
class ClusterApiOnZooKeeperTest extends ClusterApiContract {
    @RegisterExtension
    static final SharedZooKeeper ZOOKEEPER = new SharedZooKeeper();

    @Override
    protected ClusterHarness newHarness() {
        return ZOOKEEPER.harness();
    }
}
