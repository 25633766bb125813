package io.distributedsupervisor.benchmarks.zookeeper;

import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.SupervisorOptions;
import io.distributedsupervisor.benchmarks.Echo;
import io.distributedsupervisor.benchmarks.transport.Measure;
import io.distributedsupervisor.benchmarks.transport.PipelinedEcho;
import io.distributedsupervisor.zookeeper.EmbeddedZooKeeper;
import io.distributedsupervisor.zookeeper.ZooKeeperBackend;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Full-stack remote calls in the shapes of {@link PipelinedEcho}: two ZooKeeper-backend nodes in
 * this JVM on one {@link EmbeddedZooKeeper}, default settings but a cluster secret, and
 * {@link Echo} children that run on node n2 and are called through node n1 with a
 * {@value PipelinedEcho#PAYLOAD_BYTES}-byte {@code byte[]} (encoded by the default
 * {@code CborCodec} on each hop, answered with the same array). Every method starts two fresh
 * nodes (a supervisor name of their own on the shared server), starts the children, warms up for
 * the duration, measures for it again, and closes both nodes.
 */
public final class RemoteCalls {
    private static final String SECRET = "benchmark-cluster-secret-0123456789";
    private static final AtomicLong SUPERVISORS = new AtomicLong();

    private final DistributedSupervisor caller;
    private final DistributedSupervisor host;
    private final String[] ids;
    private final byte[] payload = new byte[PipelinedEcho.PAYLOAD_BYTES];
    private final AtomicLong replies = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean pipelining;

    private RemoteCalls(EmbeddedZooKeeper zk, int children) {
        String supervisor = "bench-remote-" + SUPERVISORS.incrementAndGet();
        caller = node(zk, supervisor, "n1");
        host = node(zk, supervisor, "n2");
        try {
            awaitMembers();
            ids = new String[children];
            for (int i = 0; i < children; i++) {
                ids[i] = "echo-" + i;
                caller.startChild(ChildSpec.of(Echo.class).withId(ids[i]), "n2");
            }
            if (host.localChildren().size() != children) {
                throw new IllegalStateException("the children do not run on n2: " + host.localChildren());
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private static DistributedSupervisor node(EmbeddedZooKeeper zk, String supervisor, String name) {
        ZooKeeperBackend backend = ZooKeeperBackend.builder(zk.connectString()).secret(SECRET)
                .digestAcl(EmbeddedZooKeeper.TEST_USER, EmbeddedZooKeeper.TEST_PASSWORD).build();
        return DistributedSupervisor.start(SupervisorOptions.builder(supervisor).nodeName(name)
                .serviceLoaderListeners(false).allowList(List.of(Echo.class.getName())).backend(backend).build());
    }

    /** Membership reaches each node through its watch; children go to n2 only once n1 sees it. */
    private void awaitMembers() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!(caller.nodes().contains("n2") && host.nodes().contains("n1"))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the two nodes did not see each other within 30 s");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    /**
     * Calls per second with {@value PipelinedEcho#OUTSTANDING} {@code callAsync} in flight through
     * n1 to {@code children} children on n2 (round-robin), issued from one thread at first and then
     * each from the completion of the one before: no caller thread per call.
     */
    public static double throughput(EmbeddedZooKeeper zk, int children, Duration duration) throws Exception {
        RemoteCalls bench = new RemoteCalls(zk, children);
        try {
            bench.pipelining = true;
            for (int i = 0; i < PipelinedEcho.OUTSTANDING; i++) {
                bench.next(i);
            }
            double rate = Measure.rate(bench.replies, duration);
            bench.check();
            return rate;
        } finally {
            bench.pipelining = false;
            bench.close();
        }
    }

    /** The median time of one blocking {@code call} through n1 to a child on n2, one at a time, in µs. */
    public static double medianLatencyMicros(EmbeddedZooKeeper zk, Duration duration) throws Exception {
        RemoteCalls bench = new RemoteCalls(zk, 1);
        try {
            return Measure.medianMicros(duration, bench::roundTrip);
        } finally {
            bench.close();
        }
    }

    /**
     * One shape alone, for a profiler: {@code throughput <children> <seconds>} or
     * {@code latency <seconds>}; prints the figure.
     */
    public static void main(String[] args) throws Exception {
        try (EmbeddedZooKeeper zk = new EmbeddedZooKeeper()) {
            if (args.length > 0 && args[0].equals("latency")) {
                Duration d = Duration.ofSeconds(args.length > 1 ? Integer.parseInt(args[1]) : 10);
                System.out.printf("call at concurrency 1, median: %.1f us%n", medianLatencyMicros(zk, d));
            } else {
                int children = args.length > 1 ? Integer.parseInt(args[1]) : 64;
                Duration d = Duration.ofSeconds(args.length > 2 ? Integer.parseInt(args[2]) : 10);
                System.out.printf("%d callAsync in flight to %d children: %.0f calls/s%n", PipelinedEcho.OUTSTANDING, children,
                        throughput(zk, children, d));
            }
        }
    }

    private void next(long n) {
        caller.<byte[]>callAsync(ids[(int) (n % ids.length)], payload, Duration.ofSeconds(10)).whenComplete((reply, error) -> {
            if (error != null || reply == null || reply.length != payload.length) {
                failure.compareAndSet(null, error != null ? error : new IllegalStateException("wrong reply " + Arrays.toString(reply)));
                return;
            }
            long done = replies.incrementAndGet();
            if (pipelining) {
                next(done);
            }
        });
    }

    private void roundTrip() {
        byte[] reply = caller.call(ids[0], payload);
        if (reply.length != payload.length) {
            throw new IllegalStateException("wrong reply " + Arrays.toString(reply));
        }
    }

    private void check() {
        Throwable t = failure.get();
        if (t != null) {
            throw new IllegalStateException("a benchmark call failed", t);
        }
    }

    private void close() {
        caller.close();
        host.close();
    }
}
