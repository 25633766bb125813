package io.distributedsupervisor.spi;

import java.util.Objects;

/**
 * An operator's request to a node, which a backend received and verified (the {@code ds}
 * command-line tool writes them; see {@link SessionListener#onOperatorRequest}). Each action is
 * one of the public operations of {@code DistributedSupervisor}, run on the node that gets it.
 *
 * @param id       the backend's name for the request, for logs (e.g. its znode)
 * @param action   what to do
 * @param childKey {@link Action#MOVE}: the key of the child to move (as {@link Placement#keyOf}
 *                 makes it); null otherwise
 * @param node     {@link Action#MOVE}: the node to move it to; null otherwise
 */
public record OperatorRequest(String id, Action action, String childKey, String node) {
    public OperatorRequest {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(action, "action");
        if (action == Action.MOVE && (childKey == null || node == null)) {
            throw new IllegalArgumentException("a move names a child key and a node");
        }
    }

    /** What an operator may ask of a node: each is the public operation of the same name. */
    public enum Action {
        /** {@code drain()}: hand every child to the others, then leave the cluster. */
        DRAIN,
        /** {@code move(id, node)}. */
        MOVE,
        /** {@code rebalance()}: this node's children to where the ring says. */
        REBALANCE,
        /** {@code pauseRebalancing()}. */
        PAUSE_REBALANCING,
        /** {@code resumeRebalancing()}. */
        RESUME_REBALANCING
    }
}
