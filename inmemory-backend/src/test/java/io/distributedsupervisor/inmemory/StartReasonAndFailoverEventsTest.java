package io.distributedsupervisor.inmemory;

import io.distributedsupervisor.tck.supervisor.StartReasonAndFailoverEventsContract;
import io.distributedsupervisor.tck.supervisor.ClusterHarness;

/** The supervisor TCK's {@link StartReasonAndFailoverEventsContract} on the in-memory backend. */
class StartReasonAndFailoverEventsTest extends StartReasonAndFailoverEventsContract {
    @Override
    protected ClusterHarness newHarness() {
        return new InMemoryHarness();
    }
}
