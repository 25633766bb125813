package io.distributedsupervisor.zookeeper;

/**
 * A stored spec's key in a {@link SupervisorView}; once read or learnt from its claim, its
 * explicit node ({@code placed}); {@code czxid} -1 while not known. Never its content
 * ({@link SpecReads}). {@code unreadable}: its head is not one this
 * node can read (reported once); it is not read again until it changes, so that garbage costs no
 * read per reconciliation pass. Immutable, so that one instance can serve many keys.
 */
record SpecSlot(long czxid, boolean placed, String node, boolean unreadable) {
    SpecSlot(long czxid, boolean placed, String node) {
        this(czxid, placed, node, false);
    }

    /** A key listed at a load, nothing read yet: one instance for all (a record compares by value). */
    static final SpecSlot LISTED = new SpecSlot(-1, false, null);
    /**
     * A listed key whose read found it placed by the ring: one instance for all, rather than one
     * per key with the znode's czxid, which a node that joined reads for every child it takes
     * over. Without a czxid, like {@link #LISTED}, it yields to any later event or read.
     */
    static final SpecSlot RING_PLACED = new SpecSlot(-1, true, null);

    static SpecSlot unread(long czxid) {
        return czxid == -1 ? LISTED : new SpecSlot(czxid, false, null);
    }
}
