package io.distributedsupervisor;

/** What happens to running children when the ring changes because a node joins. */
public enum Rebalance {
    /**
     * Running children stay where they are; only children that start or are restarted on
     * another node (after a node loss) follow the ring. No child is ever stopped to move.
     */
    PASSIVE,
    /**
     * When a node joins, each node stops the running children that the ring now gives to the
     * newcomer (terminate with {@link ExitReason.Kind#MIGRATED}), and the newcomer starts them.
     * The same check runs with every full reconciliation, so children also go back where the ring
     * says after every node re-joined at once (a lost quorum). Children started on an explicit
     * node never move. Needs {@code monitorNodes(true)}.
     */
    ACTIVE
}
