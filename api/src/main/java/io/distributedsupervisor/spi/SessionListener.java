package io.distributedsupervisor.spi;

/**
 * What a node is told about the group. Events may be coalesced or missed under load, so a node
 * treats them as hints to reconcile its view, never as a log to replay. Removal events reach
 * every session of the group, the one that made the change included. Called from backend
 * threads, in order per session: implementations return quickly and never block.
 * {@link SessionState#CLOSED} is the last event a session gets.
 */
public interface SessionListener {
    /** The set of live members changed. */
    default void onMembersChanged() {
    }

    /** An owner entry went away (released, or its session ended); {@code previous} is what it held. */
    default void onOwnerRemoved(String key, Owner previous) {
    }

    /** A stored spec went away. */
    default void onSpecRemoved(String key) {
    }

    /** The session's state changed. */
    default void onSessionState(SessionState state) {
    }
}
