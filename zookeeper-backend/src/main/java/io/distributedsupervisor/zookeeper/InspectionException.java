package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.spi.BackendException;
import java.util.Objects;

/**
 * What went wrong when a {@link ClusterInspector} read or asked something: its {@link #kind()}
 * says which case (a tool picks its exit code by it) and its message says what, where, and what
 * to do, in one line.
 */
public final class InspectionException extends BackendException {
    private static final long serialVersionUID = 1L;

    /** The cases. */
    public enum Kind {
        /** ZooKeeper did not answer within the connection timeout. */
        UNREACHABLE,
        /** ZooKeeper's ACL refused these credentials (NoAuth). */
        NOT_AUTHORIZED,
        /** No supervisor, live node or child of that name. */
        NOT_FOUND,
        /** The request cannot be made: no cluster secret to sign it, or a purge while nodes live. */
        REFUSED,
        /** No answer within the time given. */
        TIMEOUT,
        /** ZooKeeper failed otherwise. */
        FAILED
    }

    private final Kind kind;

    public InspectionException(Kind kind, String message) {
        super(message);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public InspectionException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public Kind kind() {
        return kind;
    }
}
