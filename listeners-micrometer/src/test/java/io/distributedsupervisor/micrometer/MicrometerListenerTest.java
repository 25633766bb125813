package io.distributedsupervisor.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.ChildCrashedException;
import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.SupervisorOptions;
import io.distributedsupervisor.inmemory.InMemoryCluster;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The meters on a {@link SimpleMeterRegistry} after a scripted sequence on the in-memory backend
 * equal what happened: one listener instance shared by every node, told apart by the node tag.
 */
class MicrometerListenerTest {
    private final InMemoryCluster cluster = new InMemoryCluster();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MicrometerListener listener = new MicrometerListener(registry);

    @AfterEach
    void close() {
        TestChildren.Holder.OPEN.countDown();
        cluster.close();
        registry.close();
    }

    private List<DistributedSupervisor> start(int n, UnaryOperator<SupervisorOptions.Builder> more) {
        List<DistributedSupervisor> nodes = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            nodes.add(cluster.start(more.apply(SupervisorOptions.builder("Metered").nodeName("n" + i)
                    .allowList(List.of("io.distributedsupervisor.micrometer.*"))
                    .serviceLoaderListeners(false).listeners(List.of(listener)))));
        }
        return nodes;
    }

    /** The sum of the counters of this name with these tags (over the nodes, unless one is among the tags). */
    private double counted(String name, String... tags) {
        return registry.find("distributed.supervisor." + name).tags(tags).counters().stream().mapToDouble(Counter::count).sum();
    }

    private long timed(String name, String... tags) {
        return registry.find("distributed.supervisor." + name).tags(tags).timers().stream().mapToLong(Timer::count).sum();
    }

    private double gauge(String name, String node) {
        return registry.get("distributed.supervisor." + name).tag("node", node).gauge().value();
    }

    @Test
    void startsCallsACrashAndAStopAreCountedAndTimedAsTheyHappened() {
        List<DistributedSupervisor> nodes = start(3, b -> b);
        DistributedSupervisor n1 = nodes.get(0);
        DistributedSupervisor n2 = nodes.get(1);

        n1.startChild(ChildSpec.of(TestChildren.Counter.class).withId("a"), "n1");
        n1.startChild(ChildSpec.of(TestChildren.Counter.class).withId("b"), "n1");
        n2.startChild(ChildSpec.of(TestChildren.Counter.class).withId("c"), "n1");
        // Timers are recorded before startChild and call return: no wait.
        assertThat(timed("start.duration", "node", "n1", "location", "local", "outcome", "ok")).isEqualTo(2);
        assertThat(timed("start.duration", "node", "n2", "location", "remote", "outcome", "ok")).isEqualTo(1);
        assertThatThrownBy(() -> n1.startChild(ChildSpec.of(TestChildren.Counter.class).withId("a"), "n1"))
                .isInstanceOf(io.distributedsupervisor.ChildAlreadyStartedException.class);
        assertThat(timed("start.duration", "node", "n1", "outcome", "error")).isEqualTo(1);

        assertThat(n1.<Integer>call("a", "inc")).isEqualTo(1);
        assertThat(n2.<Integer>call("a", "inc")).isEqualTo(2);
        assertThatThrownBy(() -> n1.call("a", "crash")).isInstanceOf(ChildCrashedException.class);
        assertThat(timed("call.duration", "node", "n1", "location", "local", "outcome", "ok")).isEqualTo(1);
        assertThat(timed("call.duration", "node", "n2", "location", "remote", "outcome", "ok")).isEqualTo(1);
        assertThat(timed("call.duration", "node", "n1", "location", "local", "outcome", "error")).isEqualTo(1);
        assertThat(n1.callAsync("c", "inc", Duration.ofSeconds(5)).join()).isEqualTo(1);
        // recorded when the future completes, maybe just after join() returns
        await().untilAsserted(() -> assertThat(timed("call.duration", "node", "n1", "location", "local", "outcome", "ok"))
                .isEqualTo(2));
        assertThat(registry.get("distributed.supervisor.call.duration").tags("node", "n2", "location", "remote", "outcome", "ok")
                .timer().totalTime(java.util.concurrent.TimeUnit.NANOSECONDS)).isPositive();

        assertThat(n1.terminateChild((Object) "b")).isTrue();

        await().untilAsserted(() -> {
            assertThat(counted("starts", "node", "n1", "reason", "started")).isEqualTo(3);
            assertThat(counted("starts", "reason", "restarted")).isEqualTo(1);
            assertThat(counted("restarts", "node", "n1")).isEqualTo(1);
            assertThat(counted("crashes", "node", "n1")).isEqualTo(1);
            assertThat(counted("stops", "node", "n1", "reason", "error")).isEqualTo(1);
            assertThat(counted("stops", "node", "n1", "reason", "normal")).isEqualTo(1);
            assertThat(counted("stops")).isEqualTo(2);
            assertThat(counted("giveups")).isZero();
            assertThat(counted("failovers")).isZero();
            assertThat(counted("starts", "node", "n2")).isZero();
        });
        await().untilAsserted(() -> {
            assertThat(gauge("children.local", "n1")).isEqualTo(2); // a and c
            assertThat(gauge("children.local", "n2")).isZero();
            assertThat(gauge("children", "n2")).isEqualTo(2);
            assertThat(gauge("members", "n3")).isEqualTo(3);
        });
        // Every meter has both tags.
        assertThat(registry.getMeters()).allSatisfy(m -> assertThat(m.getId().getTag("supervisor")).isEqualTo("Metered"));
        assertThat(registry.getMeters()).allSatisfy(m -> assertThat(m.getId().getTag("node")).startsWith("n"));
    }

    @Test
    void aCrashLoopIsCountedUntilItsGiveUp() {
        DistributedSupervisor n1 = start(1, b -> b.maxRestarts(2).maxRestartWindow(Duration.ofMinutes(1))).get(0);

        n1.startChild(ChildSpec.of(TestChildren.CrashLoop.class).withId("loop"));

        await().untilAsserted(() -> {
            assertThat(counted("giveups")).isEqualTo(1);
            assertThat(counted("restarts")).isEqualTo(2);
            assertThat(counted("crashes")).isEqualTo(3); // two restarted, and the one that went over the limit
            assertThat(counted("stops", "reason", "error")).isEqualTo(2);
            assertThat(counted("stops", "reason", "given_up")).isEqualTo(1);
            assertThat(counted("starts", "reason", "started")).isEqualTo(1);
            assertThat(counted("starts", "reason", "restarted")).isEqualTo(2);
        });
        assertThat(n1.whereis("loop")).isEmpty();
    }

    @Test
    void theMailboxGaugesShowWhatWaits() {
        TestChildren.Holder.OPEN = new CountDownLatch(1);
        DistributedSupervisor n1 = start(1, b -> b).get(0);
        n1.startChild(ChildSpec.of(TestChildren.Holder.class).withId("h1"));
        n1.startChild(ChildSpec.of(TestChildren.Holder.class).withId("h2"));
        await().until(() -> gauge("children.local", "n1") == 2);
        assertThat(gauge("mailbox.depth.max", "n1")).isZero();

        n1.cast("h1", "hold");
        n1.cast("h2", "hold");
        for (int i = 0; i < 5; i++) {
            n1.cast("h1", "x");
        }
        n1.cast("h2", "x");
        n1.cast("h2", "x");

        // What a held child is processing is out of its mailbox: 5 and 2 wait.
        await().untilAsserted(() -> {
            assertThat(gauge("mailbox.depth.max", "n1")).isEqualTo(5);
            assertThat(gauge("mailbox.depth.total", "n1")).isEqualTo(7);
        });
        TestChildren.Holder.OPEN.countDown();
        await().untilAsserted(() -> assertThat(gauge("mailbox.depth.total", "n1")).isZero());
    }

    @Test
    void aFailoverIsCountedAndTimedOnTheNodesThatTookOver() {
        List<DistributedSupervisor> nodes = start(3, b -> b);
        DistributedSupervisor n1 = nodes.get(0);
        for (int i = 0; i < 30; i++) {
            n1.startChild(ChildSpec.of(TestChildren.Counter.class).withId("f" + i));
        }
        await().until(() -> n1.children().size() == 30);
        Map<Object, Pid> before = new HashMap<>(n1.children());
        long onN3 = before.values().stream().filter(p -> p.node().equals("n3")).count();
        assertThat(onN3).isPositive();
        assertThat(gauge("children.local", "n3")).isEqualTo(onN3);

        cluster.crash("n3");

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(counted("starts", "reason", "taken_over")).isEqualTo(onN3);
            assertThat(counted("failovers")).isPositive();
            assertThat(timed("failover.duration")).isEqualTo((long) counted("failovers"));
        });
        assertThat(counted("failovers", "node", "n3")).isZero();
        assertThat(counted("starts", "node", "n3", "reason", "taken_over")).isZero();
        assertThat(registry.get("distributed.supervisor.failover.duration").tag("node", "n1").timer().max(
                java.util.concurrent.TimeUnit.NANOSECONDS) + registry.get("distributed.supervisor.failover.duration")
                .tag("node", "n2").timer().max(java.util.concurrent.TimeUnit.NANOSECONDS)).isPositive();
        // The crashed node's gauges are gone; its counters stay.
        await().until(() -> registry.find("distributed.supervisor.children.local").tag("node", "n3").gauge() == null);
        assertThat(counted("starts", "node", "n3", "reason", "started")).isEqualTo(onN3);
        await().untilAsserted(() -> assertThat(gauge("children.local", "n1") + gauge("children.local", "n2")).isEqualTo(30));
        await().untilAsserted(() -> assertThat(registry.find("distributed.supervisor.members").gauges())
                .extracting(Gauge::value).containsOnly(2.0));
    }
}
