package io.distributedsupervisor.jmx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.SupervisorOptions;
import io.distributedsupervisor.inmemory.InMemoryCluster;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Registration and unregistration, switching off, and what a slow JMX client can and cannot do. */
class LifecycleTest {
    static {
        org.awaitility.Awaitility.setDefaultPollInterval(Duration.ofMillis(10));
        org.awaitility.Awaitility.setDefaultPollDelay(Duration.ZERO);
        org.awaitility.Awaitility.setDefaultTimeout(Duration.ofSeconds(10));
    }

    private static final MBeanServer PLATFORM = ManagementFactory.getPlatformMBeanServer();

    private final InMemoryCluster cluster = new InMemoryCluster();

    @AfterEach
    void close() {
        try {
            cluster.close();
        } finally {
            System.clearProperty(JmxListener.ENABLED_PROPERTY);
        }
    }

    @Test
    void manySupervisorsSharingOneListenerLeaveNoMBeanThreadOrReferenceBehind() throws Exception {
        JmxListener shared = new JmxListener();
        AtomicInteger terminates = new AtomicInteger();
        NotificationListener count = (n, h) -> terminates.incrementAndGet();
        List<DistributedSupervisor> survivors = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String name = "S" + i;
            DistributedSupervisor a = cluster.start(options(name, "a").listeners(List.of(shared)));
            cluster.start(options(name, "b").listeners(List.of(shared)));
            survivors.add(a);
        }
        await().until(() -> ours().size() == 100);
        assertThat(shared.registeredCount()).isEqualTo(100);
        for (DistributedSupervisor a : survivors) {
            PLATFORM.addNotificationListener(JmxListener.objectName(a.name(), "a"), count, null, null);
            assertThat(PLATFORM.getAttribute(JmxListener.objectName(a.name(), "a"), "SupervisorName")).isEqualTo(a.name());
        }

        cluster.stop("b"); // every supervisor on b closes: a gets a terminate notification on its own thread
        await().until(() -> terminates.get() == 50);
        assertThat(ours()).hasSize(50).allMatch(n -> n.getKeyProperty("node").equals("a"));
        cluster.stop("a");

        assertThat(ours()).as("MBeans of our domain left").isEmpty();
        assertThat(shared.registeredCount()).isZero();
        await().until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("ds-jmx-notify-")));
    }

    @Test
    void supervisorsStartedAndClosedOrCrashedOneAfterAnotherLeaveNothing() throws Exception {
        for (int i = 0; i < 50; i++) {
            String node = "n" + i;
            DistributedSupervisor ds = cluster.start(SupervisorOptions.builder("Cycle").allowList(java.util.List.of("io.distributedsupervisor.jmx.*")).nodeName(node)); // ServiceLoader's
            ds.startChild(ChildSpec.of(TestChildren.Counter.class).withId("c" + i));
            await().until(() -> PLATFORM.isRegistered(JmxListener.objectName("Cycle", node))); // on the listener thread
            if (i % 2 == 0) {
                cluster.stop(node);
                assertThat(ours()).isEmpty(); // close returns after the listeners had their last call
            } else {
                cluster.crash(node);
                await().until(() -> ours().isEmpty());
            }
        }
        assertThat(ours()).isEmpty();
    }

    @Test
    void theSystemPropertySwitchesEveryInstanceOff() throws Exception {
        System.setProperty(JmxListener.ENABLED_PROPERTY, "false");
        JmxListener explicit = new JmxListener();
        cluster.start(SupervisorOptions.builder("Off").allowList(java.util.List.of("io.distributedsupervisor.jmx.*")).nodeName("n1").listeners(List.of(explicit)));
        cluster.start(SupervisorOptions.builder("Off").allowList(java.util.List.of("io.distributedsupervisor.jmx.*")).nodeName("n2"));

        assertThat(ours()).isEmpty();
        assertThat(explicit.registeredCount()).isZero();
        assertThat(explicit.toString()).contains("disabled by ds.jmx.enabled");
    }

    @Test
    void serviceLoaderListenersFalseLeavesTheSupervisorUnpublished() throws Exception {
        DistributedSupervisor ds = cluster.start(SupervisorOptions.builder("Quiet").allowList(java.util.List.of("io.distributedsupervisor.jmx.*")).nodeName("n1").serviceLoaderListeners(false));
        ds.startChild(ChildSpec.of(TestChildren.Counter.class).withId("c"));
        assertThat(ours()).isEmpty();
    }

    @Test
    void anExplicitListenerCanUseItsOwnMBeanServer() throws Exception {
        MBeanServer own = MBeanServerFactory.newMBeanServer();
        JmxListener listener = new JmxListener(own);
        DistributedSupervisor ds = cluster.start(SupervisorOptions.builder("Own").allowList(java.util.List.of("io.distributedsupervisor.jmx.*")).nodeName("n1").serviceLoaderListeners(false)
                .listeners(List.of(listener)));
        await().until(() -> own.isRegistered(JmxListener.objectName("Own", "n1")));
        assertThat(ours()).isEmpty();

        ds.close();
        assertThat(own.queryNames(new ObjectName(JmxListener.DOMAIN + ":*"), null)).isEmpty();
    }

    @Test
    void addedBothExplicitlyAndByServiceLoaderItRegistersOnceAndTheSupervisorRuns() throws Exception {
        JmxListener explicit = new JmxListener();
        DistributedSupervisor ds = cluster.start(SupervisorOptions.builder("Twice").allowList(java.util.List.of("io.distributedsupervisor.jmx.*")).nodeName("n1").listeners(List.of(explicit)));
        ds.startChild(ChildSpec.of(TestChildren.Counter.class).withId("c"));
        assertThat((Integer) ds.call("c", "inc")).isEqualTo(1);
        await().until(() -> ours().size() == 1);
        // whichever instance came second found the name taken, logged it and stays out of the way
        await().until(() -> (Long) PLATFORM.getAttribute(JmxListener.objectName("Twice", "n1"), "ProcessesStarted") == 1);

        ds.close();
        assertThat(ours()).isEmpty();
        assertThat(explicit.registeredCount()).isZero();
    }

    @Test
    void aBlockedInProcessNotificationListenerDoesNotStallTheSupervisor() throws Exception {
        DistributedSupervisor n1 = cluster.start(SupervisorOptions.builder("Slow").allowList(java.util.List.of("io.distributedsupervisor.jmx.*")).nodeName("n1"));
        cluster.start(SupervisorOptions.builder("Slow").allowList(java.util.List.of("io.distributedsupervisor.jmx.*")).nodeName("n2"));
        ObjectName name = JmxListener.objectName("Slow", "n1");
        await().until(() -> PLATFORM.isRegistered(name));
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        PLATFORM.addNotificationListener(name, (n, h) -> {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, null, null);
        PLATFORM.addNotificationListener(name, (n, h) -> {
            throw new IllegalStateException("a notification listener that throws");
        }, null, null);
        try {
            cluster.stop("n2"); // n1 sends node.terminate; the listener blocks on it
            assertThat(entered.await(10, TimeUnit.SECONDS)).as("the blocking listener got the notification").isTrue();

            n1.startChild(ChildSpec.of(TestChildren.Counter.class).withId("after"));
            await().until(() -> (Long) PLATFORM.getAttribute(name, "ProcessesStarted") == 1);
            await().until(() -> (Long) PLATFORM.getAttribute(name, "NodesTerminated") == 1);
            assertThat((Integer) n1.call("after", "inc")).isEqualTo(1);
        } finally {
            release.countDown();
        }
        n1.close();
        assertThat(PLATFORM.isRegistered(name)).isFalse();
    }

    private static SupervisorOptions.Builder options(String supervisor, String node) {
        return SupervisorOptions.builder(supervisor).allowList(java.util.List.of("io.distributedsupervisor.jmx.*")).nodeName(node).serviceLoaderListeners(false);
    }

    private static java.util.Set<ObjectName> ours() throws Exception {
        return PLATFORM.queryNames(new ObjectName(JmxListener.DOMAIN + ":*"), null);
    }
}
