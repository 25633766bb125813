package io.distributedsupervisor.it;

import io.distributedsupervisor.zookeeper.EmbeddedZooKeeper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;

/**
 * A real 3-server ZooKeeper ensemble in this JVM (curator-test's {@link TestingCluster}), each
 * server in a temporary base folder of its own (TestingServer writes its properties beside the
 * data folder), all deleted on {@link #close()}. Tick {@value EmbeddedZooKeeper#TICK_MS} ms, so
 * sessions of up to 4 s.
 */
final class ZooKeeperEnsemble implements AutoCloseable {
    private final List<Path> bases = new ArrayList<>();
    private final TestingCluster cluster;

    ZooKeeperEnsemble() throws Exception {
        List<InstanceSpec> specs = new ArrayList<>();
        for (int id = 1; id <= 3; id++) {
            Path base = Files.createTempDirectory("ds-it-ensemble-");
            bases.add(base);
            specs.add(new InstanceSpec(Files.createDirectory(base.resolve("data")).toFile(), -1, -1, -1, true, id,
                    EmbeddedZooKeeper.TICK_MS, -1));
        }
        cluster = new TestingCluster(specs);
        cluster.start();
    }

    String connectString() {
        return cluster.getConnectString();
    }

    /** The servers, in a fixed order. */
    List<InstanceSpec> servers() {
        return new ArrayList<>(cluster.getInstances());
    }

    void stop(InstanceSpec server) throws Exception {
        cluster.killServer(server);
    }

    void restart(InstanceSpec server) throws Exception {
        cluster.restartServer(server);
    }

    @Override
    public void close() throws Exception {
        try {
            cluster.close();
        } finally {
            bases.forEach(EmbeddedZooKeeper::deleteTree);
        }
    }
}
