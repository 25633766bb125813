package io.distributedsupervisor.spi;

/**
 * Coordination storage plus transport: what a node needs from the outside world. A backend
 * gives each node that {@linkplain #join joins} a {@link NodeSession} with four things:
 * membership, a child (spec) store, an owner registry, and a transport to other nodes.
 *
 * <p>The behaviour every backend must have is fixed by the TCK in this module's test-jar
 * ({@code io.distributedsupervisor.tck.BackendTck}).
 */
public interface Backend extends AutoCloseable {

    /**
     * Joins {@code node} to the group of {@code supervisor}: it becomes a live member (an
     * ephemeral one, tied to this session) and starts getting events and messages.
     *
     * @param listener told of membership, registry and store changes and of session state;
     *                 called from the backend's own threads, must not block
     * @param handler  receives what other nodes send to this node
     * @throws BackendException if the node cannot join, e.g. a live member has that name
     */
    NodeSession join(String supervisor, String node, SessionListener listener, MessageHandler handler);

    /** Releases what the backend holds; sessions still open are closed. */
    @Override
    void close();
}
