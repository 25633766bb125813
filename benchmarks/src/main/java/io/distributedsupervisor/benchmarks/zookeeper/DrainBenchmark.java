package io.distributedsupervisor.benchmarks.zookeeper;

import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.DrainReport;
import io.distributedsupervisor.zookeeper.EmbeddedZooKeeper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Planned moves under a call load: {@code drain()} of one node of three, on one embedded
 * ZooKeeper server, in this JVM (the nodes of {@link ClusterBenchmarks#cluster}: cluster secret,
 * digest ACL, 4 s sessions, 30 s call timeout). For each size N:
 * <ol>
 *   <li>N ring-placed {@link DrainCounter} children whose ids the ring gives to n3 are started (256
 *       starters on n1 and n2; timed, reported as a second reference, no goal).</li>
 *   <li>8 virtual-thread callers, 4 through n1 and 4 through n2, call random children of the N
 *       ({@code "inc"}, with the library's default timeout of 5 s) in a loop; every answered call's
 *       latency is recorded with its start time, every failure by class.
 *       After a warm-up and a lead-in, n3 drains: the drain window runs from just before
 *       {@code drain()} until it returned plus a tail; the steady window is the stretch of the
 *       same length right before it (same load, all children on n3).</li>
 *   <li>Under the same load, N new children are started afresh on the two nodes that stay, by
 *       256 concurrent starters (as many as the drain's hand-overs at once), half through n1 and
 *       half through n2: the reference for the drain's time.</li>
 *   <li>The load stops; every drained child must run exactly once on the node the ring names,
 *       and the counts it handed over plus what it counted since must sum to the calls answered.</li>
 * </ol>
 * To see where the time goes it also prints when the children were handed over and started
 * again (from the child's {@code handoff} and {@code init}), how long calls that began during the
 * drain waited for their child's hand-over to begin, the CPU this process used, the machine's
 * load average, and the wall-clock span of each {@code drain()} (to cut a JFR recording to it).
 * Goals, as ratios of the same run: the drain of 10,000 takes at most 1.0x the fresh start of
 * 10,000; p99 call latency during the drain at most 10x the steady p99; no call fails.
 *
 * <p>The parts: the child is {@link DrainCounter}, the callers {@link DrainCallLoad}, the check
 * {@link DrainCheck}, the hand-over times {@link DrainMoves}; {@link DrainRound} holds a round's
 * figures and prints them. This class runs the rounds.
 *
 * <p>Arguments: {@code [--quick] [children ...]}, default 1,000 and 10,000 (quick: 200 and 1,000,
 * shorter windows). Run with {@code -Xmx4g}.
 */
public final class DrainBenchmark {
    /** Starters for the references: the drain hands over at most 256 children at once. */
    static final int STARTERS = 256;

    private record Settings(long warmupMs, long minSteadyMs, long preMs, long tailMs) {
    }

    private DrainBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        boolean quick = Arrays.asList(args).contains("--quick");
        List<Integer> sizes = Arrays.stream(args).filter(a -> !a.startsWith("--")).map(Integer::parseInt).toList();
        if (sizes.isEmpty()) {
            sizes = quick ? List.of(200, 1_000) : List.of(1_000, 10_000);
        }
        Settings settings = quick ? new Settings(1_000, 2_000, 300, 500) : new Settings(3_000, 5_000, 500, 1_000);
        List<DrainRound> rounds = new ArrayList<>();
        try (EmbeddedZooKeeper zk = new EmbeddedZooKeeper()) {
            System.out.printf("warm-up round (not reported): %s%n",
                    round(zk, "drain-warm", Math.min(500, sizes.get(0)), settings).oneLine());
            for (int n : sizes) {
                DrainRound r = round(zk, "drain-" + n, n, settings);
                r.print();
                rounds.add(r);
            }
        }
        DrainRound.printSummary(rounds);
    }

    /** CPU time of this process (every thread: the nodes, the ZooKeeper server, the callers). */
    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** The machine's load average (1, 5, 15 min), to show whether other work shared the cores. */
    private static String loadAverage() {
        try {
            String[] f = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (java.io.IOException | RuntimeException e) {
            return "?";
        }
    }

    static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    private static DrainRound round(EmbeddedZooKeeper zk, String supervisor, int n, Settings s) throws Exception {
        List<DistributedSupervisor> nodes =
                ClusterBenchmarks.cluster(zk, supervisor, 3, List.of(DrainCounter.class.getName()));
        try {
            DistributedSupervisor n1 = nodes.get(0);
            DistributedSupervisor n2 = nodes.get(1);
            DistributedSupervisor n3 = nodes.get(2);
            List<DistributedSupervisor> staying = List.of(n1, n2);

            // Ring-placed children that the ring of three gives to n3.
            List<String> ids = new ArrayList<>(n);
            for (int i = 0; ids.size() < n; i++) {
                String id = supervisor + "-c" + i;
                if (n1.nodeFor(id).equals(n3.node())) {
                    ids.add(id);
                }
            }
            long setup = startAll(staying, ids);
            if (n3.localChildren().size() != n) {
                throw new IllegalStateException("expected " + n + " children on n3, found " + n3.localChildren().size());
            }

            DrainCallLoad load = new DrainCallLoad(staying, ids.toArray(String[]::new));
            load.start();
            // Long enough that the steady window before the drain can be as long as the drain window.
            long leadMs = Math.max(s.minSteadyMs, 4 * ms(setup) + s.preMs + s.tailMs);
            Thread.sleep(s.warmupMs + leadMs);

            long drainFrom = load.now();
            Thread.sleep(s.preMs);
            long handedInBefore = DrainCounter.HANDED_IN.get();
            long t0 = System.nanoTime();
            long callFrom = load.now();
            java.time.Instant wallFrom = java.time.Instant.now();
            long cpu0 = cpuNanos();
            DrainReport report = n3.drain();
            long drainWall = System.nanoTime() - t0;
            double drainCores = (cpuNanos() - cpu0) / (double) drainWall;
            long callTo = load.now();
            System.out.printf("  (drain() of %,d ran from %s to %s)%n", n, wallFrom, java.time.Instant.now());
            Thread.sleep(s.tailMs);
            long drainTo = load.now();
            long length = drainTo - drainFrom;
            long steadyFrom = Math.max(TimeUnit.MILLISECONDS.toNanos(s.warmupMs), drainFrom - length);

            // The reference, under the same load: as many children started afresh on the two nodes that stay.
            List<String> fresh = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                fresh.add(supervisor + "-fresh" + i);
            }
            long freshFrom = load.now();
            long cpu1 = cpuNanos();
            long freshStart = startAll(staying, fresh);
            double freshCores = (cpuNanos() - cpu1) / (double) freshStart;
            long freshTo = load.now();
            load.stop();

            DrainCallWindow steady = load.window(steadyFrom, drainFrom, 0);
            long expected = steady.mean();
            DrainCallWindow drain = load.window(drainFrom, drainTo, expected);
            DrainCallWindow inCall = load.window(callFrom, callTo, expected);
            DrainCallWindow during = load.window(freshFrom, freshTo, expected);
            steady = load.window(steadyFrom, drainFrom, expected);
            DrainMoves moves = DrainMoves.of(ids, t0);
            long[] waits = load.waitsForHandover(callFrom, callTo);
            DrainCheck check = DrainCheck.of(staying, ids, fresh, load.answered(), DrainCounter.HANDED_IN.get() - handedInBefore);
            return new DrainRound(n, setup, report, drainWall, freshStart, steady, drain, inCall, during, load.failures(), check,
                    moves, drainCores, freshCores, loadAverage(), waits);
        } finally {
            ClusterBenchmarks.close(supervisor, nodes);
        }
    }

    /** Starts the children from {@link #STARTERS} virtual threads, alternately through each node; nanoseconds. */
    private static long startAll(List<DistributedSupervisor> via, List<String> ids) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(STARTERS);
        ChildSpec spec = ChildSpec.of(DrainCounter.class);
        long t0 = System.nanoTime();
        for (int t = 0; t < STARTERS; t++) {
            DistributedSupervisor node = via.get(t % via.size());
            Thread.startVirtualThread(() -> {
                try {
                    for (int i; (i = next.getAndIncrement()) < ids.size(); ) {
                        node.startChild(spec.withId(ids.get(i)));
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    done.countDown();
                }
            });
        }
        done.await();
        long took = System.nanoTime() - t0;
        if (failure.get() != null) {
            throw new IllegalStateException("a start failed", failure.get());
        }
        return took;
    }
}
