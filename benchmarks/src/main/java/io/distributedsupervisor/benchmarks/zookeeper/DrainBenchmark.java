package io.distributedsupervisor.benchmarks.zookeeper;

import io.distributedsupervisor.Child;
import io.distributedsupervisor.ChildContext;
import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.ChildStatus;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.DrainReport;
import io.distributedsupervisor.ExitReason;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.zookeeper.EmbeddedZooKeeper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Planned moves under a call load: {@code drain()} of one node of three, on one embedded
 * ZooKeeper server, in this JVM (the nodes of {@link ClusterBenchmarks#cluster}: cluster secret,
 * digest ACL, 4 s sessions, 30 s call timeout). For each size N:
 * <ol>
 *   <li>N ring-placed {@link Counter} children whose ids the ring gives to n3 are started (256
 *       starters on n1 and n2; timed, reported as a second reference, no goal).</li>
 *   <li>8 virtual-thread callers, 4 through n1 and 4 through n2, call random children of the N
 *       ({@code "inc"}) in a loop; every answered call's latency is recorded with its start time.
 *       After a warm-up and a lead-in, n3 drains: the drain window runs from just before
 *       {@code drain()} until it returned plus a tail; the steady window is the stretch of the
 *       same length right before it (same load, all children on n3).</li>
 *   <li>Under the same load, N new children are started afresh on the two nodes that stay, by
 *       256 concurrent starters (as many as the drain's hand-overs at once), half through n1 and
 *       half through n2: the reference for the drain's time.</li>
 *   <li>The load stops; every drained child must run exactly once on the node the ring names,
 *       and the counts it handed over plus what it counted since must sum to the calls answered.</li>
 * </ol>
 * Goals, as ratios of the same run: the drain of 10,000 takes at most 1.0x the fresh start of
 * 10,000; p99 call latency during the drain at most 10x the steady p99; no call fails.
 *
 * <p>Arguments: {@code [--quick] [children ...]}, default 1,000 and 10,000 (quick: 200 and 1,000,
 * shorter windows). Run with {@code -Xmx4g}.
 */
public final class DrainBenchmark {
    /** Starters for the references: the drain hands over at most 256 children at once. */
    static final int STARTERS = 256;
    static final int CALLERS_PER_NODE = 4;
    /** The default call timeout; the nodes use 30 s, so a slower call shows as latency, and is counted. */
    static final long DEFAULT_CALL_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);

    /** A counter that hands its count over: "inc" adds one and answers it, "get" answers it. */
    public static final class Counter implements Child {
        /** Incarnations alive in this JVM, by id: init adds one, terminate takes it away. */
        static final Map<Object, AtomicInteger> LIVE = new ConcurrentHashMap<>();
        /** Incarnations whose init got a handed-over state. */
        static final AtomicLong HANDED_IN = new AtomicLong();

        private long count;

        @Override
        public void init(ChildContext ctx) {
            Optional<Object> state = ctx.handoffState();
            count = state.map(s -> ((Number) s).longValue()).orElse(0L);
            if (state.isPresent()) {
                HANDED_IN.incrementAndGet();
            }
            LIVE.computeIfAbsent(ctx.id(), k -> new AtomicInteger()).incrementAndGet();
        }

        @Override
        public Object handleCall(Object request, ChildContext ctx) {
            return switch (String.valueOf(request)) {
                case "inc" -> ++count;
                case "get" -> count;
                default -> throw new IllegalArgumentException(String.valueOf(request));
            };
        }

        @Override
        public Object handoff(ChildContext ctx) {
            return count;
        }

        @Override
        public void terminate(ExitReason reason, ChildContext ctx) {
            LIVE.get(ctx.id()).decrementAndGet();
        }
    }

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
        List<Round> rounds = new ArrayList<>();
        try (EmbeddedZooKeeper zk = new EmbeddedZooKeeper()) {
            System.out.printf("warm-up round (not reported): %s%n",
                    round(zk, "drain-warm", Math.min(500, sizes.get(0)), settings).oneLine());
            for (int n : sizes) {
                Round r = round(zk, "drain-" + n, n, settings);
                r.print();
                rounds.add(r);
            }
        }
        System.out.printf("%nSummary (%d callers, %d concurrent starters for the references; JDK %s, %d cores)%n",
                2 * CALLERS_PER_NODE, STARTERS, Runtime.version(), Runtime.getRuntime().availableProcessors());
        System.out.println("| children | drain took (wall) | fresh start | drain / fresh | p50 drain / steady"
                + " | p99 drain / steady | max drain / steady | failed calls | every child once, counts kept |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        for (Round r : rounds) {
            System.out.printf("| %,d | %,d ms (%,d ms) | %,d ms | **%.2fx** | %.2fx | **%.2fx** | %.2fx | **%d** | %s |%n",
                    r.n, r.report.took().toMillis(), ms(r.drainWall), ms(r.freshStart), r.drainRatio(),
                    r.drain.p50 / (double) r.steady.p50, r.p99Ratio(), r.drain.max / (double) r.steady.max,
                    r.failedTotal(), r.check.ok() ? "yes" : "**NO**");
        }
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    private static Round round(EmbeddedZooKeeper zk, String supervisor, int n, Settings s) throws Exception {
        List<DistributedSupervisor> nodes = ClusterBenchmarks.cluster(zk, supervisor, 3, List.of(Counter.class.getName()));
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

            Load load = new Load(staying, ids.toArray(String[]::new));
            load.start();
            // Long enough that the steady window before the drain can be as long as the drain window.
            long leadMs = Math.max(s.minSteadyMs, 4 * ms(setup) + s.preMs + s.tailMs);
            Thread.sleep(s.warmupMs + leadMs);

            long drainFrom = load.now();
            Thread.sleep(s.preMs);
            long handedInBefore = Counter.HANDED_IN.get();
            long t0 = System.nanoTime();
            long callFrom = load.now();
            DrainReport report = n3.drain();
            long drainWall = System.nanoTime() - t0;
            long callTo = load.now();
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
            long freshStart = startAll(staying, fresh);
            long freshTo = load.now();
            load.stop();

            Window steady = load.window(steadyFrom, drainFrom);
            Window drain = load.window(drainFrom, drainTo);
            Window inCall = load.window(callFrom, callTo);
            Window during = load.window(freshFrom, freshTo);
            Check check = check(staying, ids, fresh, load.answered.get(), Counter.HANDED_IN.get() - handedInBefore);
            return new Round(n, setup, report, drainWall, freshStart, steady, drain, inCall, during, load.failures, check);
        } finally {
            ClusterBenchmarks.close(supervisor, nodes);
        }
    }

    /** Starts the children from {@link #STARTERS} virtual threads, alternately through each node; nanoseconds. */
    private static long startAll(List<DistributedSupervisor> via, List<String> ids) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(STARTERS);
        ChildSpec spec = ChildSpec.of(Counter.class);
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

    /**
     * After the load: each drained child runs exactly once in this JVM, on the node the ring of
     * the two names, and both nodes see it there; its count (handed over, then counted on) summed
     * over all children equals the calls answered. The fresh children are checked for placement.
     */
    private static Check check(List<DistributedSupervisor> staying, List<String> ids, List<String> fresh, long answered,
                               long handedIn) throws Exception {
        Map<Object, String> local = new HashMap<>();
        int duplicates = 0;
        for (DistributedSupervisor d : staying) {
            for (ChildStatus st : d.localChildStatuses()) {
                if (local.put(st.id(), d.node()) != null) {
                    duplicates++;
                }
            }
        }
        int placed = 0;
        int onceInJvm = 0;
        for (String id : ids) {
            String ring = staying.get(0).nodeFor(id);
            Optional<Pid> a = staying.get(0).whereis(id);
            Optional<Pid> b = staying.get(1).whereis(id);
            if (ring.equals(local.get(id)) && a.isPresent() && a.equals(b) && a.get().node().equals(ring)) {
                placed++;
            }
            AtomicInteger live = Counter.LIVE.get(id);
            if (live != null && live.get() == 1) {
                onceInJvm++;
            }
        }
        int freshPlaced = 0;
        for (String id : fresh) {
            AtomicInteger live = Counter.LIVE.get(id);
            if (staying.get(0).nodeFor(id).equals(local.get(id)) && live != null && live.get() == 1) {
                freshPlaced++;
            }
        }
        // Each child's count, read through n1 (from 256 at a time).
        Semaphore window = new Semaphore(STARTERS);
        List<CompletableFuture<Object>> counts = new ArrayList<>(ids.size());
        for (String id : ids) {
            window.acquire();
            CompletableFuture<Object> f = staying.get(0).callAsync(id, "get", Duration.ofSeconds(30));
            f.whenComplete((v, e) -> window.release());
            counts.add(f);
        }
        long sum = 0;
        for (CompletableFuture<Object> f : counts) {
            sum += ((Number) f.get()).longValue();
        }
        return new Check(ids.size(), placed, onceInJvm, duplicates, fresh.size(), freshPlaced, sum, answered, handedIn);
    }

    private record Check(int children, int placed, int onceInJvm, int duplicates, int fresh, int freshPlaced,
                         long countSum, long answered, long handedIn) {
        boolean ok() {
            return placed == children && onceInJvm == children && duplicates == 0 && freshPlaced == fresh
                    && countSum == answered;
        }
    }

    /** Latencies of one window, in nanoseconds. */
    private record Window(long lengthNanos, int calls, long p50, long p99, long max, long overDefaultTimeout,
                          Map<String, Integer> failures) {
        int failed() {
            return failures.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    private record Failure(long at, String kind, String message) {
    }

    /** The callers: {@link #CALLERS_PER_NODE} virtual threads through each node, random children, "inc". */
    private static final class Load {
        private final List<DistributedSupervisor> via;
        private final String[] ids;
        private final long origin = System.nanoTime();
        private final AtomicLong answered = new AtomicLong();
        private final List<Failure> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        private final List<Caller> callers = new ArrayList<>();
        private volatile boolean running = true;

        Load(List<DistributedSupervisor> via, String[] ids) {
            this.via = via;
            this.ids = ids;
        }

        long now() {
            return System.nanoTime() - origin;
        }

        void start() {
            for (DistributedSupervisor d : via) {
                for (int t = 0; t < CALLERS_PER_NODE; t++) {
                    Caller c = new Caller(d);
                    callers.add(c);
                    c.thread = Thread.startVirtualThread(c);
                }
            }
        }

        /** Stops after each caller's call under way. */
        void stop() throws InterruptedException {
            running = false;
            for (Caller c : callers) {
                c.thread.join();
            }
        }

        /** The calls that started in [from, to) and were answered, and the failures of that span. */
        Window window(long from, long to) {
            long[] all = new long[callers.stream().mapToInt(c -> c.n).sum()];
            int k = 0;
            for (Caller c : callers) {
                for (int i = 0; i < c.n; i++) {
                    if (c.at[i] >= from && c.at[i] < to) {
                        all[k++] = c.latency[i];
                    }
                }
            }
            long[] lat = Arrays.copyOf(all, k);
            Arrays.sort(lat);
            long slow = Arrays.stream(lat).filter(l -> l > DEFAULT_CALL_TIMEOUT_NANOS).count();
            Map<String, Integer> failed = new TreeMap<>();
            synchronized (failures) {
                for (Failure f : failures) {
                    if (f.at >= from && f.at < to) {
                        failed.merge(f.kind, 1, Integer::sum);
                    }
                }
            }
            return new Window(to - from, k, percentile(lat, 0.50), percentile(lat, 0.99), k == 0 ? 0 : lat[k - 1], slow, failed);
        }

        /** Nearest rank. */
        private static long percentile(long[] sorted, double p) {
            if (sorted.length == 0) {
                return 0;
            }
            int rank = (int) Math.ceil(p * sorted.length);
            return sorted[Math.max(0, rank - 1)];
        }

        private final class Caller implements Runnable {
            private final DistributedSupervisor node;
            private long[] at = new long[1 << 16];
            private long[] latency = new long[1 << 16];
            private int n;
            private Thread thread;

            Caller(DistributedSupervisor node) {
                this.node = node;
            }

            @Override
            public void run() {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (running) {
                    String id = ids[random.nextInt(ids.length)];
                    long t0 = System.nanoTime();
                    try {
                        node.call(id, "inc");
                        long t1 = System.nanoTime();
                        answered.incrementAndGet();
                        if (n == at.length) {
                            at = Arrays.copyOf(at, 2 * n);
                            latency = Arrays.copyOf(latency, 2 * n);
                        }
                        at[n] = t0 - origin;
                        latency[n] = t1 - t0;
                        n++;
                    } catch (RuntimeException e) {
                        failures.add(new Failure(t0 - origin, e.getClass().getSimpleName(), e.getMessage()));
                    }
                }
            }
        }
    }

    private record Round(int n, long setup, DrainReport report, long drainWall, long freshStart, Window steady,
                         Window drain, Window inCall, Window duringFresh, List<Failure> failures, Check check) {

        double drainRatio() {
            return drainWall / (double) freshStart;
        }

        double p99Ratio() {
            return drain.p99 / (double) steady.p99;
        }

        int failedTotal() {
            return failures.size();
        }

        String oneLine() {
            return String.format("%,d children: drain %,d ms, fresh start %,d ms (%.2fx), p99 %.2fx, %d failed calls, check %s",
                    n, ms(drainWall), ms(freshStart), drainRatio(), p99Ratio(), failedTotal(), check.ok() ? "ok" : "FAILED");
        }

        void print() {
            System.out.printf("%nDrain of n3 with %,d ring-placed children; 3 nodes, one ZooKeeper server; %d callers"
                    + " (%d through n1, %d through n2) calling random children%n", n, 2 * CALLERS_PER_NODE,
                    CALLERS_PER_NODE, CALLERS_PER_NODE);
            System.out.printf("  drain()                     took %,d ms (DrainReport.took), %,d ms wall; handed over %,d,"
                    + " left to failover %,d, stopped %,d%n", report.took().toMillis(), ms(drainWall), report.handedOver(),
                    report.leftToFailover().size(), report.stopped());
            System.out.printf("  reference: fresh start      %,d ms for %,d children (startChild, %d concurrent starters"
                    + " through n1 and n2, under the same load, on the two nodes left)%n", ms(freshStart), n, STARTERS);
            System.out.printf("  setup start, no load        %,d ms for %,d children (3 nodes, %d starters; no goal)%n",
                    ms(setup), n, STARTERS);
            System.out.printf("%n  %-22s %8s %9s %9s %10s %10s %12s %7s%n", "calls in window", "length", "answered",
                    "p50 us", "p99 us", "max us", "over 5 s", "failed");
            row("steady (before)", steady);
            row("drain", drain);
            row("  of which in drain()", inCall);
            row("fresh start (ref.)", duringFresh);
            Map<String, Integer> byKind = new TreeMap<>();
            Map<String, String> example = new HashMap<>();
            synchronized (failures) {
                for (Failure f : failures) {
                    byKind.merge(f.kind, 1, Integer::sum);
                    example.putIfAbsent(f.kind, f.message);
                }
            }
            System.out.printf("  failed calls, whole run: %d %s%n", failures.size(), byKind.isEmpty() ? "" : byKind);
            example.forEach((k, m) -> System.out.printf("    e.g. %s: %s%n", k, m));

            System.out.printf("%n  %-34s %14s %14s %8s %9s %s%n", "", "figure", "reference", "ratio", "goal", "met?");
            goal("drain time (wall) / fresh start", ms(drainWall) + " ms", ms(freshStart) + " ms", drainRatio(),
                    "<= 1.0x", drainRatio() <= 1.0);
            goal("p99 during drain / steady p99", us(drain.p99), us(steady.p99), p99Ratio(), "<= 10x", p99Ratio() <= 10);
            goal("p50 during drain / steady p50", us(drain.p50), us(steady.p50), drain.p50 / (double) steady.p50, "-", null);
            goal("max during drain / steady max", us(drain.max), us(steady.max), drain.max / (double) steady.max, "-", null);
            System.out.printf("  %-34s %14d %14s %8s %9s %s%n", "failed calls (whole run)", failures.size(), "", "",
                    "0", failures.isEmpty() ? "met" : "NOT met");

            Check c = check;
            System.out.printf("%n  check: every drained child runs exactly once on the ring's node: %s (%,d of %,d placed,"
                            + " %,d of %,d with one live incarnation in the JVM, %d ids on both nodes)%n",
                    c.placed == c.children && c.onceInJvm == c.children && c.duplicates == 0 ? "yes" : "NO",
                    c.placed, c.children, c.onceInJvm, c.children, c.duplicates);
            System.out.printf("  check: counts survived: sum of counts %,d %s calls answered %,d: %s (%,d new incarnations"
                            + " got a handed-over count in init)%n", c.countSum, c.countSum == c.answered ? "=" : "!=",
                    c.answered, c.countSum == c.answered ? "yes" : "NO", c.handedIn);
            System.out.printf("  check: fresh children once on the ring's node: %,d of %,d%n", c.freshPlaced, c.fresh);
        }

        private static String us(long nanos) {
            return String.format("%,.0f us", nanos / 1e3);
        }

        private static void row(String name, Window w) {
            System.out.printf("  %-22s %6.1f s %,9d %,9.0f %,10.0f %,10.0f %12d %7d%s%n", name, w.lengthNanos / 1e9, w.calls,
                    w.p50 / 1e3, w.p99 / 1e3, w.max / 1e3, w.overDefaultTimeout, w.failed(),
                    w.failures.isEmpty() ? "" : " " + w.failures);
        }

        private static void goal(String name, String figure, String reference, double ratio, String goal, Boolean met) {
            System.out.printf("  %-34s %14s %14s %7.2fx %9s %s%n", name, figure, reference, ratio, goal,
                    met == null ? "-" : met ? "met" : "NOT met");
        }
    }
}
