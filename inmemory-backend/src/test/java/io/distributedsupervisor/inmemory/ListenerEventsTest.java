package io.distributedsupervisor.inmemory;

import io.distributedsupervisor.tck.supervisor.ListenerEventsContract;
import io.distributedsupervisor.tck.supervisor.ClusterHarness;

/** The supervisor TCK's {@link ListenerEventsContract} on the in-memory backend. */
class ListenerEventsTest extends ListenerEventsContract {
    @Override
    protected ClusterHarness newHarness() {
        return new InMemoryHarness();
    }
}
