package io.distributedsupervisor;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One node's health as {@link DistributedSupervisor#health()} read it at {@link #at()}: a
 * snapshot, immutable, made from this node's local state without touching the network.
 *
 * <p>The readiness rule ({@link #ready()}): a node is ready when it is {@link Connection#CONNECTED
 * connected} to coordination storage, holds its lease, and has no failover of its own in progress.
 * A load balancer or a Kubernetes readiness probe can use it: a node that is not ready may still
 * answer calls (they are forwarded), but its own children are paused (no lease), or it is still
 * starting children it took over from a lost node.
 *
 * @param supervisor         the supervisor's name
 * @param node               this node's name
 * @param at                 when this snapshot was taken (wall clock)
 * @param connection         this node's connection to coordination storage
 * @param sessionId          the id of this node's current backend session (a ZooKeeper session id);
 *                           it changes when the node joins again after a lost session
 * @param leaseHeld          whether this node's children may process messages now ({@code NodeSession.holdsLease()})
 * @param leaseRemaining     how long the lease holds without another confirmed contact with
 *                           coordination storage; {@link Duration#ZERO} when not held; empty when
 *                           the backend's lease does not run out by time (the in-memory backend:
 *                           held while joined and not suspended)
 * @param reconciling        whether a reconciliation pass (comparing specs, owners and members and
 *                           acting on the difference) runs on this node right now
 * @param failoverInProgress whether this node is taking over children of a lost node: it has
 *                           claimed some and not all of them have finished {@code init} yet
 * @param lastFailover       the last failover this node took part in (took over at least one child), if any
 * @param members            the live members this node sees, sorted by name; empty once it is closed
 */
public record Health(String supervisor, String node, Instant at, Connection connection, long sessionId,
                     boolean leaseHeld, Optional<Duration> leaseRemaining, boolean reconciling,
                     boolean failoverInProgress, Optional<Failover> lastFailover, List<Member> members) {

    /** A node's connection to coordination storage, as its backend last reported it. */
    public enum Connection {
        /** Connected with a live session (after the first join, a reconnection, or a join after a lost session). */
        CONNECTED,
        /** Contact lost for now; the session may still be alive. Local children are paused. */
        SUSPENDED,
        /** The session expired: local children were dropped, and the node is joining again with a new session. */
        LOST,
        /** The node is closed (gracefully, or its session ended for good). It does not come back. */
        CLOSED
    }

    /**
     * A live member as this node sees it.
     *
     * @param node     its name
     * @param address  how its transport is reached, as its backend publishes it (e.g. {@code host:port})
     * @param joinedAt when it joined
     */
    public record Member(String node, String address, Instant joinedAt) {
        public Member {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(joinedAt, "joinedAt");
        }
    }

    /** The names of {@link #members()}, sorted. */
    public List<String> memberNames() {
        return members.stream().map(Member::node).toList();
    }

    /**
     * A failover this node took part in.
     *
     * @param startedAt when this node saw the loss (wall clock)
     * @param lostNodes the nodes that were lost
     * @param children  how many of their children this node took over
     * @param took      from the moment the loss was seen to the end of {@code init} of the last of them
     */
    public record Failover(Instant startedAt, List<String> lostNodes, int children, Duration took) {
        public Failover {
            Objects.requireNonNull(startedAt, "startedAt");
            lostNodes = List.copyOf(lostNodes);
            Objects.requireNonNull(took, "took");
        }
    }

    public Health {
        Objects.requireNonNull(supervisor, "supervisor");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(leaseRemaining, "leaseRemaining");
        Objects.requireNonNull(lastFailover, "lastFailover");
        members = List.copyOf(members);
    }

    /**
     * The readiness rule: {@link Connection#CONNECTED} with the lease held and no failover of
     * this node's own in progress.
     */
    public boolean ready() {
        return connection == Connection.CONNECTED && leaseHeld && !failoverInProgress;
    }
}
