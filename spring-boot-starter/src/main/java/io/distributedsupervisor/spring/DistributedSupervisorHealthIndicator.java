package io.distributedsupervisor.spring;

import io.distributedsupervisor.DistributedSupervisor;
import java.util.List;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * UP while the supervisor runs and this node is in its own view of the ring ({@code nodes()}
 * names it: its session is live and its membership is seen); DOWN otherwise. The supervisor has
 * no {@code health()} of its own yet, so this is read from the session state it exposes; details:
 * node, nodes, local children.
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
        try {
            List<String> nodes = s.nodes();
            Health.Builder h = nodes.contains(s.node()) ? Health.up() : Health.down().withDetail("reason", "this node is not in the ring");
            return h.withDetail("supervisor", s.name()).withDetail("node", s.node()).withDetail("nodes", nodes)
                    .withDetail("localChildren", s.localChildren().size()).build();
        } catch (RuntimeException e) {
            return Health.down(e).build();
        }
    }
}
