package io.distributedsupervisor.spi;

import java.util.Objects;

/**
 * An owner registry entry: which node runs an id, under which claim.
 *
 * @param node     the owning node
 * @param epoch    the claim's token from the registry; strictly greater for every later claim
 *                 of any id in the same group (ZooKeeper: the entry's czxid)
 * @param restarts local restarts under this claim, updated by the owner
 * @param session  the owning session's id (ZooKeeper: ephemeralOwner); ownership checks compare
 *                 it, never the node name alone
 */
public record Owner(String node, long epoch, int restarts, long session) {
    public Owner {
        Objects.requireNonNull(node, "node");
    }

    /** The same claim after one more local restart. */
    public Owner restarted() {
        return new Owner(node, epoch, restarts + 1, session);
    }
}
