package io.distributedsupervisor.benchmarks;

import io.distributedsupervisor.Child;
import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.SupervisorOptions;
import io.distributedsupervisor.inmemory.InMemoryCluster;
import java.lang.management.ManagementFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Heap per idle child and start rate on one in-memory node, next to a reference measured in the
 * same process: the floor of what a start must do (a map entry, a virtual thread that runs an
 * empty init, a future the starter waits on). Goals: at most 1 KiB of heap per idle child, at
 * least 200,000 starts per second.
 *
 * <p>Arguments: {@code [children] [starter threads]}, default 1,000,000 and 2. Run with a heap
 * big enough for it, e.g. {@code -Xmx8g}.
 */
public final class IdleChildFootprint {

    /** An idle child: no state, no messages. */
    public static final class Idle implements Child {
    }

    private IdleChildFootprint() {
    }

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;

        // Warm both paths up so that the timed runs measure steady code, not class loading and JIT.
        reference(50_000, threads);
        try (InMemoryCluster warm = new InMemoryCluster()) {
            startAll(node(warm), 50_000, threads);
        }

        double refRate = reference(count, threads);

        long before = usedHeap();
        try (InMemoryCluster cluster = new InMemoryCluster()) {
            DistributedSupervisor ds = node(cluster);
            long t0 = System.nanoTime();
            startAll(ds, count, threads);
            double rate = count / ((System.nanoTime() - t0) / 1e9);
            long after = usedHeap();
            int running = ds.localChildren().size();
            double perChild = (after - before) / (double) count;
            System.out.printf("%nIdle children on one in-memory node (%d starter threads)%n", threads);
            System.out.printf("  children running            %,d%n", running);
            System.out.printf("  heap per idle child         %,.0f bytes (goal <= 1024)%n", perChild);
            System.out.printf("  start rate                  %,.0f children/s (goal >= 200,000)%n", rate);
            System.out.printf("  reference start floor       %,.0f starts/s%n", refRate);
            System.out.printf("  start rate / reference      %.2fx%n", rate / refRate);
            if (running != count) {
                throw new IllegalStateException("expected " + count + " children, found " + running);
            }
        }
    }

    private static DistributedSupervisor node(InMemoryCluster cluster) {
        return cluster.start(SupervisorOptions.builder("footprint").nodeName("n1").serviceLoaderListeners(false)
                .allowList(java.util.List.of(Idle.class.getName())));
    }

    private static void startAll(DistributedSupervisor ds, int count, int threads) throws InterruptedException {
        ChildSpec spec = ChildSpec.of(Idle.class);
        Thread[] ts = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int first = t;
            ts[t] = Thread.ofPlatform().start(() -> {
                for (int i = first; i < count; i += threads) {
                    ds.startChild(spec.withId((long) i));
                }
            });
        }
        for (Thread t : ts) {
            t.join();
        }
    }

    /** The floor: per start, a map entry and a virtual thread whose completion the starter awaits. */
    private static double reference(int count, int threads) throws InterruptedException {
        ConcurrentHashMap<Long, Object> map = new ConcurrentHashMap<>();
        Thread[] ts = new Thread[threads];
        long t0 = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            int first = t;
            ts[t] = Thread.ofPlatform().start(() -> {
                for (int i = first; i < count; i += threads) {
                    CompletableFuture<Object> done = new CompletableFuture<>();
                    Object child = new Object();
                    map.put((long) i, child);
                    Thread.startVirtualThread(() -> done.complete(child));
                    done.join();
                }
            });
        }
        for (Thread t : ts) {
            t.join();
        }
        return count / ((System.nanoTime() - t0) / 1e9);
    }

    private static long usedHeap() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            TimeUnit.MILLISECONDS.sleep(100);
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
