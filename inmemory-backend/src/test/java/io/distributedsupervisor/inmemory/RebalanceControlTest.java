package io.distributedsupervisor.inmemory;

import io.distributedsupervisor.tck.supervisor.ClusterHarness;
import io.distributedsupervisor.tck.supervisor.RebalanceControlContract;

/** The supervisor TCK's {@link RebalanceControlContract} on the in-memory backend. */
class RebalanceControlTest extends RebalanceControlContract {
    @Override
    protected ClusterHarness newHarness() {
        return new InMemoryHarness();
    }
}
