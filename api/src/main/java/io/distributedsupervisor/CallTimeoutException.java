package io.distributedsupervisor;

import java.time.Duration;
import java.util.Objects;

/**
 * An operation on a child got no answer within its timeout: only that time ran out. A
 * {@code call} may still be processed later (as with {@code GenServer.call}); its late reply is
 * dropped. A refusal or a lost connection is never reported as a timeout: see
 * {@link MessageRefusedException} and {@link OutcomeUnknownException}. When attempts were retried
 * (a child between incarnations, a node that could not be reached yet), the message says what
 * the last attempt met.
 */
public final class CallTimeoutException extends DistributedSupervisorException {
    private static final long serialVersionUID = 1L;
    private final Operation operation;
    private final Object id;
    private final Duration timeout;

    /** A {@code call} that got no reply within {@code timeout}. */
    public CallTimeoutException(Object id, Duration timeout) {
        this(Operation.CALL, id, timeout, null);
    }

    /**
     * @param lastAttempt what the last attempt met (e.g. "node n2 was unreachable"), or null
     */
    public CallTimeoutException(Operation operation, Object id, Duration timeout, String lastAttempt) {
        super(operation + " of child " + id + " got no answer within " + timeout
                + (lastAttempt == null ? "" : " (last attempt: " + lastAttempt + ")"));
        this.operation = Objects.requireNonNull(operation, "operation");
        this.id = id;
        this.timeout = timeout;
    }

    /** What timed out. */
    public Operation operation() {
        return operation;
    }

    public Object id() {
        return id;
    }

    public Duration timeout() {
        return timeout;
    }
}
