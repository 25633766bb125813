package io.distributedsupervisor.spi;

/** A node session's connection to coordination storage (Curator's connection states, plus CLOSED). */
public enum SessionState {
    /** Contact lost for now; the session may still be alive. Local children must pause. */
    SUSPENDED,
    /** Contact back with the same session: claims still hold; children resume. */
    RECONNECTED,
    /**
     * The session expired: every ephemeral entry of this node (membership, claims) is gone and
     * other nodes may already run its children. Local children must stop at once; the node may
     * join again with a new session. A ZooKeeper session expiry reports this state.
     */
    LOST,
    /**
     * The session ended for good: it was closed (gracefully, by {@link NodeSession#close()}), or
     * the node is down (a simulated crash, the backend closed). Always the last event.
     */
    CLOSED
}
