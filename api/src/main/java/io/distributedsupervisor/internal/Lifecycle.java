package io.distributedsupervisor.internal;

import io.distributedsupervisor.SupervisorClosedException;
import java.util.concurrent.atomic.AtomicReference;

/** A node's life: RUNNING, then CLOSING (a graceful close under way), then CLOSED; moves only forward, by compare-and-set. */
final class Lifecycle {
    enum State { RUNNING, CLOSING, CLOSED }

    private final String supervisor;
    private final String node;
    private final AtomicReference<State> state = new AtomicReference<>(State.RUNNING);

    Lifecycle(String supervisor, String node) {
        this.supervisor = supervisor;
        this.node = node;
    }

    State state() {
        return state.get();
    }

    boolean isRunning() {
        return state.get() == State.RUNNING;
    }

    boolean isClosed() {
        return state.get() == State.CLOSED;
    }

    /** Moves from RUNNING to {@code next}; false if the node was not running (another close or a crash won). */
    boolean leaveRunning(State next) {
        return state.compareAndSet(State.RUNNING, next);
    }

    void closed() {
        state.set(State.CLOSED);
    }

    /** @throws SupervisorClosedException once the node is closed (a closing node still serves) */
    void requireOpen() {
        if (state.get() == State.CLOSED) {
            throw new SupervisorClosedException(supervisor, node);
        }
    }
}
