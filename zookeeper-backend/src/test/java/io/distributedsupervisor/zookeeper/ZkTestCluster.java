package io.distributedsupervisor.zookeeper;

import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.SupervisorOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.curator.test.KillSession;

/**
 * Supervisor nodes on a real ZooKeeper server for the ZooKeeper-only tests, each node with its
 * own backend (own Curator session, own transport port). Closes everything it started.
 */
final class ZkTestCluster implements AutoCloseable {
    static final String SUPERVISOR = "DS";

    private final java.util.function.Supplier<ZooKeeperBackend.Builder> backends0;
    private final Map<String, DistributedSupervisor> nodes = new LinkedHashMap<>();
    private final Map<String, ZooKeeperBackend> backends = new LinkedHashMap<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    ZkTestCluster(ZooKeeperTestServer server) {
        this(server::backend);
    }

    /** Nodes whose backends start from {@code backend}, e.g. on an ensemble. */
    ZkTestCluster(java.util.function.Supplier<ZooKeeperBackend.Builder> backend) {
        this.backends0 = backend;
    }

    DistributedSupervisor start(String node) {
        return start(node, b -> b, b -> b);
    }

    DistributedSupervisor start(String node, UnaryOperator<SupervisorOptions.Builder> options,
                                UnaryOperator<ZooKeeperBackend.Builder> backend) {
        ZooKeeperBackend zk = backend.apply(backends0.get()).build();
        DistributedSupervisor ds = DistributedSupervisor.start(options.apply(SupervisorOptions.builder(SUPERVISOR)
                .nodeName(node).serviceLoaderListeners(false).callTimeout(Duration.ofSeconds(10))).backend(zk).build());
        nodes.put(node, ds);
        backends.put(node, zk);
        return ds;
    }

    DistributedSupervisor node(String name) {
        return nodes.get(name);
    }

    List<DistributedSupervisor> live() {
        return List.copyOf(nodes.values());
    }

    /** Waits until every node's ring has exactly these nodes. */
    void awaitRing(List<String> expected) {
        await().atMost(Duration.ofSeconds(30)).until(() -> nodes.values().stream().allMatch(d -> {
            try {
                return d.nodes().equals(expected);
            } catch (RuntimeException e) {
                return false;
            }
        }));
    }

    /** Expires the node's ZooKeeper session, as a long pause or a partition would: the node itself lives on. */
    void expireSession(String node) throws Exception {
        for (ZooKeeperSession s : backends.get(node).sessions()) {
            KillSession.kill(s.zooKeeper());
        }
    }

    /** The node dies: its session ends at once and its runtime drops its children (no terminate). */
    void crash(String node) {
        for (ZooKeeperSession s : backends.get(node).sessions()) {
            s.close();
        }
        nodes.remove(node);
        closeables.add(backends.remove(node));
    }

    /** A graceful close of the node. */
    void stop(String node) {
        nodes.remove(node).close();
        closeables.add(backends.remove(node));
    }

    @Override
    public void close() {
        for (DistributedSupervisor ds : nodes.values()) {
            try {
                ds.close();
            } catch (RuntimeException e) {
                // closing the rest matters more
            }
        }
        backends.values().forEach(ZooKeeperBackend::close);
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception e) {
                // closing the rest matters more
            }
        }
        nodes.clear();
        backends.clear();
    }
}
