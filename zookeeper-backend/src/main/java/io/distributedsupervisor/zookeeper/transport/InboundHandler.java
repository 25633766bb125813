package io.distributedsupervisor.zookeeper.transport;

import io.distributedsupervisor.spi.Responder;

/**
 * Receives what peers send to this node, as the bytes they sent: the transport never decodes a
 * message.
 *
 * <p>Both methods are called on a transport thread, for one peer in the order that peer sent
 * (requests and one-way messages interleaved). They must return quickly and never block: hand
 * the work off (decoding included) and answer a request later, from any thread, through its
 * {@link Responder}. The first {@link Responder#reply} writes the reply on the connection the
 * request came on; later calls are ignored, and a reply after that connection closed is dropped.
 * A handler that throws on a request answers it with a failure carrying the exception's text
 * (the caller sees {@link io.distributedsupervisor.spi.Delivery.Refused} naming this node).
 */
public interface InboundHandler {

    /** A request that wants a reply: answer it once through {@code responder}. */
    void onRequest(String fromNode, byte[] message, Responder responder);

    /** A one-way message. */
    void onMessage(String fromNode, byte[] message);
}
