package io.distributedsupervisor.jmx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.MoveDecision;
import io.distributedsupervisor.SupervisorOptions;
import io.distributedsupervisor.inmemory.InMemoryCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import javax.management.MBeanInfo;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.Notification;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Moves reach JMX: the move notification and the counters by cause and outcome, and the rebalancing operations. */
class RebalanceJmxTest {
    static {
        org.awaitility.Awaitility.setDefaultPollInterval(Duration.ofMillis(10));
        org.awaitility.Awaitility.setDefaultPollDelay(Duration.ZERO);
        org.awaitility.Awaitility.setDefaultTimeout(Duration.ofSeconds(10));
    }

    private final InMemoryCluster cluster = new InMemoryCluster();
    private final MBeanServer server = MBeanServerFactory.newMBeanServer();
    /** The id the nodes' move veto vetoes. */
    private final java.util.concurrent.atomic.AtomicReference<Object> keep = new java.util.concurrent.atomic.AtomicReference<>();

    @AfterEach
    void close() {
        cluster.close();
    }

    private DistributedSupervisor start(String node, JmxListener jmx) {
        return cluster.start(SupervisorOptions.builder("Moves").nodeName(node).serviceLoaderListeners(false)
                .listeners(List.of(jmx)).allowList(List.of("io.distributedsupervisor.jmx.*"))
                .moveVeto((id, from, to, cause) -> id.equals(keep.get()) ? MoveDecision.VETO : MoveDecision.ALLOW));
    }

    @Test
    void aRebalanceThroughJmxSendsOneMoveNotificationPerMoveAndCountsThemByCauseAndOutcome() throws Exception {
        JmxListener jmx = new JmxListener(server);
        DistributedSupervisor n1 = start("n1", jmx);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            ids.add("c" + i);
        }
        for (String id : ids) {
            n1.startChild(ChildSpec.of(TestChildren.Counter.class).withId(id));
        }
        DistributedSupervisor n2 = start("n2", jmx);
        await().until(() -> n1.nodes().size() == 2);
        List<String> ringSaysN2 = ids.stream().filter(id -> n1.nodeFor(id).equals("n2")).toList();
        assertThat(ringSaysN2).hasSizeGreaterThan(1);
        keep.set(ringSaysN2.get(0));
        long toN2 = ringSaysN2.size() - 1;

        ObjectName name = JmxListener.objectName("Moves", "n1");
        await().until(() -> server.isRegistered(name));
        BlockingQueue<Notification> seen = new LinkedBlockingQueue<>();
        server.addNotificationListener(name, (n, h) -> {
            if (n.getType().equals(DistributedSupervisorMXBean.CHILD_MOVE)) {
                seen.add(n);
            }
        }, null, null);

        server.invoke(name, "pauseRebalancing", new Object[0], new String[0]);
        assertThat(server.getAttribute(name, "RebalancingPaused")).isEqualTo(true);
        Object queued = server.invoke(name, "rebalance", new Object[0], new String[0]);
        assertThat(queued).isEqualTo((int) toN2 + 1);
        await().during(Duration.ofMillis(200)).until(() -> seen.isEmpty() && n2.localChildren().isEmpty());
        server.invoke(name, "resumeRebalancing", new Object[0], new String[0]);
        assertThat(server.getAttribute(name, "RebalancingPaused")).isEqualTo(false);

        await().untilAsserted(() -> {
            assertThat(server.getAttribute(name, "MovesExplicit")).isEqualTo(toN2);
            assertThat(server.getAttribute(name, "MovesVetoed")).isEqualTo(1L);
            assertThat(seen).hasSize((int) toN2 + 1);
        });
        for (String counter : List.of("MovesJoin", "MovesLeave", "MovesDrain", "MovesDropped", "MovesFailed")) {
            assertThat(server.getAttribute(name, counter)).as(counter).isEqualTo(0L);
        }
        await().until(() -> n2.localChildren().size() == toN2); // n2 starts them from their specs
        for (Notification n : seen) {
            CompositeData d = (CompositeData) n.getUserData();
            assertThat(d.get("supervisor")).isEqualTo("Moves");
            assertThat(d.get("reportedBy")).isEqualTo("n1");
            assertThat(d.get("from")).isEqualTo("n1");
            assertThat(d.get("to")).isEqualTo("n2");
            assertThat(d.get("cause")).isEqualTo("EXPLICIT");
            assertThat(d.get("outcome")).isEqualTo(d.get("childId").equals(keep.get()) ? "VETOED" : "MOVED");
            assertThat(d.get("idType")).isEqualTo("string");
            assertThat((Long) d.get("tookMillis")).isNotNegative();
            assertThat(n.getMessage()).contains("EXPLICIT move of child " + d.get("childId")).contains("n1").contains("n2");
        }

        MBeanInfo info = server.getMBeanInfo(name);
        assertThat(Arrays.stream(info.getNotifications()).filter(i -> Arrays.asList(i.getNotifTypes())
                .contains(DistributedSupervisorMXBean.CHILD_MOVE))).singleElement()
                .satisfies(i -> assertThat(i.getDescription()).contains("userData").contains("cause").contains("outcome"));
        assertThat(Arrays.stream(info.getAttributes()).filter(a -> a.getName().startsWith("Moves")))
                .extracting(a -> a.getName())
                .containsExactlyInAnyOrder("MovesJoin", "MovesLeave", "MovesDrain", "MovesExplicit", "MovesVetoed",
                        "MovesDropped", "MovesFailed");
        assertThat(Arrays.stream(info.getAttributes()).filter(a -> a.getName().startsWith("Moves")))
                .allSatisfy(a -> assertThat(a.getDescription()).doesNotStartWith("Attribute exposed"));
        assertThat(Arrays.stream(info.getOperations()).filter(o -> o.getName().contains("ebalanc")))
                .extracting(o -> o.getName())
                .containsExactlyInAnyOrder("rebalance", "pauseRebalancing", "resumeRebalancing");
        assertThat(Arrays.stream(info.getOperations()).filter(o -> o.getName().contains("ebalanc")))
                .allSatisfy(o -> assertThat(o.getDescription()).doesNotStartWith("Operation exposed"));
    }
}
