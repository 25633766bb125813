package io.distributedsupervisor.inmemory;

import io.distributedsupervisor.tck.supervisor.ClusterHarness;
import io.distributedsupervisor.tck.supervisor.RefusalContract;

/** Refusals on the in-memory backend, whose messages go through each node's codec as on a network. */
class RefusalTest extends RefusalContract {
    @Override
    protected ClusterHarness newHarness() {
        return new InMemoryHarness();
    }
}
