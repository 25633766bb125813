package io.distributedsupervisor.spring;

import io.distributedsupervisor.DistributedSupervisor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The supervisor's own readiness rule ({@link io.distributedsupervisor.Health#ready()}): UP when
 * this node is connected to coordination storage, holds its lease and has no failover of its own
 * in progress; DOWN otherwise (with the reason), and while the supervisor is not running. Details:
 * supervisor, node, connection, lease, reconciliation and failover in progress, the last failover,
 * members and local children.
 */
public class DistributedSupervisorHealthIndicator implements HealthIndicator {
    private final DistributedSupervisorLifecycle lifecycle;

    public DistributedSupervisorHealthIndicator(DistributedSupervisorLifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    @Override
    public Health health() {
        DistributedSupervisor s = lifecycle.supervisorOrNull();
        if (s == null) {
            return Health.down().withDetail("running", false).build();
        }
        io.distributedsupervisor.Health h = s.health();
        Health.Builder b = h.ready() ? Health.up() : Health.down().withDetail("reason", reason(h));
        b.withDetail("supervisor", h.supervisor()).withDetail("node", h.node())
                .withDetail("connection", h.connection().name()).withDetail("leaseHeld", h.leaseHeld())
                .withDetail("reconciling", h.reconciling()).withDetail("failoverInProgress", h.failoverInProgress())
                .withDetail("nodes", h.memberNames());
        h.leaseRemaining().ifPresent(r -> b.withDetail("leaseRemainingMillis", r.toMillis()));
        h.lastFailover().ifPresent(f -> b.withDetail("lastFailover", java.util.Map.of("startedAt", f.startedAt().toString(),
                "lostNodes", f.lostNodes(), "children", f.children(), "tookMillis", f.took().toMillis())));
        if (h.connection() != io.distributedsupervisor.Health.Connection.CLOSED) {
            b.withDetail("localChildren", s.localChildren().size());
        }
        return b.build();
    }

    private static String reason(io.distributedsupervisor.Health h) {
        if (h.connection() != io.distributedsupervisor.Health.Connection.CONNECTED) {
            return "connection to coordination storage is " + h.connection();
        }
        if (!h.leaseHeld()) {
            return "no lease: this node's children are paused until it hears from coordination storage";
        }
        return "taking over children of a lost node (failover in progress)";
    }
}
