package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.spi.SpecRecord;

/**
 * A stored spec's key in a {@link SupervisorView}; once read, its explicit node ({@code placed})
 * and its content; {@code czxid} -1 while not known. {@code unreadable}: its head is not one this
 * node can read (reported once); it is not read again until it changes, so that garbage costs no
 * read per reconciliation pass. Immutable, so that one instance can serve many keys.
 */
record SpecSlot(long czxid, boolean placed, String node, SpecRecord spec, boolean unreadable) {
    SpecSlot(long czxid, boolean placed, String node, SpecRecord spec) {
        this(czxid, placed, node, spec, false);
    }

    /** A key listed at a load, nothing read yet: one instance for all (a record compares by value). */
    static final SpecSlot LISTED = new SpecSlot(-1, false, null, null);

    static SpecSlot unread(long czxid) {
        return czxid == -1 ? LISTED : new SpecSlot(czxid, false, null, null);
    }
}
