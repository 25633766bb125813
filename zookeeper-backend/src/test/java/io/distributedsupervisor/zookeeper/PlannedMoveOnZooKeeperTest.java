package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.tck.supervisor.ClusterHarness;
import io.distributedsupervisor.tck.supervisor.PlannedMoveContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The supervisor TCK's {@link PlannedMoveContract} on a real ZooKeeper server: drains across a real transport. */
class PlannedMoveOnZooKeeperTest extends PlannedMoveContract {
    @RegisterExtension
    static final SharedZooKeeper ZOOKEEPER = new SharedZooKeeper();

    @Override
    protected ClusterHarness newHarness() {
        return ZOOKEEPER.harness();
    }
}
