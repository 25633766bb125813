package io.distributedsupervisor;

/** What happens to running children when the ring changes because a node joins. */
public enum Rebalance {
    /**
     * Running children stay where they are; only children that start or are restarted on
     * another node (after a node loss) follow the ring. No child is stopped to move, unless an
     * operator asks for it with {@link DistributedSupervisor#rebalance()}.
     */
    PASSIVE,
    /**
     * When a node joins, each node stops the running children that the ring now gives to the
     * newcomer (terminate with {@link ExitReason.Kind#MIGRATED}), and the newcomer starts them.
     * The same check runs with every full reconciliation, so children also go back where the ring
     * says after every node re-joined at once (a lost quorum). Children started on an explicit
     * node never move, nor do children whose spec is not stored ({@link Restart#TEMPORARY} ones,
     * all with {@code cacheChildren(false)}). Each move is a {@link MoveCause#JOIN} move through the
     * node's move gate: rate-limited ({@code maxMovesPerSecond}, {@code maxMovesInFlight}), held by
     * {@link DistributedSupervisor#pauseRebalancing()}, asked of the {@link MoveVeto}. Needs
     * {@code monitorNodes(true)}.
     */
    ACTIVE
}
