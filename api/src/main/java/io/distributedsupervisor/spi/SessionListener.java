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

    /**
     * This session now holds the owner entries of {@code keys} by succession: a node's session
     * ended without releasing them, and coordination storage gives them to this node without a
     * claim per child. {@link NodeSession#owner} answers each with this session's entry. The
     * runtime starts each key from its stored spec under that entry, without claiming it, or
     * {@linkplain NodeSession#release releases} it when it will not run it: no stored spec, a
     * spec it cannot decode, a {@code TEMPORARY} spec. A node that is closing leaves them to
     * its close, which gives them back with the rest of its entries. Keys may be told again (after a
     * reload of the backend's view, say): a key whose child already runs here is left alone.
     * Told on the backend's threads, like the other events: returns at once.
     *
     * <p>A backend may tell one succession in parts, while it still scans its view, so that the
     * runtime reads the first keys' specs meanwhile: {@code more} is true on every part but the
     * last, which may be empty. The runtime reports the parts as one failover; it waits for the
     * last part at most a reconcile interval after the one before (a session lost mid-scan tells
     * no last part).
     */
    default void onInherited(java.util.Collection<String> keys, boolean more) {
    }

    /**
     * {@link NodeSession#holdsLease()} is true again after it was false: children paused for want
     * of a lease may go on. A lease may also end without an event (it runs out when contact is
     * not confirmed in time); only its return is told.
     */
    default void onLeaseRestored() {
    }

    /**
     * The backend found an entry in coordination storage that it does not trust, and ignores it:
     * a member without a valid proof of the cluster secret, an owner entry of a session that is
     * no verified member's, a znode it cannot read. Told once per entry, so that the runtime can
     * report it to listeners; {@code what} names the entry (a path), {@code why} the reason.
     */
    default void onUntrusted(String what, String why) {
    }

    /**
     * An operator asked this node for a planned operation (the {@code ds} tool's drain, move,
     * rebalance, pause and resume of rebalancing), and the backend verified that the request
     * comes from a holder of the cluster secret. Returns at once; the stage completes with a
     * one-line outcome the backend hands back to the operator, or exceptionally with why the
     * operation failed. Called on a thread of the backend's own for requests, in the order the
     * requests were made but in no order with the other events. Default: refused, for a runtime
     * that runs no such requests.
     */
    default java.util.concurrent.CompletionStage<String> onOperatorRequest(OperatorRequest request) {
        return java.util.concurrent.CompletableFuture.failedFuture(new UnsupportedOperationException(
                "this node's runtime does not run operator requests"));
    }

    /** The session's state changed. */
    default void onSessionState(SessionState state) {
    }
}
