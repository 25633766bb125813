package io.distributedsupervisor.jmx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.ChildCrashedException;
import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.SupervisorOptions;
import io.distributedsupervisor.zookeeper.ZooKeeperBackend;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import javax.management.MBeanServerConnection;
import javax.management.Notification;
import javax.management.ObjectName;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The MBeans through a remote JMX connection, on two nodes of the ZooKeeper backend (a real server). */
class ZooKeeperJmxTest {
    private Path base;
    private TestingServer server;
    private RemoteJmx jmx;
    private MBeanServerConnection remote;
    private final List<DistributedSupervisor> nodes = new ArrayList<>();
    private final List<ZooKeeperBackend> backends = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        base = Files.createTempDirectory("ds-jmx-zk-");
        server = new TestingServer(new InstanceSpec(Files.createDirectory(base.resolve("data")).toFile(), -1, -1, -1,
                true, -1, 200, -1), true);
        jmx = RemoteJmx.start(ManagementFactory.getPlatformMBeanServer());
        remote = jmx.connection();
    }

    @AfterEach
    void stop() throws Exception {
        try {
            nodes.forEach(DistributedSupervisor::close);
            backends.forEach(ZooKeeperBackend::close);
            jmx.close();
            server.close();
        } finally {
            try (Stream<Path> paths = Files.walk(base)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private DistributedSupervisor node(String name) {
        ZooKeeperBackend backend = ZooKeeperBackend.builder(server.getConnectString())
                .secret("jmx-test-cluster-secret-0123456789ab").digestAcl("jmx-test", "jmx-test-password")
                .sessionTimeout(Duration.ofSeconds(4)).build();
        backends.add(backend);
        DistributedSupervisor ds = DistributedSupervisor.start(SupervisorOptions.builder("ZKDS").allowList(java.util.List.of("io.distributedsupervisor.jmx.*")).nodeName(name)
                .monitorNodes(true).serviceLoaderListeners(false).listeners(List.of(new JmxListener())).backend(backend)
                .build());
        nodes.add(ds);
        return ds;
    }

    private long attr(String node, String name) throws Exception {
        return ((Number) remote.getAttribute(JmxListener.objectName("ZKDS", node), name)).longValue();
    }

    @Test
    void countersAndNotificationsFollowRealEventsOnZooKeeper() throws Exception {
        DistributedSupervisor n1 = node("n1");
        DistributedSupervisor n2 = node("n2");
        await().atMost(Duration.ofSeconds(20)).until(() -> n1.nodes().size() == 2 && n2.nodes().size() == 2);
        ObjectName bean1 = JmxListener.objectName("ZKDS", "n1");
        await().atMost(Duration.ofSeconds(10)).until(() -> remote.isRegistered(bean1)
                && remote.isRegistered(JmxListener.objectName("ZKDS", "n2")));
        List<Notification> received = new CopyOnWriteArrayList<>();
        remote.addNotificationListener(bean1, (n, handback) -> received.add(n), null, null);

        for (int i = 0; i < 20; i++) {
            n1.startChild(ChildSpec.of(TestChildren.Counter.class).withId("z" + i), i % 2 == 0 ? "n1" : "n2");
        }
        n1.startChild(ChildSpec.of(TestChildren.Counter.class).withId("crashy"), "n2");
        assertThatThrownBy(() -> n1.call("crashy", "crash")).isInstanceOf(ChildCrashedException.class);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(attr("n2", "ProcessesCrashed")).isEqualTo(1);
            assertThat(attr("n2", "ProcessesRestarted")).isEqualTo(1);
            assertThat(attr("n2", "LocalChildCount")).isEqualTo(11);
            assertThat(attr("n1", "ClusterChildCount")).isEqualTo(21);
        });

        n2.close();
        nodes.remove(n2);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(attr("n1", "MigratedIn")).isEqualTo(11);
            assertThat(attr("n1", "LocalChildCount")).isEqualTo(21);
            assertThat(received).extracting(Notification::getType).contains(DistributedSupervisorMXBean.NODE_TERMINATE);
        });
        assertThat((String[]) remote.getAttribute(bean1, "RingNodes")).containsExactly("n1");
    }
}
