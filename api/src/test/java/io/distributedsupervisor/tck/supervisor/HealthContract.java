package io.distributedsupervisor.tck.supervisor;

import static io.distributedsupervisor.tck.supervisor.TestChildren.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.Health;
import io.distributedsupervisor.tck.supervisor.TestChildren.SlowInit;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code health()} and its readiness rule on a live cluster: a running node is ready, a node
 * taking over a lost node's children is not until they all ran {@code init}, and it then reports
 * that failover; a closed node reports CLOSED without throwing.
 */
public abstract class HealthContract extends HarnessContract {
    protected static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aRunningNodeIsReadyAndSeesTheMembers() {
        List<DistributedSupervisor> nodes = Nodes.start(harness, 2);
        Instant before = Instant.now();
        await().atMost(WAIT).untilAsserted(() -> {
            Health h = nodes.get(0).health();
            assertThat(h.ready()).as("%s", h).isTrue();
            assertThat(h.connection()).isEqualTo(Health.Connection.CONNECTED);
            assertThat(h.leaseHeld()).isTrue();
            h.leaseRemaining().ifPresent(r -> assertThat(r).isPositive());
            assertThat(h.memberNames()).containsExactly("n1", "n2");
            assertThat(h.members()).allSatisfy(m -> {
                assertThat(m.address()).as("%s", m).isNotBlank();
                assertThat(m.joinedAt()).isBeforeOrEqualTo(Instant.now());
            });
            assertThat(h.supervisor()).isEqualTo(Nodes.NAME);
            assertThat(h.node()).isEqualTo("n1");
            assertThat(h.at()).isAfterOrEqualTo(before);
            assertThat(h.failoverInProgress()).isFalse();
            assertThat(h.lastFailover()).isEmpty();
        });
    }

    @Test
    void aNodeTakingOverALostNodesChildrenIsNotReadyUntilTheyRanInitThenReportsTheFailover() throws Exception {
        List<DistributedSupervisor> nodes = Nodes.start(harness, 3);
        List<CompletableFuture<?>> starts = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            starts.add(nodes.get(0).startChildAsync(ChildSpec.of(SlowInit.class, Duration.ofMillis(1500))
                    .withId(uniqueId("slow-" + i)), "n3"));
        }
        CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        List<DistributedSupervisor> survivors = nodes.subList(0, 2);
        Map<String, Boolean> seenNotReady = new ConcurrentHashMap<>();

        harness.crash("n3");

        await().atMost(WAIT).untilAsserted(() -> {
            for (DistributedSupervisor s : survivors) {
                Health h = s.health();
                if (h.failoverInProgress()) {
                    assertThat(h.ready()).as("ready while taking over: %s", h).isFalse();
                    seenNotReady.put(s.node(), true);
                }
            }
            assertThat(seenNotReady).isNotEmpty();
        });
        await().atMost(WAIT).untilAsserted(() -> {
            int taken = 0;
            for (DistributedSupervisor s : survivors) {
                Health h = s.health();
                assertThat(h.ready()).as("%s", h).isTrue();
                assertThat(h.memberNames()).containsExactly("n1", "n2");
                if (h.lastFailover().isPresent()) {
                    Health.Failover f = h.lastFailover().get();
                    assertThat(f.lostNodes()).containsExactly("n3");
                    assertThat(f.took()).isGreaterThanOrEqualTo(Duration.ofMillis(1500));
                    taken += f.children();
                }
            }
            assertThat(taken).as("children taken over, summed over the survivors").isEqualTo(6);
        });
        for (String n : seenNotReady.keySet()) {
            DistributedSupervisor s = survivors.stream().filter(d -> d.node().equals(n)).findFirst().orElseThrow();
            assertThat(s.health().lastFailover()).as("%s took children over", n).isPresent();
        }
    }

    @Test
    void aClosedNodeReportsClosedAndIsNotReady() {
        List<DistributedSupervisor> nodes = Nodes.start(harness, 2);
        nodes.get(1).close();
        Health h = nodes.get(1).health();
        assertThat(h.connection()).isEqualTo(Health.Connection.CLOSED);
        assertThat(h.ready()).isFalse();
        assertThat(h.leaseHeld()).isFalse();
        assertThat(h.memberNames()).isEmpty();
        await().atMost(WAIT).untilAsserted(() -> assertThat(nodes.get(0).health().memberNames()).containsExactly("n1"));
    }
}
