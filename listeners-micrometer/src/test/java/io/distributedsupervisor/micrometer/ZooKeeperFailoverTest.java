package io.distributedsupervisor.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.SupervisorOptions;
import io.distributedsupervisor.zookeeper.EmbeddedZooKeeper;
import io.distributedsupervisor.zookeeper.ZooKeeperBackend;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A failover on a real ZooKeeper server, counted and timed on the survivor. */
class ZooKeeperFailoverTest {
    private final EmbeddedZooKeeper zooKeeper = new EmbeddedZooKeeper();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<DistributedSupervisor> nodes = new ArrayList<>();
    private final List<ZooKeeperBackend> backends = new ArrayList<>();

    @AfterEach
    void stop() {
        try {
            nodes.forEach(DistributedSupervisor::close);
            backends.forEach(ZooKeeperBackend::close);
        } finally {
            zooKeeper.close();
            registry.close();
        }
    }

    private DistributedSupervisor node(String name) {
        ZooKeeperBackend backend = ZooKeeperBackend.builder(zooKeeper.connectString())
                .secret(EmbeddedZooKeeper.TEST_SECRET).digestAcl(EmbeddedZooKeeper.TEST_USER, EmbeddedZooKeeper.TEST_PASSWORD)
                .sessionTimeout(Duration.ofSeconds(4)).build();
        backends.add(backend);
        DistributedSupervisor ds = DistributedSupervisor.start(SupervisorOptions.builder("ZkMetered").nodeName(name)
                .allowList(List.of("io.distributedsupervisor.micrometer.*")).backend(backend)
                .listeners(List.of(new MicrometerListener(registry))).build());
        nodes.add(ds);
        return ds;
    }

    private double counted(String name, String node, String... tags) {
        return registry.find("distributed.supervisor." + name).tag("node", node).tags(tags).counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    @Test
    void aNodeLostOnZooKeeperIsAFailoverCountedAndTimedOnTheSurvivor() {
        DistributedSupervisor n1 = node("n1");
        DistributedSupervisor n2 = node("n2");
        await().until(() -> n1.nodes().size() == 2 && n2.nodes().size() == 2);
        List<String> onN2 = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String id = "z" + i;
            if (n1.startChild(ChildSpec.of(TestChildren.Counter.class).withId(id)).pid().node().equals("n2")) {
                onN2.add(id);
            }
        }
        assertThat(onN2).isNotEmpty();
        assertThat(n1.<Integer>call(onN2.get(0), "inc")).isEqualTo(1);
        assertThat(registry.get("distributed.supervisor.call.duration").tags("node", "n1", "location", "remote", "outcome", "ok")
                .timer().count()).isEqualTo(1);

        backends.get(1).close(); // n2's sessions end at once, as when its process dies

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(counted("starts", "n1", "reason", "taken_over")).isEqualTo(onN2.size());
            assertThat(counted("failovers", "n1")).isEqualTo(1);
        });
        Timer took = registry.get("distributed.supervisor.failover.duration").tag("node", "n1").timer();
        assertThat(took.count()).isEqualTo(1);
        assertThat(took.totalTime(TimeUnit.NANOSECONDS)).isPositive();
        assertThat(counted("failovers", "n2")).isZero();
        await().untilAsserted(() -> assertThat(registry.get("distributed.supervisor.children.local").tag("node", "n1")
                .gauge().value()).isEqualTo(20));
        assertThat(n1.<Integer>call(onN2.get(0), "inc")).isEqualTo(1); // a fresh incarnation, here
    }
}
