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

    /** The ZooKeeper digest credentials of the tests' nodes (their znodes' ACL). */
    public static final String TEST_USER = "ds-test";
    public static final String TEST_PASSWORD = "ds-test-password";
    /** The cluster secret of the tests' nodes. */
    public static final String TEST_SECRET = "test-cluster-secret-0123456789abcdef";

    /**
     * A backend on this server for this module's tests, closed as in production: digest ACLs of
     * the test user, a secret, a 4 s session, a 10 s connection timeout. A test that needs a
     * foreign client able to write says so with {@code openAcl(true)} (and no digestAcl: see
     * {@link #openBackend()}), or gives its client the test user's credentials ({@link #client}).
     */
    ZooKeeperBackend.Builder backend() {
        return ZooKeeperBackend.builder(connectString()).secret(TEST_SECRET).digestAcl(TEST_USER, TEST_PASSWORD)
                .sessionTimeout(java.time.Duration.ofSeconds(4)).connectionTimeout(java.time.Duration.ofSeconds(10));
    }

    /** {@link #backend()} with world-writable znodes ({@code openAcl}): for tests whose foreign client writes. */
    ZooKeeperBackend.Builder openBackend() {
        return ZooKeeperBackend.builder(connectString()).secret(TEST_SECRET).openAcl(true)
                .sessionTimeout(java.time.Duration.ofSeconds(4)).connectionTimeout(java.time.Duration.ofSeconds(10));
    }

    /**
     * A started Curator client of this server, outside any backend: with the test user's
     * credentials ({@code credentials}), or none (an outsider). The caller closes it.
     */
    public org.apache.curator.framework.CuratorFramework client(boolean credentials) {
        org.apache.curator.framework.CuratorFrameworkFactory.Builder b = org.apache.curator.framework.CuratorFrameworkFactory
                .builder().connectString(connectString()).retryPolicy(new org.apache.curator.retry.RetryOneTime(100));
        if (credentials) {
            b.authorization("digest", (TEST_USER + ":" + TEST_PASSWORD).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        org.apache.curator.framework.CuratorFramework c = b.build();
        c.start();
        try {
            if (!c.blockUntilConnected(10, java.util.concurrent.TimeUnit.SECONDS)) {
                c.close();
                throw new IllegalStateException("could not connect to " + connectString());
            }
        } catch (InterruptedException e) {
            c.close();
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return c;
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
