package io.distributedsupervisor.zookeeper.transport;

/**
 * A transport that cannot start: its address cannot be bound. (What becomes of a message is a
 * {@link io.distributedsupervisor.spi.Delivery}, never an exception.)
 */
public class TransportException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TransportException(String message) {
        super(message);
    }

    public TransportException(String message, Throwable cause) {
        super(message, cause);
    }
}
