package io.distributedsupervisor.zookeeper.transport;

/**
 * Thrown by a {@link io.distributedsupervisor.spi.MessageHandler#onRequest} given to a
 * {@link NodeTransport} to answer that nothing on this node took the request (the ZooKeeper
 * backend: the supervisor it is for does not run here, or has just closed). Nothing of it was
 * processed, so the caller's future completes with
 * {@link io.distributedsupervisor.spi.Delivery.NotSent}, safe to retry (also elsewhere), whose
 * reason names this node and the message; this node logs it at debug level only.
 */
public final class RequestNotTakenException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param reason what the caller is told, e.g. which supervisor does not run on this node */
    public RequestNotTakenException(String reason) {
        super(reason, null, false, false);
    }
}
