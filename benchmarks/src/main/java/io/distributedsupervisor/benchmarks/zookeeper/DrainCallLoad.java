package io.distributedsupervisor.benchmarks.zookeeper;

import io.distributedsupervisor.DistributedSupervisor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The call load of {@link DrainBenchmark}: {@link #CALLERS_PER_NODE} virtual threads through
 * each node call random {@link DrainCounter} children ({@code "inc"}) in a loop, and record what
 * they saw: every answered call's start time and latency, every failure by class. It answers
 * windows of that record by start time.
 */
final class DrainCallLoad {
    static final int CALLERS_PER_NODE = 4;
    /** Each call's timeout: the library's default ({@code SupervisorOptions} callTimeout; the nodes' own is 30 s). */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);
    /** Calls slower than this are counted, and looked at: did they wait for their child's hand-over? */
    static final long SLOW_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /** A failed call: when it started (ns after the load's origin), the exception's class and message. */
    record Failure(long at, String kind, String message) {
    }

    private final List<DistributedSupervisor> via;
    private final String[] ids;
    private final long origin = System.nanoTime();
    private final AtomicLong answered = new AtomicLong();
    private final List<Failure> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    private final List<Caller> callers = new ArrayList<>();
    private volatile boolean running = true;

    DrainCallLoad(List<DistributedSupervisor> via, String[] ids) {
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

    /** The calls answered so far. */
    long answered() {
        return answered.get();
    }

    /** Every failed call so far (a synchronized list: hold its lock to iterate). */
    List<Failure> failures() {
        return failures;
    }

    /** The calls that started in [from, to) and were answered, and the failures of that span. */
    DrainCallWindow window(long from, long to, long expectedInterval) {
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
        return new DrainCallWindow(to - from, k, mean, percentile(lat, 0.50), percentile(lat, 0.99),
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
                    Long out = DrainCounter.HANDED_OUT_AT.get(ids[c.child[i]]);
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
