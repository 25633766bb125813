package io.distributedsupervisor.zookeeper.transport;

import java.util.Collection;
import java.util.Objects;
import java.util.Set;

/**
 * Which nodes may dial this one: asked once per inbound connection, after the peer proved the
 * cluster secret and named itself. Proving the secret shows a peer belongs to the cluster, not
 * that it is the node it names; the coordination layer knows which nodes are members (the
 * ZooKeeper backend accepts only members whose znodes carry a valid proof of the secret), and the
 * transport stays independent of it through this function. An outbound connection needs no
 * check: the peer must name itself as the node this one dialled.
 *
 * <p>A node may reach the membership of this one a moment after it dialled (its member entry is
 * still on its way), so a refusal is not final at once: the handshake asks again every few
 * milliseconds, for up to half the handshake timeout, before it refuses the peer.
 *
 * <p>Called on a transport thread: it must be quick and must not block.
 */
@FunctionalInterface
public interface PeerCheck {

    /** Whether {@code node}, which proved the cluster secret, may use this node's transport. */
    boolean accepts(String node);

    /** Any node that proves the cluster secret (in open mode: any node at all). For tests and tools. */
    static PeerCheck any() {
        return node -> true;
    }

    /** Only the nodes named. */
    static PeerCheck only(Collection<String> nodes) {
        Set<String> allowed = Set.copyOf(Objects.requireNonNull(nodes, "nodes"));
        return allowed::contains;
    }
}
