package io.distributedsupervisor.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.SupervisorOptions;
import io.distributedsupervisor.spi.BackendException;
import io.distributedsupervisor.spi.Delivery;
import io.distributedsupervisor.spi.MessageHandler;
import io.distributedsupervisor.spi.NodeSession;
import io.distributedsupervisor.spi.Responder;
import io.distributedsupervisor.spi.SessionListener;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One ZooKeeper session and one transport per node and JVM, shared by every supervisor of that
 * node ({@link SharedConnection}): what it costs, that messages reach the right supervisor, and
 * that closing one supervisor or losing the shared session does what it did with one session each.
 * Each test has a server of its own, so that its connection count is this test's.
 */
class SharedConnectionTest {
    private EmbeddedZooKeeper server;
    private ZooKeeperHarness cluster;

    @BeforeEach
    void start() {
        SafetyWitness.clear();
        cluster = new ZooKeeperHarness(); // a server of its own, closed with it
        server = cluster.server();
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    /** Supervisor {@code supervisor} on node {@code node}, with a backend of its own built from the tests' settings. */
    private DistributedSupervisor start(String supervisor, String node) {
        return cluster.start(SupervisorOptions.builder(supervisor).nodeName(node).serviceLoaderListeners(false)
                .callTimeout(Duration.ofSeconds(10)).allowList(ZooKeeperHarness.ALLOW_LIST), b -> b);
    }

    private static List<String> supervisors(int n) {
        return IntStream.rangeClosed(1, n).mapToObj(i -> "S" + i).toList();
    }

    // ---- what a supervisor costs ----

    @Test
    void tenSupervisorsOfOneNodeShareOneSessionOnePortAndAddAtMostOneThreadEach() throws Exception {
        // The JVM-wide parts (the runtime's timer, class loading, Netty's globals) start with the
        // first supervisor of all: warmed up on another node name, so that the counts below are
        // the supervisors' own.
        start("warm-up", "w");
        cluster.stop("w");
        await().atMost(Duration.ofSeconds(30)).until(() -> zooKeeperConnections() == 0);
        int threadsBefore = settledThreads();
        long socketsBefore = sockets();

        List<DistributedSupervisor> started = new ArrayList<>();
        started.add(start("S1", "a"));
        int threadsWithOne = settledThreads();
        java.util.Set<String> namesWithOne = platformThreadNames();
        long socketsWithOne = sockets();
        assertThat(zooKeeperConnections()).as("ZooKeeper sessions of one supervisor").isEqualTo(1);

        // With a listener each, so that the runtime's one thread per supervisor (its listener
        // dispatcher) is counted too: the bound below is then tight.
        for (String s : supervisors(10).subList(1, 10)) {
            started.add(cluster.start(SupervisorOptions.builder(s).nodeName("a").serviceLoaderListeners(false)
                    .listeners(List.of(new io.distributedsupervisor.spi.Listener() {
                    })).callTimeout(Duration.ofSeconds(10)).allowList(ZooKeeperHarness.ALLOW_LIST), b -> b));
        }
        int threadsWithTen = settledThreads();
        long socketsWithTen = sockets();
        List<ZooKeeperSession> sessions = cluster.sessions("a");
        System.out.printf("platform threads: %d before, %d with 1 supervisor (+%d), %d with 10 (+%d more); "
                        + "sockets: %d before, %d with 1, %d with 10; ZooKeeper sessions on the server: %d%n",
                threadsBefore, threadsWithOne, threadsWithOne - threadsBefore, threadsWithTen,
                threadsWithTen - threadsWithOne, socketsBefore, socketsWithOne, socketsWithTen, zooKeeperConnections());

        assertThat(sessions).hasSize(10);
        assertThat(zooKeeperConnections()).as("ZooKeeper sessions of ten supervisors of one node").isEqualTo(1);
        assertThat(sessions.stream().map(NodeSession::sessionId).distinct()).hasSize(1);
        assertThat(sessions.stream().map(s -> s.transport().address()).distinct()).as("listening ports").hasSize(1);
        String port = sessions.get(0).transport().address();
        java.util.Set<String> added = new java.util.TreeSet<>(platformThreadNames());
        added.removeAll(namesWithOne);
        assertThat(threadsWithTen - threadsWithOne).as("platform threads of 9 supervisors added, with listeners: %s",
                added).isLessThanOrEqualTo(9);
        if (socketsBefore >= 0) {
            assertThat(socketsWithTen).as("open sockets of the process").isEqualTo(socketsWithOne);
        }
        // Each of them works: a child in each, on the shared session.
        for (DistributedSupervisor ds : started) {
            ds.startChild(ChildSpec.of(WhereAmI.class).withId("here"));
            assertThat((Object) ds.call("here", "where")).isEqualTo(ds.name() + "@a");
        }

        for (DistributedSupervisor ds : started) {
            ds.close();
        }
        cluster.stop("a");
        await().atMost(Duration.ofSeconds(30)).until(() -> zooKeeperConnections() == 0);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(platformThreads()).as("platform threads after every supervisor closed")
                        .isLessThanOrEqualTo(threadsBefore));
        // The process's socket count is not checked here: other parts of the test JVM open and
        // close sockets meanwhile. What the supervisors held is: their session (above) and their port.
        await().atMost(Duration.ofSeconds(30)).until(() -> !listening(port));
    }

    /** Whether something accepts connections at {@code host:port}. */
    private static boolean listening(String address) {
        int colon = address.lastIndexOf(':');
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(address.substring(0, colon),
                    Integer.parseInt(address.substring(colon + 1))), 1_000);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Test
    void supervisorsJoiningAtOnceOpenOneConnection() throws Exception {
        List<java.util.concurrent.Future<DistributedSupervisor>> joins = new ArrayList<>();
        try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (String s : supervisors(6)) {
                joins.add(threads.submit(() -> start(s, "a")));
            }
        }
        for (var join : joins) {
            assertThat(join.get().nodes()).contains("a");
        }
        assertThat(cluster.sessions("a")).hasSize(6);
        assertThat(cluster.sessions("a").stream().map(NodeSession::sessionId).distinct()).hasSize(1);
        assertThat(zooKeeperConnections()).isEqualTo(1);
    }

    @Test
    void nodesWithOtherNamesOrSettingsGetConnectionsOfTheirOwn() throws Exception {
        start("S1", "a");
        start("S2", "a");
        start("S1", "b");
        cluster.start(SupervisorOptions.builder("S3").nodeName("a").serviceLoaderListeners(false)
                .allowList(ZooKeeperHarness.ALLOW_LIST), b -> b.sessionTimeout(Duration.ofSeconds(3)));

        assertThat(cluster.sessions("a", "S1").get(0).sessionId()).isEqualTo(cluster.sessions("a", "S2").get(0).sessionId());
        assertThat(cluster.sessions("b", "S1").get(0).sessionId()).isNotEqualTo(cluster.sessions("a", "S1").get(0).sessionId());
        assertThat(cluster.sessions("a", "S3").get(0).sessionId()).isNotEqualTo(cluster.sessions("a", "S1").get(0).sessionId());
        assertThat(zooKeeperConnections()).isEqualTo(3);
    }

    @Test
    void aSupervisorJoinedTwiceAsOneNodeIsRefusedClearlyAndTheFirstGoesOn() {
        DistributedSupervisor first = start("S1", "a");
        ZooKeeperBackend other = server.backend().namespace(cluster.namespace()).build();
        try {
            assertThatThrownBy(() -> other.join("S1", "a", new SessionListener() {
            }, new Silent()))
                    .isInstanceOf(BackendException.class)
                    .hasMessageContaining("node a is already a live member of supervisor S1");
        } finally {
            other.close();
        }
        first.startChild(ChildSpec.of(WhereAmI.class).withId("x"));
        assertThat((Object) first.call("x", "where")).isEqualTo("S1@a");
    }

    // ---- messages ----

    @Test
    void callsAndCastsBetweenTwoNodesOfThreeSupervisorsEachReachTheRightSupervisor() {
        List<String> names = supervisors(3);
        for (String node : List.of("a", "b")) {
            for (String s : names) {
                start(s, node);
            }
        }
        Map<String, DistributedSupervisor> onA = names.stream().collect(Collectors.toMap(s -> s, s -> supervisor("a", s)));
        for (String s : names) {
            onA.get(s).startChild(ChildSpec.of(WhereAmI.class).withId("same-id"), "b");
        }
        for (int i = 0; i < names.size(); i++) {
            String s = names.get(i);
            DistributedSupervisor ds = onA.get(s);
            assertThat((Object) ds.call("same-id", "where")).isEqualTo(s + "@b");
            for (int k = 0; k <= i; k++) {
                ds.cast("same-id", "one more");
            }
        }
        for (int i = 0; i < names.size(); i++) {
            int expected = i + 1;
            DistributedSupervisor ds = onA.get(names.get(i));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat((Object) ds.call("same-id", "casts")).isEqualTo(expected));
        }
        assertThat(cluster.sessions("a").stream().map(s -> s.transport().address()).distinct()).hasSize(1);
        assertThat(cluster.sessions("b").stream().map(s -> s.transport().address()).distinct()).hasSize(1);
    }

    @Test
    void aRequestForASupervisorThePeerDoesNotHostIsAnsweredAtOnceAsNotSentNamingBoth() throws Exception {
        start("S1", "a");
        start("S1", "b");
        cluster.awaitRing(List.of("a", "b"));
        ZooKeeperSession fromA = cluster.sessions("a", "S1").get(0);
        String addressOfB = cluster.sessions("b", "S1").get(0).transport().address();

        Delivery answer = fromA.transport().request("b", addressOfB,
                SupervisorRoutes.route("S9".getBytes(StandardCharsets.US_ASCII), new byte[] {1, 2, 3}))
                .get(10, java.util.concurrent.TimeUnit.SECONDS);

        // Nothing ran, so the caller's runtime may retry (the supervisor may have closed there a
        // moment ago, and its children be elsewhere by now): not sent, with the reason.
        assertThat(answer).isInstanceOfSatisfying(Delivery.NotSent.class, notSent ->
                assertThat(notSent.reason()).contains("peer b did not take the request")
                        .contains("supervisor S9 does not run on node b"));
        // A request whose route cannot be read (a length past its end) is answered alike.
        Delivery garbled = fromA.transport().request("b", addressOfB, new byte[] {(byte) 200, 1, 2})
                .get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(garbled).isInstanceOfSatisfying(Delivery.NotSent.class, notSent ->
                assertThat(notSent.reason()).contains("names no supervisor"));
        // The connection goes on serving the supervisor that runs there.
        supervisor("a", "S1").startChild(ChildSpec.of(WhereAmI.class).withId("x"), "b");
        assertThat((Object) supervisor("a", "S1").call("x", "where")).isEqualTo("S1@b");
    }

    // ---- closing one supervisor, losing the shared session ----

    @Test
    void aSupervisorClosedWhileOthersKeepTheSessionLeavesNoEntriesItsChildrenFailOverAndTheOthersServe() {
        for (String node : List.of("a", "b")) {
            start("S1", node);
            start("S2", node);
        }
        cluster.awaitRing(List.of("a", "b"));
        List<String> ids = IntStream.range(0, 60).mapToObj(i -> "child-" + i).toList();
        for (String id : ids) {
            supervisor("b", "S1").startChild(ChildSpec.of(WitnessedCounter.class).withId(id));
            supervisor("b", "S2").startChild(ChildSpec.of(WhereAmI.class).withId(id));
        }
        assertThat(supervisor("a", "S1").localChildren()).isNotEmpty();
        long sharedSession = cluster.sessions("a", "S2").get(0).sessionId();

        cluster.crash("a", "S1");

        DistributedSupervisor s1OnB = supervisor("b", "S1");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(s1OnB.localChildren()).hasSize(ids.size());
            Set<String> owners = new TreeSet<>();
            cluster.sessions("b", "S1").get(0).forEachOwner((key, owner) -> owners.add(owner.node()));
            assertThat(owners).containsExactly("b");
        });
        for (String id : ids) {
            assertThat((Object) s1OnB.call(id, "inc")).isEqualTo(1L);
        }
        // S2 on a kept its session and its children, and answers.
        assertThat(cluster.sessions("a", "S2").get(0).sessionId()).isEqualTo(sharedSession);
        assertThat(cluster.sessions("a", "S2").get(0).holdsLease()).isTrue();
        assertThat(supervisor("a", "S2").localChildren()).isNotEmpty();
        for (String id : ids) {
            assertThat((String) supervisor("b", "S2").call(id, "where")).startsWith("S2@");
        }
        assertThat(SafetyWitness.violations()).isEmpty();
    }

    @Test
    void whenTheSharedSessionExpiresEverySupervisorOnItJoinsAgainOnOneNewSession() throws Exception {
        List<String> names = supervisors(3);
        for (String node : List.of("a", "b")) {
            for (String s : names) {
                start(s, node);
            }
        }
        cluster.awaitRing(List.of("a", "b"));
        List<String> ids = IntStream.range(0, 40).mapToObj(i -> "child-" + i).toList();
        for (String s : names) {
            for (String id : ids) {
                supervisor("b", s).startChild(ChildSpec.of(WitnessedCounter.class).withId(s + "-" + id));
            }
        }
        long old = cluster.sessions("a").get(0).sessionId();

        cluster.expireSession("a");

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            List<ZooKeeperSession> now = cluster.sessions("a");
            assertThat(now).hasSize(3);
            assertThat(now.stream().map(NodeSession::sessionId).distinct().toList()).hasSize(1).doesNotContain(old);
            for (String s : names) {
                Map<Object, Pid> running = CallLoad.runningOnce(List.of(supervisor("a", s), supervisor("b", s)));
                assertThat(running).hasSize(ids.size());
            }
        });
        for (String s : names) {
            for (String id : ids) {
                assertThat((Object) supervisor("a", s).call(s + "-" + id, "node")).isIn("a", "b");
            }
        }
        assertThat(SafetyWitness.violations()).isEmpty();
    }

    // ---- helpers ----

    private DistributedSupervisor supervisor(String node, String name) {
        return cluster.live().stream().filter(d -> d.node().equals(node) && d.name().equals(name)).findFirst()
                .orElseThrow();
    }

    /** The client connections the ZooKeeper server has now (its JMX beans, one per connection). */
    private int zooKeeperConnections() throws Exception {
        ObjectName pattern = new ObjectName("org.apache.ZooKeeperService:name0=StandaloneServer_port"
                + server.server().getPort() + ",name1=Connections,*");
        return ManagementFactory.getPlatformMBeanServer().queryNames(pattern, null).size();
    }

    /** Live platform threads (virtual ones are not counted: they cost no thread of the system). */
    private static int platformThreads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    /** The platform thread count once it has not changed for a while (threads end and start lazily). */
    private static java.util.Set<String> platformThreadNames() {
        java.util.Set<String> names = new java.util.HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (!t.isVirtual()) {
                names.add(t.getName());
            }
        }
        return names;
    }

    private static int settledThreads() {
        int[] last = {platformThreads()};
        long[] since = {System.nanoTime()};
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            int now = platformThreads();
            if (now != last[0]) {
                last[0] = now;
                since[0] = System.nanoTime();
            }
            return System.nanoTime() - since[0] > Duration.ofSeconds(2).toNanos();
        });
        return last[0];
    }

    /** The sockets this process has open (Linux: /proc/self/fd), or -1 where that cannot be read. */
    private static long sockets() {
        Path fds = Path.of("/proc/self/fd");
        if (!Files.isDirectory(fds)) {
            return -1;
        }
        try (Stream<Path> list = Files.list(fds)) {
            return list.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().startsWith("socket:");
                } catch (Exception e) {
                    return false;
                }
            }).count();
        } catch (Exception e) {
            return -1;
        }
    }

    /** A handler for sessions whose messages the test does not look at. */
    private static final class Silent implements MessageHandler {
        @Override
        public void onRequest(String fromNode, byte[] message, Responder responder) {
            responder.reply(new byte[0]);
        }

        @Override
        public void onMessage(String fromNode, byte[] message) {
        }
    }
}
