package io.distributedsupervisor.tck.supervisor;

import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.SupervisorOptions;

/**
 * What the supervisor TCK needs of a backend: start nodes, kill or stop them, and clean up.
 * One harness per test; each backend module implements it (InMemoryHarness, ZooKeeperHarness)
 * and subclasses every {@code *Contract} class with {@code newHarness()}.
 */
public interface ClusterHarness extends AutoCloseable {

    /**
     * Starts a supervisor on this harness's cluster: sets the builder's backend, builds the
     * options and calls {@link DistributedSupervisor#start}. Refusals (a taken node name,
     * invalid options) are thrown as {@code DistributedSupervisor.start} throws them.
     */
    DistributedSupervisor start(SupervisorOptions.Builder builder);

    /**
     * Crashes a node abruptly, as a dead process: its session ends at once (its member and
     * owner entries vanish), its runtime drops its children without terminate callbacks, no
     * graceful step runs. Stored specs stay.
     */
    void crash(String node);

    /** Stops a node gracefully: {@link DistributedSupervisor#close()} of what {@link #start} started on it. */
    void stop(String node);

    /** Closes every supervisor, backend and server this harness started; safe to call twice. */
    @Override
    void close();
}
