package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.tck.supervisor.ClusterHarness;
import io.distributedsupervisor.tck.supervisor.SettleTimeContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The supervisor TCK's {@link SettleTimeContract} on a real ZooKeeper server, each node with its own session and transport. */
class SettleTimeOnZooKeeperTest extends SettleTimeContract {
    @RegisterExtension
    static final SharedZooKeeper ZOOKEEPER = new SharedZooKeeper();

    @Override
    protected ClusterHarness newHarness() {
        return ZOOKEEPER.harness();
    }
}
