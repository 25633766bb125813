package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.tck.supervisor.MailboxLimitContract;
import io.distributedsupervisor.tck.supervisor.ClusterHarness;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The supervisor TCK's {@link MailboxLimitContract} on a real ZooKeeper server: full mailboxes across a real transport. */
class MailboxLimitOnZooKeeperTest extends MailboxLimitContract {
    @RegisterExtension
    static final SharedZooKeeper ZOOKEEPER = new SharedZooKeeper();

    @Override
    protected ClusterHarness newHarness() {
        return ZOOKEEPER.harness();
    }
}
