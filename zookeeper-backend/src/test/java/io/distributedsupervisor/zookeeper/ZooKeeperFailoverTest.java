package io.distributedsupervisor.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.Rebalance;
import io.distributedsupervisor.internal.ChildKey;
import io.distributedsupervisor.internal.HashRing;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Failover, rebalancing and a whole-cluster restart on a real ZooKeeper server. */
class ZooKeeperFailoverTest {
    private EmbeddedZooKeeper server;
    private ZooKeeperHarness cluster;

    @BeforeEach
    void start() {
        SafetyWitness.clear();
        server = new EmbeddedZooKeeper();
        cluster = new ZooKeeperHarness(server);
    }

    @AfterEach
    void stop() {
        try {
            cluster.close();
        } finally {
            server.close();
        }
    }

    private static List<String> ids(int n) {
        return IntStream.range(0, n).mapToObj(i -> "child-" + i).toList();
    }

    @Test
    void whenASessionExpiresEveryChildRunsAgainExactlyOnceWhereTheRingSaysAndAnswers() throws Exception {
        for (String n : List.of("n1", "n2", "n3")) {
            cluster.start(n);
        }
        cluster.awaitRing(List.of("n1", "n2", "n3"));
        List<String> ids = ids(3000);
        DistributedSupervisor n1 = cluster.node("n1");
        ids.forEach(id -> n1.startChild(ChildSpec.of(WitnessedCounter.class).withId(id)));
        Set<Object> onN3 = Set.copyOf(n1.children().entrySet().stream()
                .filter(e -> e.getValue().node().equals("n3")).map(Map.Entry::getKey).toList());
        assertThat(onN3).isNotEmpty();

        cluster.expireSession("n3");

        HashRing survivors = HashRing.of(List.of("n1", "n2"));
        HashRing all = HashRing.of(List.of("n1", "n2", "n3"));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Map<Object, Pid> running = CallLoad.runningOnce(cluster.live());
            assertThat(running).hasSize(3000);
            for (Object id : onN3) {
                String key = ChildKey.encode(id);
                // Taken over by the survivor the two-node ring names, or, once n3 joined again with a
                // new session, by whoever the three-node ring names: either way, the ring's choice.
                assertThat(running.get(id).node()).isIn(survivors.nodeFor(key), all.nodeFor(key));
            }
            for (DistributedSupervisor ds : cluster.live()) {
                assertThat(ds.children()).hasSize(3000);
            }
        });
        for (String id : ids) {
            assertThat((Object) n1.call(id, "node")).isIn("n1", "n2", "n3");
        }
        assertThat(SafetyWitness.violations()).isEmpty();
    }

    @Test
    void aFourthNodeTakesItsShareWithActiveRebalanceNothingLostOrDoubled() {
        for (String n : List.of("n1", "n2", "n3")) {
            cluster.start(n, b -> b.monitorNodes(true).rebalance(Rebalance.ACTIVE), b -> b);
        }
        cluster.awaitRing(List.of("n1", "n2", "n3"));
        List<String> ids = ids(300);
        ids.forEach(id -> cluster.node("n1").startChild(ChildSpec.of(WitnessedCounter.class).withId(id)));

        cluster.start("n4", b -> b.monitorNodes(true).rebalance(Rebalance.ACTIVE), b -> b);
        cluster.awaitRing(List.of("n1", "n2", "n3", "n4"));

        HashRing four = HashRing.of(List.of("n1", "n2", "n3", "n4"));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Map<Object, Pid> running = CallLoad.runningOnce(cluster.live());
            assertThat(running).hasSize(300);
            running.forEach((id, pid) -> assertThat(pid.node()).as("%s", id).isEqualTo(four.nodeFor(ChildKey.encode(id))));
        });
        assertThat(cluster.node("n4").localChildren()).isNotEmpty();
        ids.forEach(id -> assertThat((Object) cluster.node("n2").call(id, "inc")).isEqualTo(1L));
        assertThat(SafetyWitness.violations()).isEmpty();
    }

    @Test
    void whenTheWholeClusterStopsAndStartsAgainEverySpecRunsAgain() {
        for (String n : List.of("n1", "n2", "n3")) {
            cluster.start(n);
        }
        cluster.awaitRing(List.of("n1", "n2", "n3"));
        List<String> ids = ids(200);
        ids.forEach(id -> cluster.node("n1").startChild(ChildSpec.of(WitnessedCounter.class).withId(id)));

        cluster.stop("n1");
        cluster.stop("n2");
        cluster.stop("n3");

        for (String n : List.of("n1", "n2", "n3")) {
            cluster.start(n);
        }
        cluster.awaitRing(List.of("n1", "n2", "n3"));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(CallLoad.runningOnce(cluster.live())).hasSize(200));
        ids.forEach(id -> assertThat((Object) cluster.node("n3").call(id, "inc")).isEqualTo(1L));
    }

    @Test
    void withAFailoverMarginSurvivorsWaitThatLongAfterTheClaimsVanish() {
        Duration margin = Duration.ofSeconds(2);
        for (String n : List.of("n1", "n2", "n3")) {
            cluster.start(n, b -> b, b -> b.failoverMargin(margin));
        }
        cluster.awaitRing(List.of("n1", "n2", "n3"));
        List<String> ids = ids(60);
        ids.forEach(id -> cluster.node("n1").startChild(ChildSpec.of(WitnessedCounter.class).withId(id)));
        await().untilAsserted(() -> assertThat(cluster.node("n1").children()).hasSize(60));
        long onN3 = cluster.node("n1").children().values().stream().filter(p -> p.node().equals("n3")).count();
        assertThat(onN3).isPositive();

        long crashedAt = System.nanoTime();
        cluster.crash("n3");

        // n3's claims vanish at once (its session closed), yet nothing of it starts elsewhere
        // within the margin; afterwards every child runs once again.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(CallLoad.runningOnce(cluster.live()))
                .hasSize(60));
        assertThat(Duration.ofNanos(System.nanoTime() - crashedAt)).isGreaterThanOrEqualTo(margin);
        assertThat(SafetyWitness.count(SafetyWitness.Kind.START)).isEqualTo(60 + (int) onN3);
    }
}
