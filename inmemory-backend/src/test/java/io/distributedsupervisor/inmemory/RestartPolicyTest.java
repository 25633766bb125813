package io.distributedsupervisor.inmemory;

import io.distributedsupervisor.tck.supervisor.RestartPolicyContract;
import io.distributedsupervisor.tck.supervisor.ClusterHarness;

/** The supervisor TCK's {@link RestartPolicyContract} on the in-memory backend. */
class RestartPolicyTest extends RestartPolicyContract {
    @Override
    protected ClusterHarness newHarness() {
        return new InMemoryHarness();
    }
}
