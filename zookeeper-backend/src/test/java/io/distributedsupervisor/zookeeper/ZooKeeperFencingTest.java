package io.distributedsupervisor.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.CallTimeoutException;
import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.Pid;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fencing on a real server, checked by the {@link SafetyWitness}: once a newer incarnation of an
 * id has started, no older one processes a message. Callers keep calling throughout.
 */
class ZooKeeperFencingTest {
    private EmbeddedZooKeeper server;
    private ZooKeeperHarness cluster;
    private CallLoad load;

    @BeforeEach
    void start() {
        SafetyWitness.clear();
        server = new EmbeddedZooKeeper();
        cluster = new ZooKeeperHarness(server);
        for (String n : List.of("n1", "n2", "n3")) {
            cluster.start(n);
        }
        cluster.awaitRing(List.of("n1", "n2", "n3"));
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (load != null) {
            load.close();
        }
        try {
            cluster.close();
        } finally {
            server.close();
        }
    }

    private List<String> startChildren(int n) {
        List<String> ids = IntStream.range(0, n).mapToObj(i -> "fenced-" + i).toList();
        ids.forEach(id -> cluster.node("n1").startChild(ChildSpec.of(WitnessedCounter.class).withId(id)));
        return ids;
    }

    @Test
    void afterASessionExpiryUnderLoadEveryChildRunsOnceAndAnswers() throws Exception {
        List<String> ids = startChildren(300);
        load = new CallLoad(cluster.live(), ids);
        await().until(() -> load.answered() > 1000);

        Map<Object, Pid> onN2 = new java.util.HashMap<>();
        cluster.node("n1").children().forEach((id, pid) -> {
            if (pid.node().equals("n2")) {
                onN2.put(id, pid);
            }
        });
        assertThat(onN2).isNotEmpty();

        cluster.expireSession("n2");

        // Every child of n2 runs again as a newer incarnation, every child once, and all answer;
        // n2 stops its old incarnations when it is told of the expiry, seconds before the server
        // ends the session and the survivors may claim (SessionExpiry keeps KillSession's race,
        // which ended the session on the server at once, out of this test).
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Map<Object, Pid> running = CallLoad.runningOnce(cluster.live());
            onN2.forEach((id, old) -> assertThat(running.get(id)).as("%s", id).isNotNull()
                    .satisfies(p -> assertThat(p.incarnation().isNewerThan(old.incarnation())).isTrue()));
            assertThat(running).hasSize(300);
            for (DistributedSupervisor ds : cluster.live()) {
                assertThat(ds.children()).hasSize(300);
            }
        });
        long before = load.answered();
        await().atMost(Duration.ofSeconds(30)).until(() -> load.answered() > before + 1000);
        load.close();
        for (String id : ids) {
            assertThat((Object) cluster.node("n3").call(id, "node")).isIn("n1", "n2", "n3");
        }
        assertThat(SafetyWitness.count(SafetyWitness.Kind.START)).isGreaterThan(300);
        assertThat(SafetyWitness.violations()).isEmpty();
    }

    @Test
    void aPartitionedNodeStopsProcessingBeforeItsChildrenStartElsewhere() throws Exception {
        // n4 reaches ZooKeeper only through a proxy that can cut it off without it noticing at once.
        try (PartitionProxy proxy = new PartitionProxy(server.connectString())) {
            DistributedSupervisor n4 = cluster.start("n4", b -> b,
                    b -> ZooKeeperBackend.builder(proxy.connectString()).secret(EmbeddedZooKeeper.TEST_SECRET)
                            .digestAcl(EmbeddedZooKeeper.TEST_USER, EmbeddedZooKeeper.TEST_PASSWORD)
                            .sessionTimeout(Duration.ofSeconds(4)).namespace(cluster.namespace()));
            cluster.awaitRing(List.of("n1", "n2", "n3", "n4"));
            List<String> ids = IntStream.range(0, 200).mapToObj(i -> "cut-" + i).toList();
            ids.forEach(id -> n4.startChild(ChildSpec.of(WitnessedCounter.class).withId(id), "n4"));
            load = new CallLoad(cluster.live(), ids);
            await().until(() -> load.answered() > 1000);

            proxy.partition();

            // The survivors start n4's children once its session expired; n4 keeps believing it owns
            // them (its view is frozen) and its own callers keep calling them locally: only the lease
            // keeps those old incarnations from processing anything.
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                for (String n : List.of("n1", "n2", "n3")) {
                    assertThat(cluster.node(n).children().values()).hasSize(200)
                            .noneMatch(p -> p.node().equals("n4"));
                }
            });
            long before = load.answered();
            await().atMost(Duration.ofSeconds(30)).until(() -> load.answered() > before + 500);
            load.close();
            assertThat(SafetyWitness.violations()).isEmpty();
        }
    }

    @Test
    void whileZooKeeperIsDownChildrenPauseAndAfterwardsResumeWithTheSameIncarnations() throws Exception {
        List<String> ids = startChildren(60);
        Map<Object, Pid> before = CallLoad.runningOnce(cluster.live());
        load = new CallLoad(cluster.live(), ids);
        await().until(() -> load.answered() > 500);

        server.server().stop();
        // Once the nodes noticed (SUSPENDED), their children process nothing: calls time out and
        // the witness records no message for a while.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThatThrownBy(
                () -> cluster.node("n1").call(ids.get(0), "inc", Duration.ofMillis(300)))
                .isInstanceOf(CallTimeoutException.class));
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            int messages = SafetyWitness.count(SafetyWitness.Kind.MESSAGE);
            return pausedFor(messages);
        });

        server.server().restart();

        long resumed = load.answered();
        await().atMost(Duration.ofSeconds(30)).until(() -> load.answered() > resumed + 500);
        load.close();
        assertThat(CallLoad.runningOnce(cluster.live())).as("the sessions survived: nothing moved or restarted").isEqualTo(before);
        assertThat(SafetyWitness.violations()).isEmpty();
    }

    /** True when no child processed a message for 1.5 s after {@code messages} were counted. */
    private static boolean pausedFor(int messages) {
        try {
            await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3))
                    .until(() -> SafetyWitness.count(SafetyWitness.Kind.MESSAGE) == messages);
            return true;
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            return false;
        }
    }
}
