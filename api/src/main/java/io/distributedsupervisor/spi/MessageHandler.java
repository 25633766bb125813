package io.distributedsupervisor.spi;

/**
 * Receives what the runtimes of other nodes send this node, as the bytes they sent: the one
 * inbound interface between a backend's transport and the runtime, which decodes them itself.
 *
 * <p>Both methods are called in the order the peer sent (requests and one-way messages
 * interleaved), from the backend's own threads (a network event loop). They must return quickly
 * and never block; the runtime does the decoding and the work elsewhere, and answers a request
 * through its {@link Responder} later, from any thread. A backend hands over the array it
 * received and does not touch it afterwards.
 */
public interface MessageHandler {

    /** A request that wants an answer through {@code responder}. */
    void onRequest(String fromNode, byte[] message, Responder responder);

    /** A one-way message. */
    void onMessage(String fromNode, byte[] message);
}
