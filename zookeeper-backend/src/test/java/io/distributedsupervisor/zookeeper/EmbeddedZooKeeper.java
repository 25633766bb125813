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
 * A real ZooKeeper server in this JVM (curator-test's {@link TestingServer}) on a free loopback
 * port, with its data in a temporary folder of its own that is deleted on {@link #close()}
 * (TestingServer writes a {@code zookeeper.configuration*.properties} beside its data folder,
 * so nothing is left behind). The one such server of the project: this module's tests, the
 * integration tests, the demo and the benchmarks take it from this module's test-jar.
 * Its tick is {@value #TICK_MS} ms, so sessions may be as short as {@code 2 * tick} and at most
 * {@code 20 * tick} = 4 s.
 */
public final class EmbeddedZooKeeper implements AutoCloseable {
    /** The server's tick: short, so that a dead node's session expires within seconds. */
    public static final int TICK_MS = 200;

    private final Path base;
    private final TestingServer server;
    /** Deletes the folder if the JVM exits without {@link #close()} (a failed benchmark set-up, Ctrl-C on the demo). */
    private final Thread cleanUpAtExit;

    /** Starts the server. */
    public EmbeddedZooKeeper() {
        Path folder = null;
        try {
            folder = Files.createTempDirectory("ds-zookeeper-");
            Path data = Files.createDirectory(folder.resolve("data"));
            server = new TestingServer(new InstanceSpec(data.toFile(), -1, -1, -1, true, -1, TICK_MS, -1), true);
        } catch (Exception e) {
            if (folder != null) {
                deleteTree(folder);
            }
            throw new IllegalStateException("could not start an embedded ZooKeeper server", e);
        }
        base = folder;
        cleanUpAtExit = new Thread(() -> deleteTree(base), "ds-embedded-zookeeper-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanUpAtExit);
    }

    /** {@code 127.0.0.1:port}. */
    public String connectString() {
        return server.getConnectString();
    }

    /** The server itself, to stop and restart it. */
    public TestingServer server() {
        return server;
    }

    /** A backend on this server for this module's tests: a secret, a 4 s session, a 10 s connection timeout. */
    ZooKeeperBackend.Builder backend() {
        return ZooKeeperBackend.builder(connectString()).secret("test-cluster-secret-0123456789")
                .sessionTimeout(java.time.Duration.ofSeconds(4)).connectionTimeout(java.time.Duration.ofSeconds(10));
    }

    /** Stops the server and deletes its folder. */
    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteTree(base);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanUpAtExit);
            } catch (IllegalStateException e) {
                // The JVM is exiting already: the hook runs, and finds nothing left.
            }
        }
    }

    /** Deletes a folder and everything in it; nothing if it is not there. */
    public static void deleteTree(Path root) {
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
