package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.SupervisorOptions;
import io.distributedsupervisor.tck.supervisor.ClusterHarness;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The supervisor TCK's harness on a real ZooKeeper server. Every node gets its own
 * {@link ZooKeeperBackend}; the supervisors of one node name share one Curator session and Netty
 * transport ({@link SharedConnection}), so {@link #crash} ends exactly that node's session. Each harness works in a namespace of its
 * own, so harnesses may share one server (a class's tests, see {@link SharedZooKeeper}) without
 * seeing each other's members, specs or owners.
 */
final class ZooKeeperHarness implements ClusterHarness {
    private static final AtomicInteger NAMESPACES = new AtomicInteger();

    private record Started(String node, DistributedSupervisor supervisor, ZooKeeperBackend backend) {
    }

    /** The test supervisor's name for tests that start nodes by name alone. */
    static final String SUPERVISOR = "DS";

    private final java.util.function.Supplier<ZooKeeperBackend.Builder> backends;
    private final EmbeddedZooKeeper server;
    private final boolean ownsServer;
    private final String namespace = "tck-" + NAMESPACES.incrementAndGet() + "-" + ProcessHandle.current().pid();
    private final List<Started> started = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    /** A harness on a server of its own, closed with it. */
    ZooKeeperHarness() {
        this(new EmbeddedZooKeeper(), true);
    }

    /** A harness on a shared server, which it leaves running. */
    ZooKeeperHarness(EmbeddedZooKeeper server) {
        this(server, false);
    }

    private ZooKeeperHarness(EmbeddedZooKeeper server, boolean ownsServer) {
        this.server = server;
        this.ownsServer = ownsServer;
        this.backends = server::backend;
    }

    /** A harness whose backends start from {@code backends}, e.g. on an ensemble the test runs. */
    ZooKeeperHarness(java.util.function.Supplier<ZooKeeperBackend.Builder> backends) {
        this.server = null;
        this.ownsServer = false;
        this.backends = backends;
    }

    /** The server this harness's nodes use; null for a harness built on backends. */
    EmbeddedZooKeeper server() {
        return server;
    }

    /** The ZooKeeper namespace this harness's nodes work in. */
    String namespace() {
        return namespace;
    }

    @Override
    public DistributedSupervisor start(SupervisorOptions.Builder builder) {
        return start(builder, b -> b);
    }

    /** Node {@code node} of {@link #SUPERVISOR}, with the tests' defaults. */
    DistributedSupervisor start(String node) {
        return start(node, b -> b, b -> b);
    }

    /** What the codec of this module's test nodes allows: the suite's children and this package's. */
    static final List<String> ALLOW_LIST = java.util.stream.Stream.concat(
            io.distributedsupervisor.tck.supervisor.Nodes.ALLOW_LIST.stream(),
            java.util.stream.Stream.of("io.distributedsupervisor.zookeeper.*")).toList();

    /** Node {@code node} of {@link #SUPERVISOR}, its options and backend adjusted by the test. */
    DistributedSupervisor start(String node, java.util.function.UnaryOperator<SupervisorOptions.Builder> options,
                                java.util.function.UnaryOperator<ZooKeeperBackend.Builder> backend) {
        return start(options.apply(SupervisorOptions.builder(SUPERVISOR).nodeName(node).serviceLoaderListeners(false)
                .callTimeout(java.time.Duration.ofSeconds(10)).allowList(ALLOW_LIST)), backend);
    }

    DistributedSupervisor start(SupervisorOptions.Builder builder,
                                java.util.function.UnaryOperator<ZooKeeperBackend.Builder> adjust) {
        Objects.requireNonNull(builder, "builder");
        if (closed) {
            throw new IllegalStateException("harness closed");
        }
        ZooKeeperBackend backend = adjust.apply(backends.get().namespace(namespace)).build();
        SupervisorOptions options = builder.backend(backend).build();
        DistributedSupervisor supervisor;
        try {
            supervisor = DistributedSupervisor.start(options);
        } catch (RuntimeException | Error e) {
            backend.close();
            throw e;
        }
        started.add(new Started(options.nodeName(), supervisor, backend));
        return supervisor;
    }

    /** The running node of that name. */
    DistributedSupervisor node(String name) {
        return started.stream().filter(s -> s.node().equals(name)).map(Started::supervisor).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no node " + name + " in this harness"));
    }

    /** Every node this harness started and has not crashed or stopped. */
    List<DistributedSupervisor> live() {
        return started.stream().map(Started::supervisor).toList();
    }

    /** Waits until every live node's ring has exactly these nodes. */
    void awaitRing(List<String> expected) {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> live().stream()
                .allMatch(d -> {
                    try {
                        return d.nodes().equals(expected);
                    } catch (RuntimeException e) {
                        return false;
                    }
                }));
    }

    /** The open ZooKeeper sessions of the node's backend. */
    List<ZooKeeperSession> sessions(String node) {
        return started.stream().filter(s -> s.node().equals(node)).flatMap(s -> s.backend().sessions().stream()).toList();
    }

    /**
     * Expires the node's ZooKeeper sessions, as a long pause or a partition would (curator-test's
     * KillSession): the node itself lives on, sees LOST and joins again.
     */
    void expireSession(String node) throws Exception {
        SessionExpiry.expire(sessions(node));
    }

    /** The node's ZooKeeper sessions end at once, as if its process died: no graceful step runs. */
    @Override
    public void crash(String node) {
        List<Started> of = remove(node, "crash");
        for (Started s : of) {
            for (ZooKeeperSession session : s.backend().sessions()) {
                session.closeAsIfCrashed();
            }
        }
        for (Started s : of) {
            s.backend().close();
        }
    }

    /**
     * Supervisor {@code supervisor} of the node ends at once, as if it crashed, while the node's
     * other supervisors (on the same ZooKeeper session and transport) go on.
     */
    void crash(String node, String supervisor) {
        List<Started> of = started.stream().filter(s -> s.node().equals(node) && s.supervisor().name().equals(supervisor))
                .toList();
        if (of.isEmpty()) {
            throw new IllegalArgumentException("cannot crash supervisor " + supervisor + " of node " + node
                    + ": not started by this harness");
        }
        started.removeAll(of);
        for (Started s : of) {
            for (ZooKeeperSession session : s.backend().sessions()) {
                session.close();
            }
            s.backend().close();
        }
    }

    /** The open ZooKeeper sessions of one supervisor of the node. */
    List<ZooKeeperSession> sessions(String node, String supervisor) {
        return started.stream().filter(s -> s.node().equals(node) && s.supervisor().name().equals(supervisor))
                .flatMap(s -> s.backend().sessions().stream()).toList();
    }

    @Override
    public void stop(String node) {
        List<Started> of = remove(node, "stop");
        List<RuntimeException> failures = new ArrayList<>();
        for (Started s : of) {
            closeQuietly(s, failures);
        }
        rethrow(failures);
    }

    private List<Started> remove(String node, String what) {
        Objects.requireNonNull(node, "node");
        List<Started> of = started.stream().filter(s -> s.node().equals(node)).toList();
        if (of.isEmpty()) {
            throw new IllegalArgumentException("cannot " + what + " node " + node + ": not started by this harness");
        }
        started.removeAll(of);
        return of;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<RuntimeException> failures = new ArrayList<>();
        for (Started s : started) {
            closeQuietly(s, failures);
        }
        started.clear();
        if (ownsServer) {
            try {
                server.close();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        rethrow(failures);
    }

    private static void closeQuietly(Started s, List<RuntimeException> failures) {
        try {
            s.supervisor().close();
        } catch (RuntimeException e) {
            failures.add(e);
        } finally {
            try {
                s.backend().close();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
    }

    private static void rethrow(List<RuntimeException> failures) {
        if (!failures.isEmpty()) {
            RuntimeException first = failures.get(0);
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            throw first;
        }
    }

    @Override
    public String toString() {
        return "ZooKeeperHarness{" + (server == null ? "custom backends" : server.connectString()) + ", namespace="
                + namespace + "}";
    }
}
