package io.distributedsupervisor.demo;

import io.distributedsupervisor.Child;
import io.distributedsupervisor.ChildContext;
import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.SupervisorOptions;
import io.distributedsupervisor.inmemory.InMemoryCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The README's demo on the in-memory backend: a cluster of nodes in this JVM starts children
 * placed by the ring, one node crashes, and every child runs again on the survivors.
 * Arguments: {@code [nodes] [children]}, default 3 and 1000.
 */
public final class InMemoryDemo {

    /** A small counter: the state a user would lose if the child were not restarted. */
    public static final class Counter implements Child {
        private long count;

        @Override
        public Object handleCall(Object request, ChildContext ctx) {
            return switch (String.valueOf(request)) {
                case "next" -> ++count;
                case "where" -> ctx.pid().node();
                default -> throw new IllegalArgumentException("unknown request " + request);
            };
        }
    }

    private InMemoryDemo() {
    }

    public static void main(String[] args) {
        int nodeCount = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int childCount = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        if (nodeCount < 2 || childCount < 1) {
            System.err.println("usage: bin/demo [nodes >= 2] [children >= 1]");
            System.exit(2);
        }
        try (InMemoryCluster cluster = new InMemoryCluster()) {
            run(cluster, nodeCount, childCount);
        }
    }

    private static void run(InMemoryCluster cluster, int nodeCount, int childCount) {
        Map<String, DistributedSupervisor> nodes = new TreeMap<>();
        for (int i = 1; i <= nodeCount; i++) {
            String name = "n" + i;
            nodes.put(name, cluster.start(SupervisorOptions.builder("demo").nodeName(name)
                    .serviceLoaderListeners(false).allowList(java.util.List.of("io.distributedsupervisor.demo.*"))));
        }
        DistributedSupervisor first = nodes.get("n1");
        step("Started %d nodes: %s", nodeCount, first.nodes());

        long t0 = System.nanoTime();
        for (int i = 0; i < childCount; i++) {
            first.startChild(ChildSpec.of(Counter.class).withId("counter-" + i));
        }
        step("Started %d children through n1 in %d ms; the ring placed them:", childCount, millis(t0));
        printSpread(first.children());

        String victim = "n" + nodeCount;
        Set<Object> onVictim = new HashSet<>();
        first.children().forEach((id, pid) -> {
            if (pid.node().equals(victim)) {
                onVictim.add(id);
            }
        });
        for (Object id : onVictim) {
            first.call(id, "next");
        }
        step("Crashing %s, which runs %d children (no terminate callbacks, as a killed JVM)...", victim, onVictim.size());
        long crashAt = System.nanoTime();
        cluster.crash(victim);
        nodes.remove(victim);

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Map<Object, Pid> now;
        do {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            now = first.children();
        } while (!allRunElsewhere(now, childCount, victim) && System.nanoTime() < deadline);
        long failoverMs = millis(crashAt);

        int answered = 0;
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < childCount; i++) {
            try {
                first.call("counter-" + i, "where", Duration.ofSeconds(5));
                answered++;
            } catch (RuntimeException e) {
                failures.add("counter-" + i + ": " + e.getMessage());
            }
        }
        Map<Object, Integer> copies = new HashMap<>();
        nodes.values().forEach(ds -> ds.localChildren().forEach(pid -> copies.merge(pid.id(), 1, Integer::sum)));
        long duplicates = copies.values().stream().filter(n -> n > 1).count();
        long lost = childCount - copies.size();

        step("All %d children of %s run again after %d ms; now:", onVictim.size(), victim, failoverMs);
        printSpread(now);
        int moved = 0;
        for (Object id : onVictim) {
            Pid pid = now.get(id);
            if (pid != null && !pid.node().equals(victim)) {
                moved++;
            }
        }
        step("%d of %d moved children answered on their new node; %d/%d children answer a call.",
                moved, onVictim.size(), answered, childCount);
        failures.stream().limit(5).forEach(f -> System.out.println("  failed: " + f));
        System.out.printf("%nVerdict: children lost %d, duplicates %d, failover %d ms -> %s%n", lost, duplicates,
                failoverMs, lost == 0 && duplicates == 0 && answered == childCount ? "OK" : "FAILED");
        if (lost != 0 || duplicates != 0 || answered != childCount) {
            System.exit(1);
        }
    }

    private static boolean allRunElsewhere(Map<Object, Pid> children, int expected, String victim) {
        return children.size() == expected && children.values().stream().noneMatch(p -> p.node().equals(victim));
    }

    private static void printSpread(Map<Object, Pid> children) {
        Map<String, Integer> perNode = new TreeMap<>();
        children.values().forEach(p -> perNode.merge(p.node(), 1, Integer::sum));
        System.out.println("    node   children");
        perNode.forEach((node, n) -> System.out.printf("    %-6s %8d%n", node, n));
    }

    private static void step(String format, Object... args) {
        System.out.printf("%n==> " + format + "%n", args);
    }

    private static long millis(long since) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
    }
}
