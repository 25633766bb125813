package io.distributedsupervisor.internal;

import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.SupervisorOptions;

/** The node runtime (being written). */
public final class SupervisorNode {
    private SupervisorNode() {
    }

    public static DistributedSupervisor start(SupervisorOptions options) {
        throw new UnsupportedOperationException("node runtime not written yet");
    }
}
