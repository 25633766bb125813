package io.distributedsupervisor;

/**
 * {@code startChild} was given an id that a running child already has, anywhere in the cluster.
 * Nothing was started; {@link #pid()} names the child that runs (the Elixir library's
 * {@code {:error, {:already_started, pid}}}).
 */
public final class ChildAlreadyStartedException extends DistributedSupervisorException {
    private static final long serialVersionUID = 1L;
    private final Object id;
    private final Pid pid;

    public ChildAlreadyStartedException(Object id, Pid pid) {
        super("a child with id " + id + " is already started" + (pid == null ? "" : " as " + pid));
        this.id = id;
        this.pid = pid;
    }

    /** The id that was asked for. */
    public Object id() {
        return id;
    }

    /**
     * The running child with that id; {@code null} only in the short moment when that child is
     * between two incarnations (being restarted or moved to another node).
     */
    public Pid pid() {
        return pid;
    }
}
