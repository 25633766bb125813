package io.distributedsupervisor.spi;

import java.util.concurrent.CompletableFuture;

/**
 * Receives what other nodes send to this node. Called from transport threads, in the order each
 * peer sent; implementations hand work off quickly and never block.
 */
public interface MessageHandler {
    /** A request that wants a reply: complete the future with the reply value. */
    CompletableFuture<Object> onRequest(String fromNode, Object message);

    /** A one-way message. */
    void onMessage(String fromNode, Object message);
}
