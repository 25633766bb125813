package io.distributedsupervisor.benchmarks.zookeeper;

import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.SupervisorOptions;
import io.distributedsupervisor.benchmarks.IdleChildFootprint;
import io.distributedsupervisor.zookeeper.EmbeddedZooKeeper;
import io.distributedsupervisor.zookeeper.SessionExpiry;
import io.distributedsupervisor.zookeeper.ZooKeeperBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Whole-cluster figures on one embedded ZooKeeper server, each next to a reference measured in
 * the same run:
 * <ol>
 *   <li>{@code startChild} throughput with 3 nodes, next to a raw Curator async create loop of as
 *       many znodes (the limit for one write per child). Goal: at least 0.5x the raw rate.</li>
 *   <li>Failover time: the session of a node hosting many children expires; the time until all
 *       run again, next to the session timeout. Goal: at most session timeout + 1 s.</li>
 *   <li>One heir: as many children, of one of two nodes, all taken over by the other (the heir's
 *       own report of its failover).</li>
 * </ol>
 * Arguments: {@code [children to start] [children on the failed node] [concurrent starters]},
 * default 20,000, 10,000 and 64.
 */
public final class ClusterBenchmarks {
    private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(4);

    private ClusterBenchmarks() {
    }

    public static void main(String[] args) throws Exception {
        int starts = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int failover = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        try (EmbeddedZooKeeper zk = new EmbeddedZooKeeper()) {
            // Warm both paths up first, so the timed runs measure steady code.
            RawCreates.rate(zk.connectString(), "/warm", 2_000, 1, concurrency);
            startThroughput(zk, "warm", 2_000, concurrency);

            double raw = RawCreates.rate(zk.connectString(), "/raw", starts, 1, concurrency);
            double ours = startThroughput(zk, "starts", starts, concurrency);
            System.out.printf("%nstartChild throughput, 3 nodes, %d concurrent starters, %,d children%n", concurrency, starts);
            System.out.printf("  raw Curator async creates  %,10.0f znodes/s%n", raw);
            System.out.printf("  startChild                 %,10.0f children/s  (%.2fx the raw rate; goal >= 0.5x)%n",
                    ours, ours / raw);

            failover(zk, failover, concurrency);
            oneHeir(zk, failover, concurrency);
        }
    }

    /** The cluster secret of the benchmarks' nodes. */
    static final String SECRET = "benchmark-cluster-secret-0123456789";

    private static ZooKeeperBackend backend(EmbeddedZooKeeper zk) {
        return ZooKeeperBackend.builder(zk.connectString()).secret(SECRET)
                .digestAcl(EmbeddedZooKeeper.TEST_USER, EmbeddedZooKeeper.TEST_PASSWORD)
                .sessionTimeout(SESSION_TIMEOUT).build();
    }

    private static final Map<String, ZooKeeperBackend> BACKENDS = new java.util.concurrent.ConcurrentHashMap<>();

    private static DistributedSupervisor node(EmbeddedZooKeeper zk, String supervisor, String name, List<String> allowList) {
        ZooKeeperBackend backend = backend(zk);
        BACKENDS.put(supervisor + "/" + name, backend);
        return DistributedSupervisor.start(SupervisorOptions.builder(supervisor).nodeName(name)
                .serviceLoaderListeners(false).callTimeout(Duration.ofSeconds(30))
                .allowList(allowList).backend(backend).build());
    }

    private static List<DistributedSupervisor> cluster(EmbeddedZooKeeper zk, String supervisor, int n) {
        return cluster(zk, supervisor, n, List.of(IdleChildFootprint.Idle.class.getName()));
    }

    /**
     * Nodes n1..n{@code n} of {@code supervisor} on {@code zk} (a cluster secret, digest ACL, 4 s
     * sessions, 30 s call timeout, {@code allowList}), once each sees them all. Close them with
     * {@link #close(String, List)}, which closes their backends too.
     */
    static List<DistributedSupervisor> cluster(EmbeddedZooKeeper zk, String supervisor, int n, List<String> allowList) {
        List<DistributedSupervisor> nodes = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            nodes.add(node(zk, supervisor, "n" + i, allowList));
        }
        List<String> names = nodes.stream().map(DistributedSupervisor::node).toList();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!nodes.stream().allMatch(d -> d.nodes().equals(names)) && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        return nodes;
    }

    /** Starts children from {@code concurrency} virtual threads spread over 3 nodes; children/s. */
    private static double startThroughput(EmbeddedZooKeeper zk, String supervisor, int count, int concurrency)
            throws InterruptedException {
        List<DistributedSupervisor> nodes = cluster(zk, supervisor, 3);
        try {
            AtomicInteger next = new AtomicInteger();
            ChildSpec spec = ChildSpec.of(IdleChildFootprint.Idle.class);
            CountDownLatch done = new CountDownLatch(concurrency);
            long t0 = System.nanoTime();
            for (int t = 0; t < concurrency; t++) {
                DistributedSupervisor via = nodes.get(t % nodes.size());
                Thread.startVirtualThread(() -> {
                    try {
                        for (int i; (i = next.getAndIncrement()) < count; ) {
                            via.startChild(spec.withId((long) i));
                        }
                    } finally {
                        // A start that fails ends this starter; the count of running children below says so.
                        done.countDown();
                    }
                });
            }
            done.await();
            double rate = count / ((System.nanoTime() - t0) / 1e9);
            int running = nodes.stream().mapToInt(d -> d.localChildren().size()).sum();
            if (running != count) {
                throw new IllegalStateException("expected " + count + " children running, found " + running);
            }
            return rate;
        } finally {
            close(supervisor, nodes);
        }
    }

    /** Closes the nodes of {@code supervisor} (each a drain; closed ones are skipped), then their backends. */
    static void close(String supervisor, List<DistributedSupervisor> nodes) {
        nodes.forEach(DistributedSupervisor::close);
        BACKENDS.entrySet().removeIf(e -> {
            if (e.getKey().startsWith(supervisor + "/")) {
                e.getValue().close();
                return true;
            }
            return false;
        });
    }

    /** Expires the session of a node hosting {@code count} children; prints the time until all run again. */
    private static void failover(EmbeddedZooKeeper zk, int count, int concurrency) throws Exception {
        List<DistributedSupervisor> nodes = cluster(zk, "failover", 3);
        DistributedSupervisor victim = nodes.get(2);
        DistributedSupervisor observer = nodes.get(0);
        try {
            startOn(observer, victim.node(), count, concurrency);
            Set<Object> ids = new HashSet<>();
            observer.children().forEach((id, pid) -> {
                if (pid.node().equals(victim.node())) {
                    ids.add(id);
                }
            });
            long oldEpochMax = observer.children().values().stream().mapToLong(p -> p.incarnation().epoch()).max()
                    .orElse(0);

            long t0 = System.nanoTime();
            SessionExpiry.expire(BACKENDS.get("failover/" + victim.node()));
            long deadline = t0 + TimeUnit.SECONDS.toNanos(120);
            long ended = 0;
            while (System.nanoTime() < deadline && !allNewer(observer.children(), ids, oldEpochMax)) {
                if (ended == 0 && !ids.stream().allMatch(id -> observer.whereis(id).isPresent())) {
                    ended = System.nanoTime(); // the server ended the session: its claims are going
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            long sessionEnded = ended == 0 ? took : TimeUnit.NANOSECONDS.toMillis(ended - t0);
            boolean ok = allNewer(observer.children(), ids, oldEpochMax);
            System.out.printf("%nFailover: the session of a node hosting %,d children expires%n", ids.size());
            System.out.printf("  session timeout            %,6d ms%n", SESSION_TIMEOUT.toMillis());
            System.out.printf("  its claims began to vanish %,6d ms  (the server's expiry, checked every tick)%n",
                    sessionEnded);
            System.out.printf("  all running again after    %,6d ms  (%s; goal <= session timeout + 1000 ms)%n", took,
                    ok ? "all " + ids.size() + " back" : "NOT all back");
        } finally {
            close("failover", nodes);
        }
    }

    /** Starts {@code count} idle children pinned to {@code node}, through {@code via}, from {@code concurrency} virtual threads. */
    private static void startOn(DistributedSupervisor via, String node, int count, int concurrency) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        ChildSpec spec = ChildSpec.of(IdleChildFootprint.Idle.class);
        CountDownLatch started = new CountDownLatch(concurrency);
        for (int t = 0; t < concurrency; t++) {
            Thread.startVirtualThread(() -> {
                for (int i; (i = next.getAndIncrement()) < count; ) {
                    via.startChild(spec.withId("f" + i), node);
                }
                started.countDown();
            });
        }
        started.await();
    }

    /**
     * One heir with the machine to itself: of two nodes, the one hosting {@code count} children
     * has its session expire, and the other takes them all over. Timed by the heir's own report
     * ({@code health().lastFailover()}: from the member's loss seen to the last inherited child's
     * init), which it gives without any work, so the wait takes nothing from the failover.
     */
    private static void oneHeir(EmbeddedZooKeeper zk, int count, int concurrency) throws Exception {
        List<DistributedSupervisor> nodes = cluster(zk, "oneheir", 2);
        DistributedSupervisor heir = nodes.get(0);
        DistributedSupervisor victim = nodes.get(1);
        try {
            startOn(heir, victim.node(), count, concurrency);
            long t0 = System.nanoTime();
            // This JVM's CPU over the failover: the heir's work, the server's, and the victim's close.
            java.time.Duration cpu0 = ProcessHandle.current().info().totalCpuDuration().orElse(java.time.Duration.ZERO);
            SessionExpiry.expire(BACKENDS.get("oneheir/" + victim.node()));
            // As a process that died: a live node whose session expired joins again once its old
            // member znode is gone, and the succession written then may name it among the heirs.
            // Closed now, while it waits for that znode, it does not.
            victim.close();
            long deadline = t0 + TimeUnit.SECONDS.toNanos(120);
            io.distributedsupervisor.Health.Failover f = null;
            while (System.nanoTime() < deadline
                    && ((f = heir.health().lastFailover().orElse(null)) == null || f.children() < count)) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
            System.out.printf("%nOne heir: the session of one of two nodes, hosting %,d children, expires%n", count);
            if (f == null || f.children() < count) {
                System.out.printf("  NOT all taken over within 120 s: %,d running on the heir, its last failover report %s%n",
                        heir.localChildren().size(), f);
                return;
            }
            java.time.Duration cpu = ProcessHandle.current().info().totalCpuDuration().orElse(java.time.Duration.ZERO)
                    .minus(cpu0);
            System.out.printf("  the heir's failover, from the loss seen to the last init  %,6d ms  (%,d children, %d cores)%n",
                    f.took().toMillis(), f.children(), Runtime.getRuntime().availableProcessors());
            System.out.printf("  CPU of this JVM from the expiry to the report (heir, server, the victim's close)  %,d ms,"
                    + " %.1f us per child taken over%n", cpu.toMillis(), cpu.toNanos() / 1_000.0 / f.children());
        } finally {
            close("oneheir", nodes);
        }
    }

    private static boolean allNewer(Map<Object, Pid> children, Set<Object> ids, long oldEpochMax) {
        for (Object id : ids) {
            Pid p = children.get(id);
            if (p == null || p.incarnation().epoch() <= oldEpochMax) {
                return false;
            }
        }
        return true;
    }
}
