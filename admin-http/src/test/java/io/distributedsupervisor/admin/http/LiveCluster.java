package io.distributedsupervisor.admin.http;

import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.Child;
import io.distributedsupervisor.ChildContext;
import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.SupervisorOptions;
import io.distributedsupervisor.zookeeper.EmbeddedZooKeeper;
import io.distributedsupervisor.zookeeper.ZooKeeperBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * A live cluster for the page's tests: a real ZooKeeper server (its own temporary folder, deleted
 * on close) and nodes {@code n1..nN} of supervisor {@link #NAME}, each with its own ZooKeeper
 * session and transport, all in this JVM. The page's listener reaches them through
 * {@code ServiceLoader}, as it would in an application.
 */
final class LiveCluster implements AutoCloseable {
    static final String NAME = "orders";

    /** A child that answers every call with its node, and crashes when asked to ("crash"). */
    public static final class Worker implements Child {
        @Override
        public Object handleCall(Object request, ChildContext ctx) {
            if ("crash".equals(request)) {
                throw new IllegalStateException("asked to crash");
            }
            return ctx.pid().node();
        }
    }

    private final EmbeddedZooKeeper zookeeper = new EmbeddedZooKeeper();
    private final Map<String, ZooKeeperBackend> backends = new LinkedHashMap<>();
    private final Map<String, DistributedSupervisor> nodes = new LinkedHashMap<>();

    LiveCluster(int size) {
        try {
            List<String> names = IntStream.rangeClosed(1, size).mapToObj(i -> "n" + i).toList();
            for (String n : names) {
                ZooKeeperBackend backend = ZooKeeperBackend.builder(zookeeper.connectString())
                        .secret(EmbeddedZooKeeper.TEST_SECRET)
                        .digestAcl(EmbeddedZooKeeper.TEST_USER, EmbeddedZooKeeper.TEST_PASSWORD)
                        .sessionTimeout(Duration.ofSeconds(4)).build();
                backends.put(n, backend);
                nodes.put(n, DistributedSupervisor.start(SupervisorOptions.builder(NAME).nodeName(n).backend(backend)
                        .allowList(List.of("io.distributedsupervisor.admin.http.*")).callTimeout(Duration.ofSeconds(10))
                        .shutdownHook(false).build()));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> nodes.values().stream().allMatch(d -> d.nodes().equals(names)));
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    List<DistributedSupervisor> nodes() {
        return List.copyOf(nodes.values());
    }

    DistributedSupervisor node(String name) {
        return nodes.get(name);
    }

    /** Starts {@code count} workers placed by the ring, through n1. */
    void startWorkers(int count) {
        for (int i = 0; i < count; i++) {
            nodes.get("n1").startChild(ChildSpec.of(Worker.class).withId("worker-" + i));
        }
    }

    /** Children per node, as {@code node}'s view has them. */
    Map<String, Integer> childrenPerNode(String node) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        nodes.get(node).children().values().forEach(p -> counts.merge(p.node(), 1, Integer::sum));
        return counts;
    }

    /** The node's ZooKeeper session ends at once, as if its process died: no goodbye, no hand-over. */
    void crash(String node) {
        backends.get(node).close();
    }

    @Override
    public void close() {
        List<RuntimeException> failures = new ArrayList<>();
        for (DistributedSupervisor d : nodes.values()) {
            try {
                d.close();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        for (ZooKeeperBackend b : backends.values()) {
            try {
                b.close();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        zookeeper.close();
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
    }
}
