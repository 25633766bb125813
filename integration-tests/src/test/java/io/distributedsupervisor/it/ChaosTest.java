package io.distributedsupervisor.it;

import io.distributedsupervisor.zookeeper.EmbeddedZooKeeper;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.curator.test.InstanceSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The long chaos run, not part of the default build: {@code mvn -B test -pl integration-tests -am -Pchaos}.
 * Node JVMs on a 3-server ensemble under a steady call load (every node calls every child in
 * turn) take random SIGKILLs (the node is started again), SIGSTOP/SIGCONT pauses of 1 to 8 s
 * (past the session timeout or not) and restarts of one ZooKeeper server, one at a time. After
 * each, every child must run exactly once, on the node every ring names, and answer calls again;
 * at the end the witness must show that no older incarnation processed a message after a newer
 * one started. Prints a summary table: operations, failures by kind, disruptions and their
 * recovery times, duplicates (must be 0), children lost (must be 0).
 *
 * <p>Run: {@code mvn -B test -pl integration-tests -am -Pchaos -Dtest=ChaosTest -Dsurefire.failIfNoSpecifiedTests=false}.
 * System properties: {@code chaos.duration} (ISO-8601, default {@code PT3M}), {@code chaos.seed}
 * (default: the current time, printed), {@code chaos.nodes} (default 4), {@code chaos.children}
 * (default 300).
 */
@Tag("chaos")
class ChaosTest {
    private static final String P = "c";
    private static final Duration SESSION = Duration.ofSeconds(4);

    private final Duration duration = Duration.parse(System.getProperty("chaos.duration", "PT3M"));
    private final long seed = Long.getLong("chaos.seed", System.currentTimeMillis());
    private final int nodeCount = Integer.getInteger("chaos.nodes", 4);
    private final int children = Integer.getInteger("chaos.children", 300);

    private ZooKeeperEnsemble ensemble;
    private ProcessCluster cluster;
    private final Map<String, Long> callsOk = new TreeMap<>();
    private final Map<String, Long> failures = new TreeMap<>();
    private final Map<String, List<Long>> recoveries = new TreeMap<>();
    private int duplicates;
    private final List<String> doubledSeen = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        ensemble = new ZooKeeperEnsemble();
        Path logs = Path.of("target", "it-logs", "ChaosTest");
        EmbeddedZooKeeper.deleteTree(logs);
        cluster = new ProcessCluster(ensemble.connectString(), "chaos", SESSION, logs);
    }

    @AfterEach
    void stop() throws Exception {
        try {
            cluster.close();
        } finally {
            ensemble.close();
        }
    }

    @Test
    void randomKillsPausesAndZooKeeperRestartsUnderLoad() throws Exception {
        System.out.printf("chaos run: %s, seed %d (-Dchaos.seed=%d repeats it), %d nodes, %d children%n",
                duration, seed, seed, nodeCount, children);
        Random random = new Random(seed);
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= nodeCount; i++) {
            names.add("n" + i);
        }
        cluster.start(names);
        cluster.startChildren(P, children);
        settle("start");
        names.forEach(this::load);

        long end = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < end) {
            steadyLoad(Duration.ofMillis(500 + random.nextInt(2500)));
            String victim = names.get(random.nextInt(names.size()));
            switch (random.nextInt(3)) {
                case 0 -> {
                    collect(victim);
                    long t = System.nanoTime();
                    cluster.kill(victim);
                    recovered("SIGKILL", t);
                    cluster.start(victim);
                    load(victim);
                    recovered("rejoin", System.nanoTime());
                }
                case 1 -> {
                    Duration pause = Duration.ofMillis(1000 + random.nextInt(7000));
                    cluster.pause(victim);
                    long t = System.nanoTime();
                    steadyLoad(pause);
                    cluster.resume(victim);
                    recovered(pause.compareTo(SESSION) > 0 ? "SIGSTOP past session" : "SIGSTOP within session", t);
                }
                default -> {
                    InstanceSpec server = ensemble.servers().get(random.nextInt(3));
                    long t = System.nanoTime();
                    ensemble.stop(server);
                    steadyLoad(Duration.ofMillis(1000 + random.nextInt(4000)));
                    ensemble.restart(server);
                    recovered("ZooKeeper server restart", t);
                }
            }
        }
        cluster.names().forEach(this::collect);
        ProcessCluster.Snapshot last = cluster.snapshot(P, children);
        List<String> violations = cluster.witness().violations();
        duplicates += violations.size();
        printSummary(last.missing(), violations);
        assertThat(violations).as("older incarnations that processed a message").isEmpty();
        assertThat(duplicates).as("duplicates").isZero();
        assertThat(last.missing()).as("children lost").isZero();
    }

    private void load(String node) {
        cluster.node(node).request("load " + P + " 0 " + children, Duration.ofSeconds(10));
    }

    /** Lets the load run for a while (the chaos run's pacing, not a wait for a condition). */
    private static void steadyLoad(Duration d) {
        await().pollDelay(d).atMost(d.plusSeconds(1)).until(() -> true);
    }

    /** Waits until every child runs exactly once where the rings say and answers, and records how long that took. */
    private void recovered(String kind, long since) {
        settle(kind);
        String caller = cluster.names().get(0);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(NodeProcess.keyValues(cluster.node(caller)
                .request("callall " + P + " 0 " + children + " 1000", Duration.ofSeconds(60)))).containsEntry("failed", "0"));
        recoveries.computeIfAbsent(kind, k -> new ArrayList<>()).add((System.nanoTime() - since) / 1_000_000);
    }

    private void settle(String after) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).until(() -> {
            ProcessCluster.Snapshot s = cluster.snapshot(P, children);
            duplicates = Math.max(duplicates, s.doubled());
            if (s.doubled() > 0 && doubledSeen.size() < 10) {
                doubledSeen.add("after " + after + ": " + s.problems().get(0));
            }
            return s;
        }, s -> s.problems().isEmpty());
    }

    /** Adds a node's call counters to the totals (before it is killed, and at the end). */
    private void collect(String node) {
        Map<String, String> s = cluster.node(node).status();
        callsOk.merge("ok", Long.parseLong(s.get("loadOk")), Long::sum);
        String f = s.get("failures");
        if (!"-".equals(f)) {
            for (String kv : f.split(",")) {
                int colon = kv.lastIndexOf(':');
                failures.merge(kv.substring(0, colon), Long.parseLong(kv.substring(colon + 1)), Long::sum);
            }
        }
    }

    private void printSummary(int lost, List<String> violations) {
        StringBuilder b = new StringBuilder("\n=== chaos summary (seed " + seed + ", " + duration + ") ===\n");
        b.append(String.format("%-28s %10d%n", "calls answered", callsOk.getOrDefault("ok", 0L)));
        failures.forEach((kind, n) -> b.append(String.format("%-28s %10d%n", "calls failed: " + kind, n)));
        b.append(String.format("%-28s %6s %8s %8s %8s%n", "disruption", "count", "min ms", "avg ms", "max ms"));
        recoveries.forEach((kind, times) -> b.append(String.format("%-28s %6d %8d %8d %8d%n", kind, times.size(),
                times.stream().mapToLong(Long::longValue).min().orElse(0),
                (long) times.stream().mapToLong(Long::longValue).average().orElse(0),
                times.stream().mapToLong(Long::longValue).max().orElse(0))));
        b.append(String.format("%-28s %10d%n", "witness: starts", cluster.witness().count(Witness.Kind.START)));
        b.append(String.format("%-28s %10d%n", "witness: messages", cluster.witness().count(Witness.Kind.MESSAGE)));
        b.append(String.format("%-28s %10d   (must be 0)%n", "duplicates", duplicates));
        b.append(String.format("%-28s %10d   (must be 0)%n", "children lost", lost));
        violations.stream().limit(5).forEach(v -> b.append("  ").append(v).append('\n'));
        doubledSeen.forEach(d -> b.append("  doubled ").append(d).append('\n'));
        System.out.println(b);
    }
}
