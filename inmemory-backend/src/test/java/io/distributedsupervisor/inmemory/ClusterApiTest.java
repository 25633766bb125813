package io.distributedsupervisor.inmemory;

import io.distributedsupervisor.tck.supervisor.ClusterApiContract;
import io.distributedsupervisor.tck.supervisor.ClusterHarness;

/** The supervisor TCK's {@link ClusterApiContract} on the in-memory backend. */
class ClusterApiTest extends ClusterApiContract {
    @Override
    protected ClusterHarness newHarness() {
        return new InMemoryHarness();
    }
}
