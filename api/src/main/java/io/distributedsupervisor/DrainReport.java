package io.distributedsupervisor;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a {@link DistributedSupervisor#drain} did with this node's children.
 *
 * @param handedOver     children stopped here and handed to the node the ring names (with their
 *                       {@link Child#handoff} state)
 * @param leftToFailover ids of children not handed over before the drain's deadline: they start
 *                       afresh on the ring's node once this node's session closed, as after a crash
 * @param stopped        children stopped here without a hand-over: TEMPORARY ones and all with
 *                       {@code cacheChildren(false)} ({@link ExitReason#shutdown()}: gone), and, on
 *                       the last node of the cluster, the others ({@link ExitReason#migrated()}:
 *                       their specs stay stored, and they start again, afresh, when a node starts)
 * @param took           how long the drain took
 */
public record DrainReport(int handedOver, List<Object> leftToFailover, int stopped, Duration took) {
    public DrainReport {
        leftToFailover = List.copyOf(leftToFailover);
        Objects.requireNonNull(took, "took");
    }
}
