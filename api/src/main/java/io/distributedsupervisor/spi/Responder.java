package io.distributedsupervisor.spi;

/**
 * Where the runtime sends the answer to one request: given with the request by
 * {@link MessageHandler#onRequest}, used once, from any thread.
 */
@FunctionalInterface
public interface Responder {
    /** Sends {@code reply} back to the node that asked; later calls are ignored. */
    void reply(byte[] reply);
}
