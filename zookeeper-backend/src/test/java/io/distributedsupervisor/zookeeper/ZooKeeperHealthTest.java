package io.distributedsupervisor.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.Health;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code health()} through what only a real server shows: an outage of ZooKeeper (SUSPENDED, then
 * RECONNECTED with the same session) and a session loss (LOST, then a new session). The tests'
 * sessions last 4 s, so the lease (a fraction of it) never shows more than 4 s left.
 */
class ZooKeeperHealthTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private EmbeddedZooKeeper server;
    private ZooKeeperHarness cluster;

    @BeforeEach
    void start() {
        cluster = new ZooKeeperHarness(); // a server of its own, closed with it
        server = cluster.server();
        cluster.start("n1");
        cluster.start("n2");
        cluster.awaitRing(List.of("n1", "n2"));
        cluster.node("n1").startChild(ChildSpec.of(WitnessedCounter.class).withId("health-1"), "n2");
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    @Test
    void throughAnOutageNodesAreNotReadyWhileSuspendedAndReadyAgainWithTheSameSession() throws Exception {
        Health before = cluster.node("n2").health();
        assertThat(before.ready()).as("%s", before).isTrue();
        assertThat(before.leaseRemaining()).hasValueSatisfying(r -> assertThat(r).isPositive()
                .isLessThanOrEqualTo(Duration.ofSeconds(4)));

        server.server().stop();
        await().atMost(WAIT).untilAsserted(() -> {
            for (String n : List.of("n1", "n2")) {
                Health h = cluster.node(n).health();
                assertThat(h.connection()).as("%s", h).isEqualTo(Health.Connection.SUSPENDED);
                assertThat(h.leaseHeld()).isFalse();
                assertThat(h.leaseRemaining()).contains(Duration.ZERO);
                assertThat(h.ready()).isFalse();
            }
        });

        server.server().restart();
        await().atMost(WAIT).untilAsserted(() -> {
            Health h = cluster.node("n2").health();
            assertThat(h.connection()).as("%s", h).isEqualTo(Health.Connection.CONNECTED);
            assertThat(h.ready()).isTrue();
            assertThat(h.sessionId()).as("the same session").isEqualTo(before.sessionId());
            assertThat(h.leaseRemaining()).hasValueSatisfying(r -> assertThat(r).isPositive());
            assertThat(h.memberNames()).containsExactly("n1", "n2");
        });
        assertThat(cluster.node("n1").whereis("health-1")).hasValueSatisfying(p -> assertThat(p.node()).isEqualTo("n2"));
    }

    @Test
    void throughASessionLossANodeIsReadyAgainWithANewSession() throws Exception {
        Health before = cluster.node("n2").health();
        assertThat(before.ready()).isTrue();

        cluster.expireSession("n2");
        // n2 is told at once that its session expired, and joins again with a new one.
        await().atMost(WAIT).untilAsserted(() -> {
            Health h = cluster.node("n2").health();
            assertThat(h.sessionId()).as("%s", h).isNotEqualTo(before.sessionId());
            assertThat(h.connection()).isEqualTo(Health.Connection.CONNECTED);
            assertThat(h.ready()).isTrue();
            assertThat(h.memberNames()).containsExactly("n1", "n2");
        });
        // n1 may have been taking over n2's child meanwhile (a failover of its own): ready once it is done.
        await().atMost(WAIT).untilAsserted(() -> assertThat(cluster.node("n1").health().ready()).isTrue());
    }
}
