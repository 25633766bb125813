package io.distributedsupervisor.zookeeper.transport;

/**
 * Thrown by a {@link io.distributedsupervisor.spi.MessageHandler#onRequest} given to a
 * {@link NodeTransport} to refuse that request for good: the caller's future completes with
 * {@link io.distributedsupervisor.spi.Delivery.Refused}, naming this node and the message, and
 * this node logs it at debug level only (a refusal is an answer, not a failure of the handler).
 */
public final class RequestRefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param reason what the caller is told, e.g. which supervisor does not run on this node */
    public RequestRefusedException(String reason) {
        super(reason, null, false, false);
    }
}
