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
 * <p>Arguments: {@code [--quick] [children ...]}, default 1,000 and 10,000 (quick: 200 and 1,000,
 * shorter windows). Run with {@code -Xmx4g}.
 */
public final class DrainBenchmark {
    /** Starters for the references: the drain hands over at most 256 children at once. */
    static final int STARTERS = 256;
    static final int CALLERS_PER_NODE = 4;
    /** Each call's timeout: the library's default ({@code SupervisorOptions} callTimeout; the nodes' own is 30 s). */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);
    /** Calls slower than this are counted, and looked at: did they wait for their child's hand-over? */
    static final long SLOW_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /** A counter that hands its count over: "inc" adds one and answers it, "get" answers it. */
    public static final class Counter implements Child {
        /** Incarnations alive in this JVM, by id: init adds one, terminate takes it away. */
        static final Map<Object, AtomicInteger> LIVE = new ConcurrentHashMap<>();
        /** Incarnations whose init got a handed-over state. */
        static final AtomicLong HANDED_IN = new AtomicLong();
        /** When each id last handed its count over (stopped for a move), and when its next incarnation began init. */
        static final Map<Object, Long> HANDED_OUT_AT = new ConcurrentHashMap<>();
        static final Map<Object, Long> STARTED_WITH_STATE_AT = new ConcurrentHashMap<>();

        private long count;

        @Override
        public void init(ChildContext ctx) {
            Optional<Object> state = ctx.handoffState();
            count = state.map(s -> ((Number) s).longValue()).orElse(0L);
            if (state.isPresent()) {
                STARTED_WITH_STATE_AT.put(ctx.id(), System.nanoTime());
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
            HANDED_OUT_AT.put(ctx.id(), System.nanoTime());
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
                + " | p99 drain / steady | p99 corrected, drain / steady | max drain / steady | calls/s drain / steady"
                + " | failed calls | every child once, counts kept |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        for (Round r : rounds) {
            System.out.printf("| %,d | %,d ms (%,d ms) | %,d ms | **%.2fx** | %.2fx | **%.2fx** | %.2fx | %.2fx | %.2fx | **%d** | %s |%n",
                    r.n, r.report.took().toMillis(), ms(r.drainWall), ms(r.freshStart), r.drainRatio(),
                    r.drain.p50 / (double) r.steady.p50, r.p99Ratio(),
                    r.drain.p99corrected / (double) r.steady.p99corrected, r.drain.max / (double) r.steady.max,
                    r.drain.perSecond() / r.steady.perSecond(), r.failedTotal(), r.check.ok() ? "yes" : "**NO**");
        }
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

            Window steady = load.window(steadyFrom, drainFrom, 0);
            long expected = steady.mean;
            Window drain = load.window(drainFrom, drainTo, expected);
            Window inCall = load.window(callFrom, callTo, expected);
            Window during = load.window(freshFrom, freshTo, expected);
            steady = load.window(steadyFrom, drainFrom, expected);
            Moves moves = Moves.of(ids, t0);
            long[] waits = load.waitsForHandover(callFrom, callTo);
            Check check = check(staying, ids, fresh, load.answered.get(), Counter.HANDED_IN.get() - handedInBefore);
            return new Round(n, setup, report, drainWall, freshStart, steady, drain, inCall, during, load.failures, check, moves,
                    drainCores, freshCores, loadAverage(), waits);
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

    /**
     * Latencies of one window, in nanoseconds. The callers wait for each answer before the next
     * call (a closed loop), so a caller stuck in a slow call makes no calls meanwhile, and the
     * answered calls under-represent slow stretches ("coordinated omission"). {@code p99corrected}
     * adds, as HdrHistogram's {@code recordValueWithExpectedInterval} does, for each call slower than
     * the expected interval (the steady window's mean call time) the calls the caller would have
     * made meanwhile: latencies L - e, L - 2e, ... while at least e.
     */
    private record Window(long lengthNanos, int calls, long mean, long p50, long p99, long p99corrected, long max,
                          long overSlow, Map<String, Integer> failures) {
        double perSecond() {
            return calls / (lengthNanos / 1e9);
        }

        int failed() {
            return failures.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    private record Failure(long at, String kind, String message) {
    }

    /**
     * The moves as the children saw them, in ms after {@code drain()} was called: when the first
     * and the last handed their count over (stopped on n3), when the last new incarnation began
     * {@code init}; and for how long each child was between two nodes (handoff to next init).
     */
    private record Moves(int seen, double firstOut, double lastOut, double lastIn, double gapP50, double gapP99,
                         double gapMax) {
        static Moves of(List<String> ids, long drainCalledAt) {
            List<Long> gaps = new ArrayList<>();
            long firstOut = Long.MAX_VALUE;
            long lastOut = Long.MIN_VALUE;
            long lastIn = Long.MIN_VALUE;
            for (String id : ids) {
                Long out = Counter.HANDED_OUT_AT.get(id);
                Long in = Counter.STARTED_WITH_STATE_AT.get(id);
                if (out == null || in == null) {
                    continue;
                }
                firstOut = Math.min(firstOut, out);
                lastOut = Math.max(lastOut, out);
                lastIn = Math.max(lastIn, in);
                gaps.add(in - out);
            }
            if (gaps.isEmpty()) {
                return new Moves(0, 0, 0, 0, 0, 0, 0);
            }
            long[] g = gaps.stream().mapToLong(Long::longValue).sorted().toArray();
            return new Moves(g.length, (firstOut - drainCalledAt) / 1e6, (lastOut - drainCalledAt) / 1e6,
                    (lastIn - drainCalledAt) / 1e6, Load.percentile(g, 0.5) / 1e6, Load.percentile(g, 0.99) / 1e6,
                    g[g.length - 1] / 1e6);
        }
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
        Window window(long from, long to, long expectedInterval) {
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
            long slow = Arrays.stream(lat).filter(l -> l > SLOW_NANOS).count();
            Map<String, Integer> failed = new TreeMap<>();
            synchronized (failures) {
                for (Failure f : failures) {
                    if (f.at >= from && f.at < to) {
                        failed.merge(f.kind, 1, Integer::sum);
                    }
                }
            }
            long mean = k == 0 ? 0 : (long) Arrays.stream(lat).average().orElse(0);
            return new Window(to - from, k, mean, percentile(lat, 0.50), percentile(lat, 0.99),
                    percentile(corrected(lat, expectedInterval), 0.99), k == 0 ? 0 : lat[k - 1], slow, failed);
        }

        private static long[] corrected(long[] lat, long interval) {
            if (interval <= 0) {
                return lat;
            }
            long extra = 0;
            for (long l : lat) {
                extra += Math.max(0, l / interval - 1);
            }
            long[] all = Arrays.copyOf(lat, (int) Math.min(Integer.MAX_VALUE - 8, lat.length + extra));
            int k = lat.length;
            for (long l : lat) {
                for (long missing = l - interval; missing >= interval && k < all.length; missing -= interval) {
                    all[k++] = missing;
                }
            }
            Arrays.sort(all, 0, k);
            return Arrays.copyOf(all, k);
        }

        /**
         * The answered calls slower than {@link #SLOW_NANOS} that started in [from, to): how many
         * began before their child's hand-over did (the child still ran on n3, but was out of n3's
         * table), and how long each such call waited for that hand-over to begin, in ns, sorted.
         */
        long[] waitsForHandover(long from, long to) {
            List<Long> waits = new ArrayList<>();
            for (Caller c : callers) {
                for (int i = 0; i < c.n; i++) {
                    if (c.at[i] >= from && c.at[i] < to && c.latency[i] > SLOW_NANOS) {
                        Long out = Counter.HANDED_OUT_AT.get(ids[c.child[i]]);
                        long began = origin + c.at[i];
                        if (out != null && out - began > 0 && out - began < c.latency[i]) {
                            waits.add(out - began);
                        }
                    }
                }
            }
            return waits.stream().mapToLong(Long::longValue).sorted().toArray();
        }

        /** Nearest rank. */
        static long percentile(long[] sorted, double p) {
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
            private int[] child = new int[1 << 16];
            private int n;
            private Thread thread;

            Caller(DistributedSupervisor node) {
                this.node = node;
            }

            @Override
            public void run() {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (running) {
                    int c = random.nextInt(ids.length);
                    String id = ids[c];
                    long t0 = System.nanoTime();
                    try {
                        node.call(id, "inc", CALL_TIMEOUT);
                        long t1 = System.nanoTime();
                        answered.incrementAndGet();
                        if (n == at.length) {
                            at = Arrays.copyOf(at, 2 * n);
                            latency = Arrays.copyOf(latency, 2 * n);
                            child = Arrays.copyOf(child, 2 * n);
                        }
                        at[n] = t0 - origin;
                        latency[n] = t1 - t0;
                        child[n] = c;
                        n++;
                    } catch (RuntimeException e) {
                        failures.add(new Failure(t0 - origin, e.getClass().getSimpleName(), e.getMessage()));
                    }
                }
            }
        }
    }

    private record Round(int n, long setup, DrainReport report, long drainWall, long freshStart, Window steady,
                         Window drain, Window inCall, Window duringFresh, List<Failure> failures, Check check,
                         Moves moves, double drainCores, double freshCores, String loadAverage, long[] waits) {

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
            System.out.printf("  this process used %.2f cores during drain(), %.2f during the fresh start (of %d);"
                    + " machine load average %s%n", drainCores, freshCores, Runtime.getRuntime().availableProcessors(),
                    loadAverage);
            System.out.printf("  the moves, ms after drain() was called: first child handed over at %,.0f, last at %,.0f,"
                    + " last new incarnation in init at %,.0f (%,d seen)%n", moves.firstOut, moves.lastOut, moves.lastIn,
                    moves.seen);
            System.out.printf("  each child between two nodes (its handoff to its next init): p50 %,.1f ms, p99 %,.1f ms,"
                    + " max %,.1f ms%n", moves.gapP50, moves.gapP99, moves.gapMax);
            System.out.printf("%n  %-22s %8s %9s %8s %9s %10s %11s %10s %9s %7s%n", "calls in window", "length", "answered",
                    "calls/s", "p50 us", "p99 us", "p99 corr.", "max us", "> 100 ms", "failed");
            row("steady (before)", steady);
            row("drain", drain);
            row("  of which in drain()", inCall);
            row("fresh start (ref.)", duringFresh);
            System.out.printf("  calls slower than 100 ms that began in drain(): %,d; %,d of them began before their child's"
                    + " hand-over did (the child still ran on n3, out of its table, waiting for a slot)%s%n", inCall.overSlow,
                    waits.length, waits.length == 0 ? "" : String.format(": they waited p50 %,.0f ms, max %,.0f ms for it",
                            Load.percentile(waits, 0.5) / 1e6, waits[waits.length - 1] / 1e6));
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
            double corr = drain.p99corrected / (double) steady.p99corrected;
            goal("p99 corrected (see above) / steady", us(drain.p99corrected), us(steady.p99corrected), corr, "<= 10x",
                    corr <= 10);
            goal("calls/s during drain / steady", String.format("%,.0f/s", drain.perSecond()),
                    String.format("%,.0f/s", steady.perSecond()), drain.perSecond() / steady.perSecond(), "-", null);
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
            System.out.printf("  %-22s %6.1f s %,9d %,8.0f %,9.0f %,10.0f %,11.0f %,10.0f %9d %7d%s%n", name,
                    w.lengthNanos / 1e9, w.calls, w.perSecond(), w.p50 / 1e3, w.p99 / 1e3, w.p99corrected / 1e3, w.max / 1e3,
                    w.overSlow, w.failed(),
                    w.failures.isEmpty() ? "" : " " + w.failures);
        }

        private static void goal(String name, String figure, String reference, double ratio, String goal, Boolean met) {
            System.out.printf("  %-34s %14s %14s %7.2fx %9s %s%n", name, figure, reference, ratio, goal,
                    met == null ? "-" : met ? "met" : "NOT met");
        }
    }
}
