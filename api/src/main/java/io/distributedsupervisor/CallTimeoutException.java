package io.distributedsupervisor;

import java.time.Duration;

/**
 * A {@code call} got no reply within its timeout. The request may still be processed later (as
 * with {@code GenServer.call}); the late reply is dropped.
 */
public final class CallTimeoutException extends DistributedSupervisorException {
    private static final long serialVersionUID = 1L;
    private final Object id;
    private final Duration timeout;

    public CallTimeoutException(Object id, Duration timeout) {
        super("call to child " + id + " got no reply within " + timeout);
        this.id = id;
        this.timeout = timeout;
    }

    public Object id() {
        return id;
    }

    public Duration timeout() {
        return timeout;
    }
}
