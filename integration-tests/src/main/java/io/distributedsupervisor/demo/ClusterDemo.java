package io.distributedsupervisor.demo;

import io.distributedsupervisor.zookeeper.EmbeddedZooKeeper;
import io.distributedsupervisor.it.NodeProcess;
import io.distributedsupervisor.it.ProcessCluster;
import io.distributedsupervisor.it.Witness;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The README's first command ({@code bin/demo}): the cluster in a box. It starts a ZooKeeper
 * server in this JVM (or uses {@code --zookeeper host:port}), launches node JVMs
 * ({@link io.distributedsupervisor.it.NodeMain}), starts children placed by the ring, kills one
 * node with SIGKILL and measures how long until every child runs again, starts that node again
 * (the nodes rebalance ACTIVE-ly, so the spread is restored) and ends with a verdict line.
 *
 * <p>Options: {@code --nodes N} (default 3), {@code --children N} (default 1000),
 * {@code --zookeeper host:port} (an existing ensemble instead of the embedded server),
 * {@code --session-timeout-ms N} (default 4000; an existing ensemble must allow it).
 * Exit code 0 when the verdict is OK, 1 when not, 2 on bad options.
 */
public final class ClusterDemo {
    private static final String PREFIX = "worker";

    private final PrintStream out;
    private final long t0 = System.nanoTime();

    private ClusterDemo(PrintStream out) {
        this.out = out;
    }

    /** Runs the demo and exits with its code. */
    public static void main(String[] args) {
        System.exit(run(args, System.out));
    }

    /**
     * Runs the demo, printing to {@code out}.
     *
     * @return 0 when every child ran again exactly once and answered, 1 when not, 2 on bad options
     */
    public static int run(String[] args, PrintStream out) {
        int nodes = 3;
        int children = 1000;
        String zookeeper = null;
        long sessionMs = 4000;
        try {
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                if (value == null) {
                    throw new IllegalArgumentException(args[i] + " needs a value");
                }
                switch (args[i]) {
                    case "--nodes" -> nodes = Integer.parseInt(value);
                    case "--children" -> children = Integer.parseInt(value);
                    case "--zookeeper" -> zookeeper = value;
                    case "--session-timeout-ms" -> sessionMs = Long.parseLong(value);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
                i++;
            }
            if (nodes < 2 || children < 1 || sessionMs < 400) {
                throw new IllegalArgumentException("need --nodes >= 2, --children >= 1, --session-timeout-ms >= 400");
            }
        } catch (IllegalArgumentException e) {
            out.println(e.getMessage());
            out.println("usage: bin/demo [--nodes 3] [--children 1000] [--zookeeper host:port] [--session-timeout-ms 4000]");
            return 2;
        }
        Path logs;
        try {
            logs = Files.createTempDirectory("ds-demo-logs-");
        } catch (IOException e) {
            out.println("could not create a folder for the nodes' logs: " + e);
            return 1;
        }
        ClusterDemo demo = new ClusterDemo(out);
        boolean ok = false;
        EmbeddedZooKeeper embedded = null;
        // Ctrl-C: ProcessCluster's own hook kills the node JVMs; this one stops the embedded server.
        AtomicReference<EmbeddedZooKeeper> toStop = new AtomicReference<>();
        Thread hook = new Thread(() -> {
            EmbeddedZooKeeper zk = toStop.getAndSet(null);
            if (zk != null) {
                zk.close();
            }
            out.println("\nInterrupted; the node JVMs were killed. Node logs are kept in " + logs);
        }, "demo-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            if (zookeeper == null) {
                embedded = new EmbeddedZooKeeper();
                toStop.set(embedded);
                zookeeper = embedded.connectString();
                demo.step("ZooKeeper server started in this JVM at %s (tick %d ms)", zookeeper, EmbeddedZooKeeper.TICK_MS);
            } else {
                demo.step("Using the ZooKeeper ensemble at %s", zookeeper);
            }
            try (ProcessCluster cluster = new ProcessCluster(zookeeper, "demo-" + ProcessHandle.current().pid(),
                    Duration.ofMillis(sessionMs), logs)) {
                ok = demo.play(cluster, nodes, children);
            }
        } catch (RuntimeException e) {
            out.println("\nThe demo failed: " + e.getMessage());
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // shutting down: the hook does the rest
            }
            if (embedded != null && toStop.getAndSet(null) != null) {
                embedded.close();
            }
            if (ok) {
                EmbeddedZooKeeper.deleteTree(logs);
            } else {
                out.println("Node logs are kept in " + logs);
            }
        }
        return ok ? 0 : 1;
    }

    private boolean play(ProcessCluster cluster, int nodeCount, int childCount) {
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= nodeCount; i++) {
            names.add("n" + i);
        }
        long t = System.nanoTime();
        cluster.start(names);
        step("Launched %d node JVMs in %d ms:", nodeCount, millis(t));
        for (String n : names) {
            out.printf("    %-4s pid %d%n", n, cluster.node(n).pid());
        }

        t = System.nanoTime();
        cluster.startChildren(PREFIX, childCount);
        ProcessCluster.Snapshot placed = cluster.awaitSettled(PREFIX, childCount, Duration.ofSeconds(60));
        step("Started %d children through n1 in %d ms; the ring placed them:", childCount, millis(t));
        table(placed);
        String calls = cluster.node("n1").request("callall " + PREFIX + " 0 " + childCount, Duration.ofSeconds(60));
        step("Called every child once through n1: %s", words(calls));

        String victim = names.get(names.size() - 1);
        int onVictim = placed.locals().get(victim).size();
        step("kill -9 %s (pid %d), which runs %d children...", victim, cluster.node(victim).pid(), onVictim);
        long killedAt = System.nanoTime();
        cluster.kill(victim);
        int duplicates = 0;
        ProcessCluster.Snapshot after;
        long deadline = killedAt + TimeUnit.SECONDS.toNanos(60) + cluster.sessionTimeout().toNanos();
        int lastShown = -1;
        while (true) {
            after = cluster.snapshot(PREFIX, childCount);
            duplicates = Math.max(duplicates, after.doubled());
            if (after.problems().isEmpty() || System.nanoTime() > deadline) {
                break;
            }
            int secs = (int) TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - killedAt);
            if (secs != lastShown) {
                lastShown = secs;
                out.printf("    %2d s: %d children run nowhere yet (the survivors wait for %s's ZooKeeper session"
                        + " to expire, timeout %d ms)%n", secs, after.missing(), victim,
                        cluster.sessionTimeout().toMillis());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        long failoverMs = millis(killedAt);
        if (!after.problems().isEmpty()) {
            step("After %d ms the survivors still disagree: %s", failoverMs, after.problems());
        } else {
            step("Every child of %s runs again after %d ms, exactly once, where the ring says:", victim, failoverMs);
            table(after);
        }
        calls = cluster.node("n1").request("callall " + PREFIX + " 0 " + childCount, Duration.ofSeconds(60));
        step("Called every child again through n1: %s", words(calls));

        t = System.nanoTime();
        cluster.start(victim);
        ProcessCluster.Snapshot rebalanced;
        try {
            rebalanced = cluster.awaitSettled(PREFIX, childCount, Duration.ofSeconds(60));
        } catch (IllegalStateException e) {
            rebalanced = cluster.snapshot(PREFIX, childCount);
        }
        duplicates = Math.max(duplicates, rebalanced.doubled());
        step("Started %s again; ACTIVE rebalance moved children back to it in %d ms:", victim, millis(t));
        table(rebalanced);
        calls = cluster.node("n1").request("callall " + PREFIX + " 0 " + childCount, Duration.ofSeconds(60));
        Map<String, String> answered = NodeProcess.keyValues(calls);
        step("Called every child through n1: %s", words(calls));

        Witness w = cluster.witness();
        List<String> violations = w.violations();
        step("Witness: %d starts, %d messages, %d stops; older incarnations that processed a message after a newer"
                + " one started: %d", w.count(Witness.Kind.START), w.count(Witness.Kind.MESSAGE),
                w.count(Witness.Kind.STOP), violations.size());
        violations.stream().limit(5).forEach(v -> out.println("    " + v));
        int lost = rebalanced.missing();
        int dup = duplicates + violations.size();
        boolean ok = lost == 0 && dup == 0 && after.problems().isEmpty() && rebalanced.problems().isEmpty()
                && String.valueOf(childCount).equals(answered.get("answered"));
        out.printf("%nVerdict: children lost %d, duplicates %d, failover %d ms, %s/%d answered -> %s (%.1f s)%n",
                lost, dup, failoverMs, answered.get("answered"), childCount, ok ? "OK" : "FAILED",
                (System.nanoTime() - t0) / 1e9);
        return ok;
    }

    private void table(ProcessCluster.Snapshot s) {
        out.println("    node   children");
        s.spread().forEach((node, n) -> out.printf("    %-6s %8d%n", node, n));
    }

    private static String words(String payload) {
        Map<String, String> kv = NodeProcess.keyValues(payload);
        String text = kv.get("answered") + " answered, " + kv.get("failed") + " failed";
        return "0".equals(kv.get("failed")) ? text : text + " (last: " + kv.get("error") + ")";
    }

    private void step(String format, Object... args) {
        out.printf("%n[%5.1f s] ==> " + format + "%n", prepend((System.nanoTime() - t0) / 1e9, args));
        out.flush();
    }

    private static Object[] prepend(Object first, Object[] rest) {
        Object[] all = new Object[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    private static long millis(long since) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
    }
}
