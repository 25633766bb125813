package io.distributedsupervisor.tck.supervisor;

/** The public API on one node. */
public abstract class SingleNodeApiContract extends ApiContract {
    @Override
    protected int nodeCount() {
        return 1;
    }
}
