package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.tck.supervisor.ClusterHarness;
import io.distributedsupervisor.tck.supervisor.RebalanceControlContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The supervisor TCK's {@link RebalanceControlContract} on a real ZooKeeper server, each node with its own session and transport. */
class RebalanceControlOnZooKeeperTest extends RebalanceControlContract {
    @RegisterExtension
    static final SharedZooKeeper ZOOKEEPER = new SharedZooKeeper();

    @Override
    protected ClusterHarness newHarness() {
        return ZOOKEEPER.harness();
    }
}
