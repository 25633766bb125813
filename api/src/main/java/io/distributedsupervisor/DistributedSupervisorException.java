package io.distributedsupervisor;

/**
 * Base of every exception this library throws for a failed supervisor operation. Unchecked, so
 * that {@code call} reads like a local method call; catch the subclasses you can act on.
 */
public class DistributedSupervisorException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DistributedSupervisorException(String message) {
        super(message);
    }

    public DistributedSupervisorException(String message, Throwable cause) {
        super(message, cause);
    }
}
