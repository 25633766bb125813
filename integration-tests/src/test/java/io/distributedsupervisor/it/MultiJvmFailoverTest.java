package io.distributedsupervisor.it;

import io.distributedsupervisor.zookeeper.EmbeddedZooKeeper;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.curator.test.InstanceSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Node JVMs on a real 3-server ZooKeeper ensemble, killed, frozen and restarted for real. After
 * each scenario every child runs exactly once, on the node every ring names; calls through a
 * survivor succeed again within the session timeout plus 2 s of the failure; and the witness
 * outside the nodes shows that no older incarnation processed a message once a newer one had
 * started.
 */
class MultiJvmFailoverTest {
    private static final String P = "w";
    private static final int N = 300;
    private static final Duration SESSION = Duration.ofSeconds(4);
    private static final Duration CALLS_BACK_WITHIN = SESSION.plusSeconds(2);

    private ZooKeeperEnsemble ensemble;
    private ProcessCluster cluster;

    @BeforeEach
    void start(TestInfo test) throws Exception {
        ensemble = new ZooKeeperEnsemble();
        Path logs = Path.of("target", "it-logs", getClass().getSimpleName(), test.getTestMethod().orElseThrow().getName());
        EmbeddedZooKeeper.deleteTree(logs);
        cluster = new ProcessCluster(ensemble.connectString(), "it", SESSION, logs);
    }

    @AfterEach
    void stop() throws Exception {
        try {
            cluster.close();
        } finally {
            ensemble.close();
        }
    }

    private void startNodesAndChildren(List<String> nodes) {
        cluster.start(nodes);
        cluster.startChildren(P, N);
        awaitSettled(Duration.ofSeconds(60));
    }

    private ProcessCluster.Snapshot awaitSettled(Duration atMost) {
        return await().atMost(atMost).pollInterval(Duration.ofMillis(100)).until(() -> cluster.snapshot(P, N),
                s -> s.problems().isEmpty());
    }

    /** Every child answers a call through {@code node} within the session timeout plus 2 s of {@code since}. */
    private void awaitCallsSucceed(String node, long since) {
        Duration left = CALLS_BACK_WITHIN.minusNanos(System.nanoTime() - since);
        await().atMost(left.isNegative() ? Duration.ZERO : left).pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertThat(callAll(node, 1000)).containsEntry("failed", "0"));
    }

    private Map<String, String> callAll(String node, long timeoutMs) {
        return NodeProcess.keyValues(cluster.node(node).request("callall " + P + " 0 " + N + " " + timeoutMs,
                Duration.ofSeconds(60)));
    }

    private void load(String... nodes) {
        for (String n : nodes) {
            cluster.node(n).request("load " + P + " 0 " + N, Duration.ofSeconds(10));
        }
    }

    private long loadOk(String... nodes) {
        long ok = 0;
        for (String n : nodes) {
            ok += Long.parseLong(cluster.node(n).status().get("loadOk"));
        }
        return ok;
    }

    private void assertSafe() {
        assertThat(cluster.witness().violations()).as("older incarnations that processed a message").isEmpty();
        assertThat(cluster.witness().count(Witness.Kind.MESSAGE)).isPositive();
    }

    @Test
    void sigkillOneNode() {
        startNodesAndChildren(List.of("n1", "n2", "n3"));
        load("n1", "n2");
        long killed = System.nanoTime();
        cluster.kill("n3");

        awaitCallsSucceed("n1", killed);
        awaitSettled(Duration.ofSeconds(30));
        long ok = loadOk("n1", "n2");
        await().atMost(Duration.ofSeconds(30)).until(() -> loadOk("n1", "n2") > ok + N);
        assertSafe();
    }

    @Test
    void sigkillASecondNodeWhileTheFirstFailoverRuns() {
        startNodesAndChildren(List.of("n1", "n2", "n3", "n4"));
        load("n1", "n2");
        long firstKill = System.nanoTime();
        cluster.kill("n4");
        // The first failover has begun when a survivor starts one of n4's children: kill that survivor then.
        Witness.Event takeover = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5))
                .until(() -> cluster.witness().firstStartSince(firstKill, "n4"), e -> e != null);
        String second = takeover.node();
        long secondKill = System.nanoTime();
        cluster.kill(second);
        String survivor = cluster.names().get(0);

        awaitCallsSucceed(survivor, secondKill);
        ProcessCluster.Snapshot settled = awaitSettled(Duration.ofSeconds(30));
        assertThat(settled.locals().keySet()).doesNotContain("n4", second).hasSize(2);
        assertSafe();
    }

    @Test
    void sigstopPastTheSessionTimeoutThenSigcontProcessesNothingForTheMovedChildren() {
        startNodesAndChildren(List.of("n1", "n2", "n3"));
        Map<String, String> before = cluster.node("n3").locals();
        assertThat(before).isNotEmpty();
        load("n1");
        long paused = System.nanoTime();
        cluster.pause("n3");

        awaitCallsSucceed("n1", paused);
        awaitSettled(Duration.ofSeconds(30)); // n1 and n2 run everything; n3 is frozen and out of the ring
        // Queued while frozen: at once after waking, n3 calls every child, its stale ones among them.
        CompletableFuture<String> wokenCalls = cluster.node("n3").send("callall " + P + " 0 " + N + " 2000");
        long resumed = System.nanoTime();
        cluster.resume("n3");

        awaitSettled(Duration.ofSeconds(60)); // n3 rejoined with a new session, ACTIVE rebalance gave it children back
        await().atMost(Duration.ofSeconds(60)).until(wokenCalls::isDone);
        Map<String, String> after = cluster.node("n3").locals();
        after.forEach((id, incarnation) -> assertThat(incarnation).as("incarnation of %s on n3", id)
                .isNotEqualTo(before.get(id)));
        List<String> staleWork = new ArrayList<>();
        for (Witness.Event e : cluster.witness().events()) {
            if (e.kind() == Witness.Kind.MESSAGE && e.node().equals("n3") && e.nanos() > resumed
                    && (e.epoch() + "." + e.restarts()).equals(before.get(e.id()))) {
                staleWork.add(e.toString());
            }
        }
        assertThat(staleWork).as("messages processed by n3's old incarnations after it woke").isEmpty();
        assertThat(callAll("n3", 5000)).containsEntry("failed", "0");
        assertSafe();
    }

    @Test
    void oneZooKeeperServerDownChangesNothingAndQuorumLossDoublesNothing() throws Exception {
        List<String> nodes = List.of("n1", "n2", "n3");
        startNodesAndChildren(nodes);
        load(nodes.toArray(String[]::new));
        Map<String, Map<String, String>> before = cluster.snapshot(P, N).locals();
        List<InstanceSpec> servers = ensemble.servers();

        ensemble.stop(servers.get(0));
        long afterOne = loadOk("n1", "n2", "n3");
        await().atMost(Duration.ofSeconds(30)).until(() -> loadOk("n1", "n2", "n3") > afterOne + N);
        assertThat(cluster.snapshot(P, N).locals()).as("one server of three lost: nothing moved").isEqualTo(before);

        ensemble.stop(servers.get(1));
        // No quorum for longer than the session timeout: nodes pause; at no moment does a child run twice.
        await().during(CALLS_BACK_WITHIN).atMost(CALLS_BACK_WITHIN.plusSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> cluster.snapshot(P, N).doubled() == 0);

        ensemble.restart(servers.get(1));
        ensemble.restart(servers.get(0));
        // Every child exactly once, every ring the same, each child on the node its ring names:
        // ACTIVE rebalance also runs with every full reconciliation, since after every node lost its
        // session at once none of them sees the others join.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> cluster.snapshot(P, N), s -> s.problems().isEmpty());
        long back = System.nanoTime();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(callAll("n1", 1000))
                .containsEntry("failed", "0"));
        long resumed = loadOk("n1", "n2", "n3");
        await().atMost(Duration.ofSeconds(30)).until(() -> loadOk("n1", "n2", "n3") > resumed + N);
        assertThat(System.nanoTime() - back).isPositive();
        assertSafe();
    }

    @Test
    void rollingRestartOfEveryNode() {
        List<String> nodes = List.of("n1", "n2", "n3");
        startNodesAndChildren(nodes);
        load(nodes.toArray(String[]::new));
        Map<String, Long> failed = new HashMap<>();
        for (String node : nodes) {
            String other = nodes.stream().filter(n -> !n.equals(node)).findFirst().orElseThrow();
            failed.merge(node, Long.parseLong(cluster.node(node).status().get("loadFailed")), Long::sum);
            long quit = System.nanoTime();
            cluster.quit(node);
            awaitSettled(Duration.ofSeconds(30));
            awaitCallsSucceed(other, quit);

            long restarted = System.nanoTime();
            cluster.start(node);
            load(node);
            awaitSettled(Duration.ofSeconds(30));
            awaitCallsSucceed(node, restarted);
        }
        assertThat(callAll("n1", 5000)).containsEntry("failed", "0");
        assertSafe();
    }
}
