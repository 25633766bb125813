package io.distributedsupervisor.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distributedsupervisor.Child;
import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.Rebalance;
import io.distributedsupervisor.SupervisorOptions;
import io.distributedsupervisor.zookeeper.EmbeddedZooKeeper;
import io.distributedsupervisor.zookeeper.ZnodeLayout;
import io.distributedsupervisor.zookeeper.ZooKeeperBackend;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every {@code ds} command against a live cluster of three nodes (in this JVM, each with its own
 * ZooKeeper session and transport) on a real ZooKeeper server, run in-process through picocli;
 * what it prints is checked against what the nodes' API says.
 */
class DsCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger SUPERVISORS = new AtomicInteger();
    private static final int CHILDREN = 30;
    private static EmbeddedZooKeeper server;

    private final int run = SUPERVISORS.incrementAndGet();
    private final String namespace = "ds-cli-" + ProcessHandle.current().pid() + "-" + run;
    private final String supervisor = "orders" + run;
    private final Map<String, Node> nodes = new HashMap<>();

    /** A started node and its backend. */
    private record Node(DistributedSupervisor supervisor, ZooKeeperBackend backend) {
    }

    /** A child that does nothing but answer. */
    public static final class Worker implements Child {
        @Override
        public Object handleCall(Object request, io.distributedsupervisor.ChildContext ctx) {
            return request;
        }
    }

    @BeforeAll
    static void startServer() {
        server = new EmbeddedZooKeeper();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void startCluster() {
        for (String n : List.of("n1", "n2", "n3")) {
            start(n);
        }
        awaitRing(List.of("n1", "n2", "n3"));
        for (int i = 0; i < CHILDREN; i++) {
            api().startChild(ChildSpec.of(Worker.class).withId("w-" + i));
        }
    }

    @AfterEach
    void stopCluster() {
        for (Node n : nodes.values()) {
            try {
                n.supervisor().close();
            } finally {
                n.backend().close();
            }
        }
    }

    private void start(String node) {
        ZooKeeperBackend backend = ZooKeeperBackend.builder(server.connectString()).namespace(namespace)
                .secret(EmbeddedZooKeeper.TEST_SECRET)
                .digestAcl(EmbeddedZooKeeper.TEST_USER, EmbeddedZooKeeper.TEST_PASSWORD)
                .sessionTimeout(Duration.ofSeconds(4)).build();
        try {
            DistributedSupervisor s = DistributedSupervisor.start(SupervisorOptions.builder(supervisor).nodeName(node)
                    .backend(backend).serviceLoaderListeners(false).shutdownHook(false).rebalance(Rebalance.PASSIVE)
                    .callTimeout(Duration.ofSeconds(10)).drainTimeout(Duration.ofSeconds(10))
                    .allowList(List.of("io.distributedsupervisor.cli.*")).build());
            nodes.put(node, new Node(s, backend));
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    private DistributedSupervisor api() {
        return nodes.get("n1").supervisor();
    }

    private void awaitRing(List<String> expected) {
        await().atMost(Duration.ofSeconds(30)).until(() -> nodes.values().stream()
                .filter(n -> expected.contains(n.supervisor().node()))
                .allMatch(n -> n.supervisor().nodes().equals(expected)));
    }

    private List<String> ids() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < CHILDREN; i++) {
            ids.add("w-" + i);
        }
        return ids;
    }

    // ---- running ds ----

    private record Result(int code, String out, String err) {
        JsonNode json() throws Exception {
            return JSON.readTree(out);
        }
    }

    private static final String CREDENTIALS = EmbeddedZooKeeper.TEST_USER + ":" + EmbeddedZooKeeper.TEST_PASSWORD;

    private Result ds(String... args) {
        return dsWith(new BufferedReader(new StringReader("")), CREDENTIALS, args);
    }

    private Result dsWith(BufferedReader in, String digestAcl, String... args) {
        return run(in, withConnection(digestAcl, EmbeddedZooKeeper.TEST_SECRET, args));
    }

    private static Result run(BufferedReader in, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Ds.run(args, new PrintWriter(out, true), new PrintWriter(err, true), in);
        return new Result(code, out.toString(), err.toString());
    }

    private String[] withConnection(String digestAcl, String secret, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--set", "connectString=" + server.connectString(), "--set", "namespace=" + namespace,
                "--set", "digestAcl=" + digestAcl, "--set", "secret=" + secret));
        return all.toArray(String[]::new);
    }

    // ---- reading ----

    @Test
    void statusShowsTheMembersAndEachNodesChildrenAgainstTheRingAsTheApiSeesThem() throws Exception {
        Result r = ds("status", "--supervisor", supervisor, "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode s = r.json().get("supervisors").get(0);
        assertThat(s.get("supervisor").asText()).isEqualTo(supervisor);
        List<String> members = new ArrayList<>();
        for (JsonNode m : s.get("members")) {
            members.add(m.get("node").asText());
            assertThat(m.get("verified").asBoolean()).as(m.toString()).isTrue();
            assertThat(m.get("address").asText()).matches("127\\.0\\.0\\.1:\\d+");
            assertThat(m.get("session").asText()).startsWith("0x");
        }
        assertThat(members).isEqualTo(api().nodes());
        Map<String, Integer> running = new HashMap<>();
        Map<String, Integer> ring = new HashMap<>();
        for (String id : ids()) {
            running.merge(api().whereis(id).orElseThrow().node(), 1, Integer::sum);
            ring.merge(api().nodeFor(id), 1, Integer::sum);
        }
        for (JsonNode n : s.get("nodes")) {
            String node = n.get("node").asText();
            assertThat(n.get("running").asInt()).as(node).isEqualTo(running.getOrDefault(node, 0));
            assertThat(n.get("ringShare").asInt()).as(node).isEqualTo(ring.getOrDefault(node, 0));
        }
        assertThat(s.get("stored").asInt()).isEqualTo(CHILDREN);
        assertThat(s.get("orphans")).isEmpty();
        assertThat(s.get("pinnedToGone")).isEmpty();

        Result table = ds("status", "--supervisor", supervisor);
        assertThat(table.code()).isZero();
        assertThat(table.out()).contains("supervisor " + supervisor, "MEMBER", "RING SHARE",
                "children: 30 stored, 30 running, 0 orphans, 0 pinned to a node that is gone");
        for (String node : api().nodes()) {
            assertThat(table.out()).containsPattern("(?m)^" + node + " +127\\.0\\.0\\.1:\\d+ +0x[0-9a-f]+ +yes");
            assertThat(table.out()).containsPattern("(?m)^" + node + " +yes +" + running.getOrDefault(node, 0) + " +"
                    + ring.getOrDefault(node, 0) + "$");
        }
    }

    @Test
    void childrenAndWhereisGiveTheNodeAndIncarnationThatWhereisGives() throws Exception {
        api().startChild(ChildSpec.of(Worker.class).withId(7));
        Result r = ds("children", "--supervisor", supervisor, "--json");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.json()).hasSize(CHILDREN + 1);
        for (JsonNode c : r.json()) {
            Object id = c.get("idType").asText().equals("Integer") ? (Object) c.get("id").asInt() : c.get("id").asText();
            Pid pid = api().whereis(id).orElseThrow();
            assertThat(c.get("node").asText()).as("node of " + id).isEqualTo(pid.node());
            assertThat(c.get("incarnation").asText()).as("incarnation of " + id).isEqualTo(pid.incarnation().toString());
            assertThat(c.get("restarts").asInt()).isEqualTo(pid.incarnation().restarts());
            assertThat(c.get("specClass").asText()).isEqualTo(Worker.class.getName());
        }

        Result onN2 = ds("children", "--supervisor", supervisor, "--node", "n2");
        long expected = ids().stream().filter(id -> api().whereis(id).orElseThrow().node().equals("n2")).count();
        assertThat(onN2.out().lines().skip(1).toList()).hasSize((int) expected)
                .allSatisfy(line -> assertThat(line).containsPattern("^" + supervisor + " +w-\\d+ +n2 +\\d+\\.0 +0 "));

        Pid w3 = api().whereis("w-3").orElseThrow();
        Result where = ds("whereis", "w-3", "--json");
        assertThat(where.code()).as(where.err()).isZero();
        assertThat(where.json().get("node").asText()).isEqualTo(w3.node());
        assertThat(where.json().get("incarnation").asText()).isEqualTo(w3.incarnation().toString());
        Result integerId = ds("whereis", "7");
        assertThat(integerId.out()).containsPattern("(?m)^" + supervisor + " +7 +"
                + api().whereis(7).orElseThrow().node() + " ");

        Result unknown = ds("whereis", "nope");
        assertThat(unknown.code()).isEqualTo(Ds.NOT_FOUND);
        assertThat(unknown.err().strip()).isEqualTo("ds: no child nope in supervisor " + supervisor);
    }

    @Test
    void statusShowsChildrenPinnedToANodeThatIsGone() throws Exception {
        api().startChild(ChildSpec.of(Worker.class).withId("pinned"), "n3");
        nodes.get("n3").backend().close(); // its session ends: the node is gone, as after a crash
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode s = ds("status", "--supervisor", supervisor, "--json").json().get("supervisors").get(0);
            assertThat(s.get("pinnedToGone").toString()).isEqualTo("[{\"id\":\"pinned\",\"node\":\"n3\"}]");
            assertThat(s.get("members")).hasSize(2);
        });
        assertThat(ds("status", "--supervisor", supervisor).out()).contains("pinned to a node that is gone: pinned (n3)");
    }

    @Test
    void watchTellsMembersJoiningAndChildrenStartingAndStopping() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        StringWriter out = new StringWriter();
        Thread watcher = Thread.ofPlatform().start(() -> Ds.run(withConnection(CREDENTIALS, EmbeddedZooKeeper.TEST_SECRET,
                        "watch", "--supervisor", supervisor, "--count", "5"),
                new PrintWriter(out, true), new PrintWriter(new StringWriter(), true), new BufferedReader(new StringReader(""))));
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> out.toString().contains("watching supervisor"));
            start("n4");
            api().startChild(ChildSpec.of(Worker.class).withId("watched"));
            // The watch reads a new owner entry for its node: one gone before that is told without it.
            await().atMost(Duration.ofSeconds(20)).until(() -> out.toString().contains("owner-appeared  watched"));
            api().terminateChild("watched");
            watcher.join(Duration.ofSeconds(30));
            assertThat(watcher.isAlive()).as("watch stops after --count events").isFalse();
        } finally {
            watcher.interrupt();
        }
        lines.addAll(out.toString().lines().toList());
        assertThat(lines).anySatisfy(l -> assertThat(l).contains(supervisor + "  member-joined  n4  127.0.0.1:"));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("spec-added  watched"));
        assertThat(lines).anySatisfy(l -> assertThat(l).containsPattern("owner-appeared  watched  on \\S+  incarnation \\d+\\.0"));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("owner-vanished  watched"));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("spec-removed  watched"));
    }

    // ---- operating ----

    @Test
    void pauseAndResumeRebalancingReachEveryNode() throws Exception {
        Result paused = ds("pause-rebalancing", "--json");
        assertThat(paused.code()).as(paused.out() + paused.err()).isZero();
        assertThat(paused.json().get("answers")).hasSize(3).allSatisfy(a -> {
            assertThat(a.get("status").asText()).isEqualTo("ok");
            assertThat(a.get("text").asText()).isEqualTo("rebalancing paused");
        });
        assertThat(nodes.values()).allMatch(n -> n.supervisor().isRebalancingPaused());

        Result resumed = ds("resume-rebalancing");
        assertThat(resumed.code()).as(resumed.out() + resumed.err()).isZero();
        assertThat(resumed.out()).containsPattern("(?m)^n1 +ok +rebalancing resumed$");
        assertThat(nodes.values()).noneMatch(n -> n.supervisor().isRebalancingPaused());
    }

    @Test
    void moveRunsOnTheTargetNode() throws Exception {
        String from = api().whereis("w-1").orElseThrow().node();
        String to = api().nodes().stream().filter(n -> !n.equals(from)).findFirst().orElseThrow();
        Result r = ds("move", "w-1", to);
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).containsPattern("(?m)^" + to + " +ok +moved w-1 to " + to + " \\(incarnation \\d+\\.0\\)$");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(api().whereis("w-1").orElseThrow().node()).isEqualTo(to));

        Result unknownNode = ds("move", "w-1", "n9");
        assertThat(unknownNode.code()).isEqualTo(Ds.NOT_FOUND);
        assertThat(unknownNode.err()).contains("no live node n9 in supervisor " + supervisor + " (live: n1, n2, n3)");
    }

    @Test
    void rebalancePutsChildrenWhereTheRingSaysAfterANodeJoined() throws Exception {
        start("n4");
        awaitRing(List.of("n1", "n2", "n3", "n4"));
        assertThat(ids()).as("PASSIVE: nothing moves by itself")
                .noneMatch(id -> api().whereis(id).orElseThrow().node().equals("n4"));
        Result r = ds("rebalance", "--json");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.json().get("answers")).hasSize(4);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(ids())
                .allMatch(id -> api().whereis(id).map(Pid::node).orElse("").equals(api().nodeFor(id))));
    }

    @Test
    void drainHandsANodesChildrenOverAndTheNodeLeaves() throws Exception {
        Result r = ds("drain", "n2");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).containsPattern("(?m)^n2 +ok +draining \\d+ local children").contains("node n2 is drained: it has left the cluster");
        awaitRing(List.of("n1", "n3"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(ids())
                .allMatch(id -> List.of("n1", "n3").contains(api().whereis(id).map(Pid::node).orElse(""))));
    }

    @Test
    void aRequestWithoutAValidProofIsRefusedAndNotRun() throws Exception {
        try (CuratorFramework zk = CuratorFrameworkFactory.builder().connectString(server.connectString())
                .namespace(namespace).retryPolicy(new RetryOneTime(100))
                .authorization("digest", CREDENTIALS.getBytes(StandardCharsets.UTF_8)).build()) {
            zk.start();
            String forged = String.join("\n", "ds2-request", "PAUSE_REBALANCING", "n1", "", "",
                    Long.toString(System.currentTimeMillis()), "00112233445566778899aabbccddeeff", "bm90LWEtcHJvb2Y");
            String path = zk.create().withMode(CreateMode.PERSISTENT_SEQUENTIAL)
                    .forPath(ZnodeLayout.of(supervisor).requests() + "/r-", forged.getBytes(StandardCharsets.UTF_8));
            await().atMost(Duration.ofSeconds(20)).until(() -> new String(zk.getData().forPath(path),
                    StandardCharsets.UTF_8).contains("\n@n1 refused "));
            assertThat(new String(zk.getData().forPath(path), StandardCharsets.UTF_8))
                    .contains("its proof does not match the cluster secret");
            assertThat(nodes.get("n1").supervisor().isRebalancingPaused()).isFalse();
        }
    }

    @Test
    void purgeIsRefusedWhileNodesLiveAndDeletesEverythingAfter() throws Exception {
        Result refused = ds("purge", supervisor, "--yes");
        assertThat(refused.code()).isEqualTo(Ds.REFUSED);
        assertThat(refused.err().strip()).isEqualTo("ds: supervisor " + supervisor
                + " has 3 live members (n1, n2, n3): stop them first, or force the purge");

        for (String n : List.of("n1", "n2", "n3")) {
            nodes.get(n).supervisor().close();
        }
        JsonNode s = ds("status", "--supervisor", supervisor, "--json").json().get("supervisors").get(0);
        assertThat(s.get("members")).isEmpty();
        assertThat(s.get("orphans")).as("the last node leaves its children's specs stored").hasSize(CHILDREN);

        Result notConfirmed = dsWith(new BufferedReader(new StringReader("no\n")),
                CREDENTIALS, "purge", supervisor);
        assertThat(notConfirmed.code()).isEqualTo(Ds.REFUSED);
        assertThat(notConfirmed.out()).contains("type the supervisor's name to confirm");
        assertThat(ds("status", "--supervisor", supervisor).code()).isZero();

        Result purged = dsWith(new BufferedReader(new StringReader(supervisor + "\n")),
                CREDENTIALS, "purge", supervisor);
        assertThat(purged.code()).as(purged.err()).isZero();
        assertThat(purged.out()).contains("purged supervisor " + supervisor + ": 30 stored children");
        Result gone = ds("status", "--supervisor", supervisor);
        assertThat(gone.code()).isEqualTo(Ds.NOT_FOUND);
        assertThat(gone.err()).contains("no supervisor " + supervisor);
    }

    // ---- errors ----

    @Test
    void aWrongAclCredentialIsAClearError() {
        Result r = dsWith(new BufferedReader(new StringReader("")), EmbeddedZooKeeper.TEST_USER + ":wrong-password",
                "status");
        assertThat(r.code()).isEqualTo(Ds.NOT_AUTHORIZED);
        assertThat(r.err().lines().toList()).hasSize(1).first().asString()
                .startsWith("ds: the ACL refused these credentials (NoAuth) for /" + namespace);
    }

    @Test
    void withAnotherSecretMembersAreNotVerifiedAndNoRequestIsMade() throws Exception {
        String wrong = "another-cluster-secret-0123456789abcdef";
        Result status = run(new BufferedReader(new StringReader("")),
                withConnection(CREDENTIALS, wrong, "status", "--supervisor", supervisor, "--json"));
        assertThat(status.code()).isZero();
        assertThat(status.json().get("supervisors").get(0).get("members")).hasSize(3).allSatisfy(m -> {
            assertThat(m.get("verified").asBoolean()).isFalse();
            assertThat(m.get("problem").asText()).contains("its proof does not match the cluster secret");
        });
        Result pause = run(new BufferedReader(new StringReader("")), withConnection(CREDENTIALS, wrong, "pause-rebalancing"));
        assertThat(pause.code()).isEqualTo(Ds.REFUSED);
        assertThat(pause.err()).startsWith("ds: member n1 of supervisor " + supervisor
                + " does not verify with the cluster secret given (member n1: its proof does not match");
        assertThat(nodes.values()).noneMatch(n -> n.supervisor().isRebalancingPaused());
    }

    @Test
    void settingsComeFromAConfigFileAsForANode(@org.junit.jupiter.api.io.TempDir java.nio.file.Path folder)
            throws Exception {
        java.nio.file.Path file = folder.resolve("zookeeper.properties");
        java.nio.file.Files.writeString(file, "connectString=" + server.connectString() + "\nnamespace=" + namespace
                + "\ndigestAcl=" + CREDENTIALS + "\nsecret=" + EmbeddedZooKeeper.TEST_SECRET + "\n");
        Result r = run(new BufferedReader(new StringReader("")), "whereis", "w-5", "--config", file.toString(), "--json");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.json().get("node").asText()).isEqualTo(api().whereis("w-5").orElseThrow().node());

        Result typo = run(new BufferedReader(new StringReader("")), "status", "--config", file.toString(),
                "--set", "sessionTimeOut=5s");
        assertThat(typo.code()).isEqualTo(2);
        assertThat(typo.err()).startsWith("ds: unknown zookeeper backend setting 'sessionTimeOut'");
    }

    @Test
    void anUnreachableZooKeeperIsAClearErrorWithinTheConnectionTimeout() {
        StringWriter err = new StringWriter();
        int code = Ds.run(new String[] {"status", "--zookeeper", "127.0.0.1:1", "--set", "connectionTimeout=1s"}, new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
                new BufferedReader(new StringReader("")));
        assertThat(code).isEqualTo(Ds.UNREACHABLE);
        assertThat(err.toString().strip()).isEqualTo("ds: ZooKeeper at 127.0.0.1:1 did not answer within 1000 ms "
                + "(connectionTimeout): is it running, and is connectString right?");
    }

    @Test
    void helpRunsAsAProcessAndExplainsItself() throws Exception {
        Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), Ds.class.getName(), "--help").redirectErrorStream(true).start();
        String help;
        try {
            help = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
        }
        assertThat(p.exitValue()).isZero();
        assertThat(help).contains("Usage: ds", "status", "children", "whereis", "watch", "drain", "move", "rebalance",
                "pause-rebalancing", "resume-rebalancing", "purge", "DS_CLUSTER_SECRET", "Exit codes");
    }
}
