package io.distributedsupervisor;

/**
 * Decides, just before a planned move of a child starts, whether it may: set with
 * {@code SupervisorOptions.Builder.moveVeto}. Asked on the node that runs the child, for every
 * move of every {@link MoveCause}, when the move's turn has come (after pause, rate limit and
 * in-flight limit let it through, and after the move was found still valid):
 * <ul>
 *   <li>{@link MoveDecision#ALLOW}: the move starts.</li>
 *   <li>{@link MoveDecision#delay(java.time.Duration)}: the move is set aside, holding no slot of
 *       {@code maxMovesInFlight} and using none of {@code maxMovesPerSecond}, and the veto is asked
 *       again after that time (for {@link MoveCause#JOIN} and {@link MoveCause#EXPLICIT}, when the
 *       move's turn comes again; a move no longer valid by then is dropped unasked). This is how a
 *       child is kept in place while it is inside a transaction.</li>
 *   <li>{@link MoveDecision#VETO}: the move is skipped, the child stays. A later rebalance (the
 *       next full reconciliation under {@link Rebalance#ACTIVE}, another
 *       {@link DistributedSupervisor#rebalance()}) proposes it again and asks again.</li>
 * </ul>
 * A veto that throws, or returns null, is logged and counts as {@link MoveDecision#ALLOW}.
 *
 * <p>It is called on a virtual thread of the node's: never on a child's thread or a caller's.
 * It may be called from several threads at once. It should answer quickly: the queued
 * {@link MoveCause#JOIN} and {@link MoveCause#EXPLICIT} moves of the node wait while it is asked.
 *
 * <p>Delaying a move while a child is inside a transaction:
 * <pre>{@code
 * Set<Object> inTransaction = ConcurrentHashMap.newKeySet(); // a child adds its id at BEGIN, removes it at COMMIT
 * SupervisorOptions.builder("DS").moveVeto((id, from, to, cause) ->
 *         inTransaction.contains(id) ? MoveDecision.delay(Duration.ofMillis(50)) : MoveDecision.ALLOW);
 * }</pre>
 */
@FunctionalInterface
public interface MoveVeto {

    /**
     * Whether the child {@code id} may move now from {@code from} (this node) to {@code to} for
     * {@code cause}.
     */
    MoveDecision decide(Object id, String from, String to, MoveCause cause);

    /** The default: every move is allowed. */
    static MoveVeto allowAll() {
        return AllowAll.INSTANCE;
    }
}

/** {@link MoveVeto#allowAll()}. */
enum AllowAll implements MoveVeto {
    INSTANCE;

    @Override
    public MoveDecision decide(Object id, String from, String to, MoveCause cause) {
        return MoveDecision.ALLOW;
    }

    @Override
    public String toString() {
        return "MoveVeto.allowAll()";
    }
}
