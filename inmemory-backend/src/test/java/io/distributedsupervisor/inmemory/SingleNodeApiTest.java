package io.distributedsupervisor.inmemory;

/** The public API on one node. */
class SingleNodeApiTest extends ApiContract {
    @Override
    int nodeCount() {
        return 1;
    }
}
