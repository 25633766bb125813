package io.distributedsupervisor;

/** Why a child incarnation started, as {@code Listener.onProcessStart} reports it. */
public enum StartReason {
    /** {@code startChild} started it. */
    STARTED,
    /** It was restarted in place after it exited (a crash, or its own stop, per its {@link Restart}). */
    RESTARTED,
    /**
     * This node claimed its stored spec, which had no owner: its node died or left (failover),
     * it was moved here (ACTIVE rebalance), or the whole cluster started again.
     */
    TAKEN_OVER
}
