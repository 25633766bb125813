package io.distributedsupervisor.inmemory;

import io.distributedsupervisor.tck.supervisor.BadInputContract;
import io.distributedsupervisor.tck.supervisor.ClusterHarness;

/** The supervisor TCK's {@link BadInputContract} on the in-memory backend. */
class BadInputTest extends BadInputContract {
    @Override
    protected ClusterHarness newHarness() {
        return new InMemoryHarness();
    }
}
