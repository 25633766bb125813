package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.tck.supervisor.StartReasonAndFailoverEventsContract;
import io.distributedsupervisor.tck.supervisor.ClusterHarness;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The supervisor TCK's {@link StartReasonAndFailoverEventsContract} on a real ZooKeeper server, each node with its own session and transport. */
class StartReasonAndFailoverEventsOnZooKeeperTest extends StartReasonAndFailoverEventsContract {
    @RegisterExtension
    static final SharedZooKeeper ZOOKEEPER = new SharedZooKeeper();

    @Override
    protected ClusterHarness newHarness() {
        return ZOOKEEPER.harness();
    }
}
