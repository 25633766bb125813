package io.distributedsupervisor.inmemory;

import io.distributedsupervisor.tck.supervisor.ConcurrencyContract;
import io.distributedsupervisor.tck.supervisor.ClusterHarness;

/** The supervisor TCK's {@link ConcurrencyContract} on the in-memory backend. */
class ConcurrencyTest extends ConcurrencyContract {
    @Override
    protected ClusterHarness newHarness() {
        return new InMemoryHarness();
    }
}
