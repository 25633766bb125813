package io.distributedsupervisor;

/** What became of one planned move, as {@code Listener.onMove} reports it. */
public enum MoveOutcome {
    /** The child was stopped here and handed over: the node the ring names starts it. */
    MOVED,
    /** The {@link MoveVeto} vetoed it: the child stays. A later rebalance may propose it again. */
    VETOED,
    /**
     * It was not run, or ran without handing the child over, because it was no longer valid: the
     * child stopped (a terminate, a crash that gave it up, its own exit), the target left the ring
     * or the ring names another node now, this node lost its lease or closes.
     */
    DROPPED,
    /** The move was tried and failed with an exception (logged); the child may have stopped. */
    FAILED
}
