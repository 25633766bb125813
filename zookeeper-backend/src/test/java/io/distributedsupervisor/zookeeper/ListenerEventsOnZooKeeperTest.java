package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.tck.supervisor.ListenerEventsContract;
import io.distributedsupervisor.tck.supervisor.ClusterHarness;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The supervisor TCK's {@link ListenerEventsContract} on a real ZooKeeper server, each node with its own session and transport. */
class ListenerEventsOnZooKeeperTest extends ListenerEventsContract {
    @RegisterExtension
    static final SharedZooKeeper ZOOKEEPER = new SharedZooKeeper();

    @Override
    protected ClusterHarness newHarness() {
        return ZOOKEEPER.harness();
    }
}
