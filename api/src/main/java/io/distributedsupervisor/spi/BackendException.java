package io.distributedsupervisor.spi;

import io.distributedsupervisor.DistributedSupervisorException;

/** The coordination backend failed or refused an operation; the message says which and why. */
public class BackendException extends DistributedSupervisorException {
    private static final long serialVersionUID = 1L;

    public BackendException(String message) {
        super(message);
    }

    public BackendException(String message, Throwable cause) {
        super(message, cause);
    }
}
