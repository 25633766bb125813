package io.distributedsupervisor.zookeeper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;

/**
 * A real ZooKeeper server for tests (curator-test's {@link TestingServer}) in a temporary folder
 * of its own: TestingServer writes a {@code zookeeper.configuration*.properties} beside its data
 * folder, so the whole base folder is deleted on close and nothing is left behind.
 */
final class ZooKeeperTestServer implements AutoCloseable {
    /** Short ticks so that tests may ask for session timeouts of a few seconds. */
    static final int TICK_MS = 200;

    private final Path base;
    private final TestingServer server;

    ZooKeeperTestServer() {
        try {
            base = Files.createTempDirectory("ds-zk-");
            Path data = Files.createDirectory(base.resolve("data"));
            InstanceSpec spec = new InstanceSpec(data.toFile(), -1, -1, -1, true, -1, TICK_MS, -1);
            server = new TestingServer(spec, true);
        } catch (Exception e) {
            throw new IllegalStateException("could not start a ZooKeeper test server", e);
        }
    }

    String connectString() {
        return server.getConnectString();
    }

    TestingServer server() {
        return server;
    }

    /** A backend on this server for tests: open transport unless a secret is wanted, short timeouts. */
    ZooKeeperBackend.Builder backend() {
        return ZooKeeperBackend.builder(connectString()).secret("test-cluster-secret-0123456789")
                .sessionTimeout(java.time.Duration.ofSeconds(4)).connectionTimeout(java.time.Duration.ofSeconds(10));
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteTree(base);
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
