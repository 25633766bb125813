package io.distributedsupervisor.inmemory;

import io.distributedsupervisor.tck.supervisor.SingleNodeApiContract;
import io.distributedsupervisor.tck.supervisor.ClusterHarness;

/** The supervisor TCK's {@link SingleNodeApiContract} on the in-memory backend. */
class SingleNodeApiTest extends SingleNodeApiContract {
    @Override
    protected ClusterHarness newHarness() {
        return new InMemoryHarness();
    }
}
