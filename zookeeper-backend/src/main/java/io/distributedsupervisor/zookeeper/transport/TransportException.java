package io.distributedsupervisor.zookeeper.transport;

/**
 * Why the transport could not deliver a message or get its reply: the peer could not be reached
 * or authenticated, the connection was lost before the reply, the reply could not be decoded,
 * the peer is not reading, or the remote handler failed. The message always names the peer and
 * what went wrong; for a remote failure it carries the remote handler's own message.
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
