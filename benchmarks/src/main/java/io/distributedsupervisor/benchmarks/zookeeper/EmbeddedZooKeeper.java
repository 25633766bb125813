package io.distributedsupervisor.benchmarks.zookeeper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;

/** A real ZooKeeper server for a benchmark run, in a temporary folder deleted on close. */
final class EmbeddedZooKeeper implements AutoCloseable {
    private final Path base;
    private final TestingServer server;

    EmbeddedZooKeeper() throws Exception {
        base = Files.createTempDirectory("ds-bench-zk-");
        InstanceSpec spec = new InstanceSpec(Files.createDirectory(base.resolve("data")).toFile(), -1, -1, -1, true, -1,
                500, -1);
        server = new TestingServer(spec, true);
    }

    String connectString() {
        return server.getConnectString();
    }

    @Override
    public void close() throws IOException {
        try {
            server.close();
        } finally {
            try (Stream<Path> paths = Files.walk(base)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
