package io.distributedsupervisor.inmemory;

import io.distributedsupervisor.tck.supervisor.ClusterHarness;
import io.distributedsupervisor.tck.supervisor.MailboxLimitContract;

class MailboxLimitTest extends MailboxLimitContract {
    @Override
    protected ClusterHarness newHarness() {
        return new InMemoryHarness();
    }
}
