package io.distributedsupervisor.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.internal.ChildKey;
import io.distributedsupervisor.internal.HashRing;
import io.distributedsupervisor.spi.Owner;
import io.distributedsupervisor.tck.LogCapture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Failover by succession on a real ZooKeeper server: a node's end costs one write, whoever holds
 * its children; its children run again exactly once, on the node the ring over the heirs names;
 * a node leaving on purpose is no dead one; a succession no node can verify takes nothing.
 */
class SuccessionOnZooKeeperTest {
    private EmbeddedZooKeeper server;
    private ZooKeeperHarness cluster;

    @BeforeEach
    void start() {
        SafetyWitness.clear();
        server = new EmbeddedZooKeeper();
        cluster = new ZooKeeperHarness(server);
    }

    @AfterEach
    void stop() {
        try {
            cluster.close();
        } finally {
            server.close();
        }
    }

    private ZnodeLayout paths() {
        return ZnodeLayout.of(ZooKeeperHarness.SUPERVISOR).withPrefix("/" + cluster.namespace());
    }

    private static List<String> ids(int n) {
        return IntStream.range(0, n).mapToObj(i -> "child-" + i).toList();
    }

    private List<String> startThree(int children) {
        for (String n : List.of("n1", "n2", "n3")) {
            cluster.start(n);
        }
        cluster.awaitRing(List.of("n1", "n2", "n3"));
        List<String> ids = ids(children);
        ids.forEach(id -> cluster.node("n1").startChild(ChildSpec.of(WitnessedCounter.class).withId(id)));
        await().untilAsserted(() -> assertThat(CallLoad.runningOnce(cluster.live())).hasSize(children));
        return ids;
    }

    /** The stat of every owner znode, by key. */
    private Map<String, Stat> ownerZnodes(CuratorFramework zk) throws Exception {
        Map<String, Stat> stats = new HashMap<>();
        for (String bucket : zk.getChildren().forPath(paths().owners())) {
            for (String key : zk.getChildren().forPath(paths().ownersBucket(bucket))) {
                stats.put(key, zk.checkExists().forPath(paths().owner(key)));
            }
        }
        return stats;
    }

    private void awaitEachRunsOnceOn(List<String> ids, List<String> ring) {
        HashRing expected = HashRing.of(ring);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Map<Object, Pid> running = CallLoad.runningOnce(cluster.live());
            assertThat(running).hasSize(ids.size());
            running.forEach((id, pid) -> assertThat(pid.node()).as("%s", id)
                    .isEqualTo(expected.nodeFor(ChildKey.encode(id))));
        });
    }

    @Test
    void aCrashedNodesChildrenRunOnceWhereTheRingOverTheHeirsSaysAfterOneWrite() throws Exception {
        List<String> ids = startThree(300);
        long n3Session = cluster.sessions("n3").get(0).sessionId();
        Set<String> onN3 = cluster.node("n1").children().entrySet().stream()
                .filter(e -> e.getValue().node().equals("n3")).map(e -> ChildKey.encode(e.getKey()))
                .collect(java.util.stream.Collectors.toSet());
        try (CuratorFramework zk = server.client(true)) {
            Map<String, Stat> before = ownerZnodes(zk);
            assertThat(before).hasSize(300);
            long zxidBefore = zk.checkExists().forPath(paths().members()).getPzxid();

            cluster.crash("n3");

            awaitEachRunsOnceOn(ids, List.of("n1", "n2"));
            Stat succession = zk.checkExists().forPath(paths().succession(n3Session));
            assertThat(succession).as("one succession for n3's session").isNotNull();
            Map<String, Stat> after = ownerZnodes(zk);
            assertThat(after.keySet()).as("no owner znode made or deleted").isEqualTo(before.keySet());
            after.forEach((key, stat) -> {
                assertThat(stat.getCzxid()).as("%s not made again", key).isEqualTo(before.get(key).getCzxid());
                if (stat.getMzxid() != before.get(key).getMzxid()) {
                    // Rewritten later by its heir, in the background: never before the succession.
                    assertThat(stat.getMzxid()).as("%s", key).isGreaterThan(succession.getCzxid());
                }
            });
            assertThat(succession.getCzxid()).isGreaterThan(zxidBefore);

            // Then the heirs rewrite what they inherited to their own sessions, and the succession goes.
            Map<String, Long> live = Map.of("n1", cluster.sessions("n1").get(0).sessionId(),
                    "n2", cluster.sessions("n2").get(0).sessionId());
            MemberProofs proofs = MemberProofs.of(EmbeddedZooKeeper.TEST_SECRET.getBytes(StandardCharsets.UTF_8),
                    cluster.namespace() + "/" + ZooKeeperHarness.SUPERVISOR, ZooKeeperHarness.SUPERVISOR);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(zk.getChildren().forPath(paths().successions())).isEmpty();
                for (String key : onN3) {
                    Stat stat = new Stat();
                    byte[] data = zk.getData().storingStatIn(stat).forPath(paths().owner(key));
                    Owner o = proofs.verifiedOwner(key, data, stat);
                    assertThat(o.session()).as("%s names its heir's session", key).isEqualTo(live.get(o.node()));
                    assertThat(o.epoch()).as("%s keeps the succession's epoch", key).isEqualTo(succession.getCzxid());
                }
            });
        }
        for (String id : ids) {
            assertThat((Object) cluster.node("n2").call(id, "inc")).isEqualTo(1L);
        }
        assertThat(SafetyWitness.violations()).isEmpty();
    }

    @Test
    void anHeirThatEndsTooHandsItsShareOnThroughItsOwnSuccession() throws Exception {
        List<String> ids = startThree(200);

        cluster.crash("n3");
        awaitEachRunsOnceOn(ids, List.of("n1", "n2"));
        // n2 ends too: what it held, its own children and n3's, goes to n1 by a second succession.
        Pid before = cluster.node("n1").whereis(ids.get(0)).orElseThrow();
        long n2Session = cluster.sessions("n2").get(0).sessionId();
        cluster.crash("n2");

        awaitEachRunsOnceOn(ids, List.of("n1"));
        try (CuratorFramework zk = server.client(true)) {
            assertThat(zk.getChildren().forPath(paths().successions())).contains(ZnodeLayout.sessionName(n2Session));
        }
        Pid after = cluster.node("n1").whereis(ids.get(0)).orElseThrow();
        if (!before.node().equals("n1")) {
            assertThat(after.incarnation().epoch()).as("each step a newer incarnation")
                    .isGreaterThan(before.incarnation().epoch());
        }
        assertThat(SafetyWitness.violations()).isEmpty();
    }

    @Test
    void aWholeClusterCrashRunsEveryChildOnceWhereTheRingOfTheNodesStartingTogetherSays() {
        List<String> ids = startThree(150);

        cluster.crash("n1");
        cluster.crash("n2");
        cluster.crash("n3");
        // Nobody saw them end: the nodes starting again write the successions once their settle time is over.
        for (String n : List.of("n1", "n2", "n3")) {
            cluster.start(n, b -> b.settleTime(Duration.ofSeconds(2)), b -> b);
        }

        awaitEachRunsOnceOn(ids, List.of("n1", "n2", "n3"));
        for (String id : ids) {
            assertThat((Object) cluster.node("n1").call(id, "inc")).isEqualTo(1L);
        }
        assertThat(SafetyWitness.violations()).isEmpty();
    }

    @Test
    void aNodeThatStopsOnPurposeLeavesNoSuccession() throws Exception {
        List<String> ids = startThree(150);

        cluster.stop("n3");

        awaitEachRunsOnceOn(ids, List.of("n1", "n2"));
        try (CuratorFramework zk = server.client(true)) {
            assertThat(zk.getChildren().forPath(paths().successions())).as("its entries went with it").isEmpty();
            assertThat(zk.getChildren().forPath(paths().leaving())).isEmpty();
            assertThat(zk.getChildren().forPath(paths().members())).containsExactlyInAnyOrder("n1", "n2");
        }
        assertThat(SafetyWitness.violations()).isEmpty();
    }

    @Test
    void aSuccessionNoNodeCanVerifyTakesNothingAndMakesWayForTheRealOne() throws Exception {
        try (LogCapture log = LogCapture.start()) {
            List<String> ids = startThree(150);
            long n3Session = cluster.sessions("n3").get(0).sessionId();
            String path = paths().succession(n3Session);
            try (CuratorFramework zk = server.client(true)) {
                // A writer with ZooKeeper credentials but not the cluster secret names itself n3's heir.
                zk.create().withMode(CreateMode.PERSISTENT).forPath(path, MemberProofs.none("DS")
                        .successionData("n3", n3Session, List.of(new ZnodeData.Heir("n1", 0x99))));
                await().until(() -> log.lines("ignoring " + path + ":", "carries no proof") == 3);
                Map<Object, Pid> running = CallLoad.runningOnce(cluster.live());
                assertThat(running.values()).extracting(Pid::node).contains("n3");

                cluster.crash("n3");

                awaitEachRunsOnceOn(ids, List.of("n1", "n2"));
                byte[] real = zk.getData().forPath(path);
                assertThat(new String(real, StandardCharsets.UTF_8)).contains("\nn1 ").contains("\nn2 ");
            }
            assertThat(SafetyWitness.violations()).isEmpty();
        }
    }
}
