package io.distributedsupervisor.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;

/**
 * The children paused for want of a lease, until it returns: each gave its thread back holding
 * the message it was about to process, and is scheduled again by {@link #restored()}, which the
 * backend's {@code onLeaseRestored} (or a reconnection) triggers. No child polls meanwhile.
 */
final class LeaseGate {
    private final ConcurrentLinkedQueue<LocalChild> waiting = new ConcurrentLinkedQueue<>();
    private final BooleanSupplier lease;

    LeaseGate(BooleanSupplier lease) {
        this.lease = lease;
    }

    /** Called by a child that found no lease and gave its scheduling token back. */
    void await(LocalChild child) {
        waiting.add(child);
        // The lease may have come back between the child's check and this registration, with
        // restored() already run: look once more, so no child waits for an event that has passed.
        if (lease.getAsBoolean()) {
            restored();
        }
    }

    /** The lease is back (or the children must see a stop): every waiting child runs again. */
    void restored() {
        for (LocalChild c; (c = waiting.poll()) != null; ) {
            c.schedule();
        }
    }
}
