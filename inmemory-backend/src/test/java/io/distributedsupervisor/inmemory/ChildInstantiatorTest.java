package io.distributedsupervisor.inmemory;

import io.distributedsupervisor.tck.supervisor.ChildInstantiatorContract;
import io.distributedsupervisor.tck.supervisor.ClusterHarness;

/** The supervisor TCK's {@link ChildInstantiatorContract} on the in-memory backend. */
class ChildInstantiatorTest extends ChildInstantiatorContract {
    @Override
    protected ClusterHarness newHarness() {
        return new InMemoryHarness();
    }
}
