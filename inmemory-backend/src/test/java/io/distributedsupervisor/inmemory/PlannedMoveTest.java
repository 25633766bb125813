package io.distributedsupervisor.inmemory;

import io.distributedsupervisor.tck.supervisor.ClusterHarness;
import io.distributedsupervisor.tck.supervisor.PlannedMoveContract;

class PlannedMoveTest extends PlannedMoveContract {
    @Override
    protected ClusterHarness newHarness() {
        return new InMemoryHarness();
    }
}
