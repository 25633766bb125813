package io.distributedsupervisor.jmx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.SupervisorOptions;
import io.distributedsupervisor.inmemory.InMemoryCluster;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/** The parts that need no cluster: names, id parsing, the bounded notification queue. */
class UnitsTest {

    @Test
    void objectNameQuotesOnlyValuesThatNeedIt() throws Exception {
        ObjectName plain = JmxListener.objectName("DS", "host-1@x.y");
        assertThat(plain.toString()).isEqualTo("io.distributedsupervisor:type=DistributedSupervisor,name=DS,node=host-1@x.y");

        ObjectName quoted = JmxListener.objectName("DS", "host:9000,a=b");
        assertThat(ObjectName.unquote(quoted.getKeyProperty("node"))).isEqualTo("host:9000,a=b");
        assertThat(quoted.getKeyProperty("name")).isEqualTo("DS");

        assertThatThrownBy(() -> JmxListener.objectName("DS", "")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the node name of an MBean must not be empty");
    }

    @Test
    void idsAreReadBackAsTheTypeTheyWereShownWith() {
        UUID u = UUID.randomUUID();
        for (Object id : new Object[] {"a b", 42L, 7, u}) {
            assertThat(ChildInfo.parseId(String.valueOf(id), ChildInfo.idType(id))).isEqualTo(id);
        }
        assertThat(ChildInfo.parseId("12", "Integer")).isEqualTo(12);
        assertThatThrownBy(() -> ChildInfo.parseId("x", "uuid")).hasMessage("id 'x' is not a UUID");
        assertThatThrownBy(() -> ChildInfo.parseId("9999999999", "int")).hasMessage("id '9999999999' is not an int");
        assertThatThrownBy(() -> ChildInfo.parseId("1", null))
                .hasMessage("idType must be one of string, long, int, uuid; got null");
    }

    @Test
    void anUntrustedEntryIsCountedAndNotifiedOnTheNodeThatIgnoredIt() throws Exception {
        javax.management.MBeanServer server = javax.management.MBeanServerFactory.newMBeanServer();
        JmxListener jmx = new JmxListener(server);
        try (InMemoryCluster cluster = new InMemoryCluster()) {
            DistributedSupervisor ds = cluster.start(SupervisorOptions.builder("Watch").nodeName("n1")
                    .serviceLoaderListeners(false).listeners(java.util.List.of(jmx)));
            ObjectName name = JmxListener.objectName("Watch", "n1");
            java.util.concurrent.BlockingQueue<javax.management.Notification> seen = new java.util.concurrent.LinkedBlockingQueue<>();
            org.awaitility.Awaitility.await().until(() -> server.isRegistered(name));
            server.addNotificationListener(name, (n, h) -> seen.add(n), null, null);

            jmx.onEvent(new io.distributedsupervisor.spi.ListenerEvent.Untrusted("Watch", "n1", "members/ghost",
                    "not ephemeral"));

            assertThat(server.getAttribute(name, "UntrustedEntries")).isEqualTo(1L);
            javax.management.Notification n = seen.poll(10, TimeUnit.SECONDS);
            assertThat(n).isNotNull();
            assertThat(n.getType()).isEqualTo(DistributedSupervisorMXBean.UNTRUSTED);
            assertThat(n.getMessage()).contains("members/ghost").contains("not ephemeral").contains("n1");
            ds.close();
        }
    }

    @Test
    void notificationsBeyondTheQueueAreDroppedAndCountedWithoutBlockingTheSender() throws Exception {
        try (InMemoryCluster cluster = new InMemoryCluster()) {
            DistributedSupervisor ds = cluster.start(SupervisorOptions.builder("Drop").allowList(java.util.List.of("io.distributedsupervisor.jmx.*")).nodeName("n1")
                    .serviceLoaderListeners(false));
            SupervisorMBean bean = new SupervisorMBean(ds, new NodeStats(), JmxListener.objectName("Drop", "n1"));
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            bean.dynamic().addNotificationListener((n, h) -> {
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, null, null);
            try {
                int sent = SupervisorMBean.NOTIFICATION_QUEUE + 76;
                for (int i = 0; i < sent; i++) {
                    bean.send(DistributedSupervisorMXBean.NODE_UP, "test " + i, null);
                }
                // the first went straight to the notifier thread, the queue holds the next ones
                assertThat(bean.getNotificationsDropped()).isEqualTo(75);
                assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            } finally {
                release.countDown();
                bean.close();
            }
        }
    }
}
