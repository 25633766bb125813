package io.distributedsupervisor.zookeeper.transport;

import java.util.concurrent.CompletableFuture;

/**
 * Receives what peers send to this node; mirrors {@link io.distributedsupervisor.spi.MessageHandler}.
 *
 * <p>Both methods are called on a transport thread, for one peer in the order that peer sent
 * (requests and one-way messages interleaved). They must return quickly and never block: hand
 * the work off and complete the returned future from any thread later. A handler that throws,
 * returns null or completes the future exceptionally makes the caller's request fail with a
 * {@link TransportException} carrying the failure's text.
 */
public interface InboundHandler {

    /** A request that wants a reply: complete the future with the reply (which must be encodable). */
    CompletableFuture<Object> onRequest(String fromNode, Object message);

    /** A one-way message. */
    void onMessage(String fromNode, Object message);
}
