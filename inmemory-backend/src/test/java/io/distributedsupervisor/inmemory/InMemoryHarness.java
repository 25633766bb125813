package io.distributedsupervisor.inmemory;

import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.SupervisorOptions;
import io.distributedsupervisor.tck.supervisor.ClusterHarness;

/** The supervisor TCK's harness on a fresh {@link InMemoryCluster}. */
final class InMemoryHarness implements ClusterHarness {
    private final InMemoryCluster cluster = new InMemoryCluster();

    InMemoryCluster cluster() {
        return cluster;
    }

    @Override
    public DistributedSupervisor start(SupervisorOptions.Builder builder) {
        return cluster.start(builder);
    }

    @Override
    public void crash(String node) {
        cluster.crash(node);
    }

    @Override
    public void stop(String node) {
        cluster.stop(node);
    }

    @Override
    public void close() {
        cluster.close();
    }
}
