package io.distributedsupervisor.spi;

import io.distributedsupervisor.internal.ChildKey;
import io.distributedsupervisor.internal.HashRing;
import java.util.Collection;
import java.util.function.UnaryOperator;

/**
 * How the runtime names and places children, for backends and for tools that read coordination
 * storage without a running node (the {@code ds} command-line tool): the key a child id is
 * stored under, the id back from a key, and the node the ring gives a key to. The same rules as
 * {@code DistributedSupervisor.nodeFor}, so a tool's answer is the cluster's.
 */
public final class Placement {
    private Placement() {
    }

    /**
     * The key of a child id: its type's letter ({@code s} String, {@code i} Integer, {@code l}
     * Long, {@code u} UUID), then the id, with every character of a String outside
     * {@code [A-Za-z0-9_.-]} percent-encoded.
     *
     * @throws IllegalArgumentException if {@code id} is not a supported child id
     */
    public static String keyOf(Object id) {
        return ChildKey.encode(id);
    }

    /**
     * The child id of a key made by {@link #keyOf}.
     *
     * @throws IllegalArgumentException naming what is wrong with a key not made so
     */
    public static Object idOf(String key) {
        return ChildKey.decode(key);
    }

    /**
     * The ring over {@code nodes}, as a function from a key to its node: what every node whose
     * ring holds these nodes answers. Built once; use it for many keys.
     *
     * @throws IllegalArgumentException if {@code nodes} is empty
     */
    public static UnaryOperator<String> ring(Collection<String> nodes) {
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("a ring needs at least one node");
        }
        HashRing ring = HashRing.of(nodes);
        return ring::nodeFor;
    }
}
