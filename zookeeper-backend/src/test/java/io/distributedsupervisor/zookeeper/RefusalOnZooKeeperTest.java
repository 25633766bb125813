package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.tck.supervisor.RefusalContract;
import io.distributedsupervisor.tck.supervisor.ClusterHarness;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The supervisor TCK's {@link RefusalContract} on a real ZooKeeper server: refusals across a real transport. */
class RefusalOnZooKeeperTest extends RefusalContract {
    @RegisterExtension
    static final SharedZooKeeper ZOOKEEPER = new SharedZooKeeper();

    @Override
    protected ClusterHarness newHarness() {
        return ZOOKEEPER.harness();
    }
}
