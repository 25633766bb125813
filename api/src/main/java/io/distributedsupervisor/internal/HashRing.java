package io.distributedsupervisor.internal;

import java.util.Arrays;
import java.util.List;

/**
 * An immutable consistent hash ring with virtual nodes. Every node that builds a ring from the
 * same node names gets the same placement, whatever order the names come in.
 */
public final class HashRing {
    /** Virtual nodes per node: enough that 3 nodes each get a third of the keys within a few percent. */
    static final int VIRTUAL_NODES = 512;

    private static final HashRing EMPTY = new HashRing(List.of(), new long[0], new int[0]);

    private final List<String> nodes;
    private final long[] points;
    private final int[] owners;

    private HashRing(List<String> nodes, long[] points, int[] owners) {
        this.nodes = nodes;
        this.points = points;
        this.owners = owners;
    }

    /** A ring over these node names (duplicates ignored). */
    public static HashRing of(java.util.Collection<String> nodeNames) {
        if (nodeNames.isEmpty()) {
            return EMPTY;
        }
        List<String> sorted = nodeNames.stream().distinct().sorted().toList();
        int n = sorted.size() * VIRTUAL_NODES;
        long[] keyed = new long[n];
        // Sort points with their owner index: pack (hash, owner) pairs via an index sort.
        Integer[] order = new Integer[n];
        long[] hashes = new long[n];
        for (int i = 0; i < sorted.size(); i++) {
            String node = sorted.get(i);
            for (int v = 0; v < VIRTUAL_NODES; v++) {
                int slot = i * VIRTUAL_NODES + v;
                hashes[slot] = hash(node + "#" + v);
                order[slot] = slot;
            }
        }
        // Ties (vanishingly rare) are broken by node order, so placement stays deterministic.
        Arrays.sort(order, (a, b) -> {
            int c = Long.compare(hashes[a], hashes[b]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        int[] owners = new int[n];
        for (int k = 0; k < n; k++) {
            keyed[k] = hashes[order[k]];
            owners[k] = order[k] / VIRTUAL_NODES;
        }
        return new HashRing(sorted, keyed, owners);
    }

    /** The ring's nodes, sorted. */
    public List<String> nodes() {
        return nodes;
    }

    public boolean isEmpty() {
        return nodes.isEmpty();
    }

    public boolean contains(String node) {
        return java.util.Collections.binarySearch(nodes, node) >= 0;
    }

    /**
     * The node for a key: the first virtual node at or after the key's hash, clockwise.
     *
     * @throws IllegalStateException if the ring has no node
     */
    public String nodeFor(String key) {
        if (points.length == 0) {
            throw new IllegalStateException("the ring has no live node");
        }
        long h = hash(key);
        int i = Arrays.binarySearch(points, h);
        if (i < 0) {
            i = -i - 1;
        }
        if (i == points.length) {
            i = 0;
        }
        return nodes.get(owners[i]);
    }

    /** FNV-1a over the chars, then MurmurHash3's 64-bit finalizer for a good spread; stable across JVMs. */
    static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            h ^= c & 0xff;
            h *= 0x100000001b3L;
            h ^= c >>> 8;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    @Override
    public String toString() {
        return "HashRing" + nodes;
    }
}
