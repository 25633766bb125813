package io.distributedsupervisor;

/**
 * What a running child knows about itself. Handed to every {@link Child} callback; valid for
 * the incarnation it was given to.
 */
public interface ChildContext {
    /** The child's id. */
    Object id();

    /** This incarnation's pid; its {@link Pid#incarnation()} is the fencing token for outside writes. */
    Pid pid();

    /** The argument of the child's spec (may be null). */
    Object arg();

    /**
     * The state the previous incarnation handed over ({@link Child#handoff}) when it moved here on
     * purpose; empty on a first start, after a crash, a restart or a failover, and after the first
     * incarnation on this node. Read it in {@code init}.
     */
    default java.util.Optional<Object> handoffState() {
        return java.util.Optional.empty();
    }

    /** The supervisor on the node this child runs on, to reach other children. */
    DistributedSupervisor supervisor();

    /**
     * Stops this child normally once the current handler returns: {@code terminate} is called
     * with {@link ExitReason#normal()}; a PERMANENT child is then restarted, a TRANSIENT or
     * TEMPORARY one is gone.
     */
    void stop();

    /**
     * Stops this child with a reason once the current handler returns. An {@link ExitReason} is
     * used as it is; any other object becomes {@link ExitReason#custom(Object)}, an abnormal exit.
     */
    void stop(Object reason);
}
