package io.distributedsupervisor;

/**
 * What a child on another node threw, when its class may not cross the network (a network
 * backend deserializes only allowed classes): the original class name, message and stack trace,
 * with the cause chain converted the same way. The {@linkplain ChildCrashedException#getCause()
 * cause} of a {@link ChildCrashedException} for a remote child whose exception class is not on
 * the backend's allow-list.
 */
public final class RemoteChildException extends DistributedSupervisorException {
    private static final long serialVersionUID = 1L;
    private final String remoteClassName;

    private RemoteChildException(String remoteClassName, String message) {
        super(remoteClassName + (message == null ? "" : ": " + message));
        this.remoteClassName = remoteClassName;
    }

    /** A copy of {@code t} and its causes made only of this class and strings. */
    public static RemoteChildException of(Throwable t) {
        RemoteChildException copy = new RemoteChildException(t.getClass().getName(), t.getMessage());
        copy.setStackTrace(t.getStackTrace());
        Throwable cause = t.getCause();
        if (cause != null && cause != t) {
            copy.initCause(of(cause));
        }
        return copy;
    }

    /**
     * A stand-in for an exception of class {@code remoteClassName} that may not be loaded here:
     * for codecs that decode an exception of a refused class. {@code cause} may be null.
     */
    public static RemoteChildException of(String remoteClassName, String message, StackTraceElement[] stackTrace,
                                          Throwable cause) {
        java.util.Objects.requireNonNull(remoteClassName, "remoteClassName");
        RemoteChildException copy = new RemoteChildException(remoteClassName, message);
        copy.setStackTrace(stackTrace == null ? new StackTraceElement[0] : stackTrace);
        if (cause != null) {
            copy.initCause(cause);
        }
        return copy;
    }

    /** The binary name of the class the child threw. */
    public String remoteClassName() {
        return remoteClassName;
    }
}
