package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.tck.supervisor.ConcurrencyContract;
import io.distributedsupervisor.tck.supervisor.ClusterHarness;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The supervisor TCK's {@link ConcurrencyContract} on a real ZooKeeper server, each node with its own session and transport. */
class ConcurrencyOnZooKeeperTest extends ConcurrencyContract {
    @RegisterExtension
    static final SharedZooKeeper ZOOKEEPER = new SharedZooKeeper();

    @Override
    protected ClusterHarness newHarness() {
        return ZOOKEEPER.harness();
    }
}
