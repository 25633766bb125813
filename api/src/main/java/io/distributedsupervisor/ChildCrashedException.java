package io.distributedsupervisor;

/**
 * The child crashed before it replied to a {@code call}: either the call's own handler threw
 * (its exception is the {@linkplain #getCause() cause}), or an earlier message crashed the
 * incarnation that this call was queued for. The child is restarted per its {@link Restart}.
 */
public final class ChildCrashedException extends DistributedSupervisorException {
    private static final long serialVersionUID = 1L;
    private final Object id;

    public ChildCrashedException(Object id, Throwable cause) {
        super("child " + id + " crashed: " + cause, cause);
        this.id = id;
    }

    public Object id() {
        return id;
    }
}
