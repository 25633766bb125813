package io.distributedsupervisor.zookeeper;

/**
 * What a transaction that creates or deletes an owner entry says of its key's stored spec, to
 * views that watch {@code owners/} and not {@code children/} (a start then costs every node one
 * event, its owner entry's, not two): it sets the writer's member znode this many times ahead of
 * the owner entries' changes, and a view counts the touches of a zxid before its owner events
 * ({@link ClaimEvents}). A transaction that carries no touch says nothing of the spec.
 *
 * <p>Creations: a new child whose spec the transaction stores (a {@code setData} of the new owner
 * entry in the same transaction pins that spec to the claimer), a claim without a stored spec, a
 * claim of a spec stored before. Deletions: the spec is deleted too, or its placement rewritten
 * (a move to a named node). A spec deleted without its owner entry has a transaction of its own
 * make and delete one behind the touch of {@link #SPEC_REMOVED}: an owner entry when none holds
 * the key, else {@link ZnodeLayout#specRemovedSignal} under the entry. A view of a server that sends no zxid with its events (before
 * ZooKeeper 3.9) cannot count touches, and watches {@code children/} instead.
 */
enum SpecSignal {
    STORED_NOW(1, true),
    NO_SPEC(2, true),
    STORED_BEFORE(3, true),
    SPEC_REMOVED(1, false),
    SPEC_MOVED(2, false);

    /** How many times the transaction sets the writer's member znode. */
    final int touches;
    /** Whether it creates owner entries (else it deletes them). */
    final boolean creation;

    SpecSignal(int touches, boolean creation) {
        this.touches = touches;
        this.creation = creation;
    }

    /** What {@code touches} member touches ahead of an owner entry's creation or deletion say; null for nothing. */
    static SpecSignal of(int touches, boolean creation) {
        for (SpecSignal s : values()) {
            if (s.touches == touches && s.creation == creation) {
                return s;
            }
        }
        return null;
    }
}
