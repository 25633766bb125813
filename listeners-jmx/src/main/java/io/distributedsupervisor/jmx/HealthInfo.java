package io.distributedsupervisor.jmx;

import io.distributedsupervisor.Health;
import java.util.List;
import java.util.Objects;

/**
 * A node's {@link Health} as {@link DistributedSupervisorMXBean#getHealth()} shows it: an MXBean
 * value that a JMX client sees as {@code CompositeData} with these items, open types only.
 *
 * @param ready                 the readiness rule ({@link Health#ready()}): connected, with the lease, and no
 *                              failover of this node's own in progress
 * @param connection            {@code CONNECTED}, {@code SUSPENDED}, {@code LOST} or {@code CLOSED}
 * @param sessionId             the backend session's id, in hex as ZooKeeper prints it
 * @param leaseHeld             whether this node's children may process messages now
 * @param leaseRemainingMillis  how long the lease holds without another contact, ms; 0 when not held;
 *                              -1 when the backend's lease does not run out by time
 * @param reconciling           whether a reconciliation pass runs now
 * @param failoverInProgress    whether this node is taking over children of a lost node
 * @param lastFailoverAt        when this node saw the loss of its last failover, ISO-8601 in UTC; empty before any
 * @param lastFailoverLostNodes the nodes lost in that failover; empty before any
 * @param lastFailoverChildren  how many children this node took over in it; 0 before any
 * @param lastFailoverMillis    from the loss seen to the end of {@code init} of the last of them, ms; -1 before any
 * @param members               the live members this node sees, sorted
 * @param at                    when this was read, ISO-8601 in UTC
 */
public record HealthInfo(boolean ready, String connection, String sessionId, boolean leaseHeld, long leaseRemainingMillis,
                         boolean reconciling, boolean failoverInProgress, String lastFailoverAt,
                         List<String> lastFailoverLostNodes, int lastFailoverChildren, long lastFailoverMillis,
                         List<String> members, String at) {

    public HealthInfo {
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(lastFailoverAt, "lastFailoverAt");
        lastFailoverLostNodes = List.copyOf(lastFailoverLostNodes);
        members = List.copyOf(members);
        Objects.requireNonNull(at, "at");
    }

    static HealthInfo of(Health h) {
        Health.Failover f = h.lastFailover().orElse(null);
        return new HealthInfo(h.ready(), h.connection().name(), Long.toHexString(h.sessionId()), h.leaseHeld(),
                h.leaseRemaining().map(java.time.Duration::toMillis).orElse(-1L), h.reconciling(), h.failoverInProgress(),
                f == null ? "" : f.startedAt().toString(), f == null ? List.of() : f.lostNodes(),
                f == null ? 0 : f.children(), f == null ? -1 : f.took().toMillis(), h.memberNames(), h.at().toString());
    }
}
