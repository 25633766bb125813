package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.tck.supervisor.ChildInstantiatorContract;
import io.distributedsupervisor.tck.supervisor.ClusterHarness;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The supervisor TCK's {@link ChildInstantiatorContract} on a real ZooKeeper server. */
class ChildInstantiatorOnZooKeeperTest extends ChildInstantiatorContract {
    @RegisterExtension
    static final SharedZooKeeper ZOOKEEPER = new SharedZooKeeper();

    @Override
    protected ClusterHarness newHarness() {
        return ZOOKEEPER.harness();
    }
}
