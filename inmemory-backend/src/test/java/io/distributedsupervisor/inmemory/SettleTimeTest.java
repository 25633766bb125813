package io.distributedsupervisor.inmemory;

import io.distributedsupervisor.tck.supervisor.ClusterHarness;
import io.distributedsupervisor.tck.supervisor.SettleTimeContract;

/** The supervisor TCK's {@link SettleTimeContract} on the in-memory backend. */
class SettleTimeTest extends SettleTimeContract {
    @Override
    protected ClusterHarness newHarness() {
        return new InMemoryHarness();
    }
}
