package io.distributedsupervisor.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.Pid;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A 3-server ZooKeeper ensemble loses one server, then its quorum, and gets them back. */
class ZooKeeperEnsembleTest {
    private final List<Path> bases = new ArrayList<>();
    private TestingCluster ensemble;
    private ZooKeeperHarness cluster;
    private CallLoad load;

    @BeforeEach
    void start() throws Exception {
        SafetyWitness.clear();
        List<InstanceSpec> specs = new ArrayList<>();
        for (int id = 1; id <= 3; id++) {
            // Each server in a base folder of its own: TestingServer writes its properties beside the data folder.
            Path base = Files.createTempDirectory("ds-ensemble-");
            bases.add(base);
            specs.add(new InstanceSpec(Files.createDirectory(base.resolve("data")).toFile(), -1, -1, -1, true, id,
                    EmbeddedZooKeeper.TICK_MS, -1));
        }
        ensemble = new TestingCluster(specs);
        ensemble.start();
        cluster = new ZooKeeperHarness(() -> ZooKeeperBackend.builder(ensemble.getConnectString())
                .secret(EmbeddedZooKeeper.TEST_SECRET).digestAcl(EmbeddedZooKeeper.TEST_USER, EmbeddedZooKeeper.TEST_PASSWORD)
                .sessionTimeout(Duration.ofSeconds(4))
                .connectionTimeout(Duration.ofSeconds(15)));
        for (String n : List.of("n1", "n2", "n3")) {
            cluster.start(n);
        }
        cluster.awaitRing(List.of("n1", "n2", "n3"));
    }

    @AfterEach
    void stop() throws Exception {
        if (load != null) {
            load.close();
        }
        try {
            cluster.close();
            ensemble.close();
        } finally {
            bases.forEach(EmbeddedZooKeeper::deleteTree);
        }
    }

    @Test
    void losingOneServerChangesNothingAndLosingQuorumPausesWithoutDoubling() throws Exception {
        List<String> ids = IntStream.range(0, 90).mapToObj(i -> "ens-" + i).toList();
        ids.forEach(id -> cluster.node("n1").startChild(ChildSpec.of(WitnessedCounter.class).withId(id)));
        load = new CallLoad(cluster.live(), ids);
        await().until(() -> load.answered() > 500);
        Map<Object, Pid> before = CallLoad.runningOnce(cluster.live());
        List<InstanceSpec> servers = new ArrayList<>(ensemble.getInstances());

        ensemble.killServer(servers.get(0));
        long afterOne = load.answered();
        await().atMost(Duration.ofSeconds(30)).until(() -> load.answered() > afterOne + 500);
        // A node that was connected to the lost server is suspended (it lists no children) until it
        // reconnects to another, which under load can take longer than those calls: nothing moved
        // means the same incarnations once it has.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(CallLoad.runningOnce(cluster.live())).as("one server lost: nothing moved").isEqualTo(before));

        ensemble.killServer(servers.get(1));
        // No quorum: nothing may double while the nodes cannot reach ZooKeeper.
        await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(CallLoad.runningOnce(cluster.live()).size()).isLessThanOrEqualTo(90));

        ensemble.restartServer(servers.get(1));
        ensemble.restartServer(servers.get(0));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(CallLoad.runningOnce(cluster.live())).hasSize(90);
            for (DistributedSupervisor ds : cluster.live()) {
                assertThat(ds.children()).hasSize(90);
            }
        });
        long resumed = load.answered();
        await().atMost(Duration.ofSeconds(30)).until(() -> load.answered() > resumed + 500);
        load.close();
        assertThat(SafetyWitness.violations()).isEmpty();
    }
}
