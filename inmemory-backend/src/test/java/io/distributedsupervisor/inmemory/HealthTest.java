package io.distributedsupervisor.inmemory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.Health;
import io.distributedsupervisor.tck.supervisor.ClusterHarness;
import io.distributedsupervisor.tck.supervisor.HealthContract;
import io.distributedsupervisor.tck.supervisor.Nodes;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The supervisor TCK's {@link HealthContract} on the in-memory backend, plus a suspension ({@link InMemoryCluster#suspend}). */
class HealthTest extends HealthContract {
    @Override
    protected ClusterHarness newHarness() {
        return new InMemoryHarness();
    }

    @Test
    void aSuspendedNodeIsNotReadyAndIsReadyAgainWithTheSameSessionOnceItResumes() {
        InMemoryCluster cluster = ((InMemoryHarness) harness).cluster();
        List<DistributedSupervisor> nodes = Nodes.start(harness, 2);
        Health before = nodes.get(1).health();
        assertThat(before.ready()).isTrue();
        assertThat(before.leaseRemaining()).as("the in-memory lease does not run out by time").isEmpty();

        cluster.suspend("n2");
        await().atMost(WAIT).untilAsserted(() -> {
            Health h = nodes.get(1).health();
            assertThat(h.connection()).isEqualTo(Health.Connection.SUSPENDED);
            assertThat(h.leaseHeld()).isFalse();
            assertThat(h.leaseRemaining()).contains(java.time.Duration.ZERO);
            assertThat(h.ready()).isFalse();
        });
        assertThat(nodes.get(0).health().ready()).as("the other node is not affected").isTrue();

        cluster.resume("n2");
        await().atMost(WAIT).untilAsserted(() -> {
            Health h = nodes.get(1).health();
            assertThat(h.connection()).isEqualTo(Health.Connection.CONNECTED);
            assertThat(h.ready()).isTrue();
            assertThat(h.sessionId()).isEqualTo(before.sessionId());
            assertThat(h.leaseRemaining()).isEqualTo(Optional.empty());
        });
    }
}
