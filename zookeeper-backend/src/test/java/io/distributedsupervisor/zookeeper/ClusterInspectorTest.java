package io.distributedsupervisor.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import io.distributedsupervisor.spi.Placement;
import io.distributedsupervisor.zookeeper.ClusterInspector.ChildInfo;
import io.distributedsupervisor.zookeeper.ClusterInspector.MemberInfo;
import io.distributedsupervisor.zookeeper.ClusterInspector.NodeShare;
import io.distributedsupervisor.zookeeper.ClusterInspector.SuccessionInfo;
import io.distributedsupervisor.zookeeper.ClusterInspector.SupervisorState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link ClusterInspector} on a tree written by hand in the layout of {@link ZnodeLayout} as the
 * nodes write it (persistent owner entries naming their session, successions, leaving markers),
 * with one entry of the first release's flat layout, which is no child.
 */
class ClusterInspectorTest {
    @RegisterExtension
    static final SharedZooKeeper ZOOKEEPER = new SharedZooKeeper();
    private static final String NAMESPACE = "inspector";
    private static final ZnodeLayout LAYOUT = ZnodeLayout.of("DS");

    @Test
    void readsMembersSpecsAndOwnersAcrossBuckets() throws Exception {
        MemberProofs proofs = MemberProofs.of(EmbeddedZooKeeper.TEST_SECRET.getBytes(StandardCharsets.UTF_8),
                NAMESPACE + "/DS", "DS");
        try (CuratorFramework zk = CuratorFrameworkFactory.builder().connectString(ZOOKEEPER.server().connectString())
                .namespace(NAMESPACE).retryPolicy(new RetryOneTime(100)).build()) {
            zk.start();
            zk.blockUntilConnected();
            long session = zk.getZookeeperClient().getZooKeeper().getSessionId();
            zk.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(LAYOUT.member("n1"),
                    proofs.memberData("n1", "127.0.0.1:7400", 1_700_000_000_000L, "0.1", session));
            byte[] spec = new CBORMapper().writeValueAsBytes(Map.of("type", "com.example.Worker", "id", "worker-1"));
            zk.create().creatingParentsIfNeeded().forPath(LAYOUT.spec("sworker-1"), ZnodeData.spec(null, spec));
            zk.create().creatingParentsIfNeeded()
                    .forPath(LAYOUT.owner("sworker-1"), proofs.ownerData("sworker-1", "n1", 2, session, 0));
            // A large spec: its codec bytes apart, in its payload child.
            ZnodeData.StoredSpec large = ZnodeData.storedSpec("gone", new CBORMapper().writeValueAsBytes(
                    Map.of("type", "com.example.Large", "id", 42, "arg", "x".repeat(ZnodeData.MAX_INLINE_SPEC_BYTES))));
            zk.create().creatingParentsIfNeeded().forPath(LAYOUT.spec("i42"), large.znode());
            zk.create().forPath(LAYOUT.specPayload("i42"), large.payload());
            zk.create().creatingParentsIfNeeded().forPath(LAYOUT.children() + "/sflat", ZnodeData.spec(null, spec));
            zk.create().forPath(LAYOUT.layoutMarker(), ZnodeLayout.VERSION.getBytes(StandardCharsets.UTF_8));
            long epoch = zk.checkExists().forPath(LAYOUT.owner("sworker-1")).getCzxid();

            try (ClusterInspector inspector = ClusterInspector.connect(ZooKeeperBackend.builder(
                    ZOOKEEPER.server().connectString()).namespace(NAMESPACE).secret(EmbeddedZooKeeper.TEST_SECRET)
                    .connectionTimeout(Duration.ofSeconds(5)))) {
                assertThat(inspector.supervisors()).containsExactly("DS");
                SupervisorState state = inspector.read("DS");
                assertThat(state.layout()).isEqualTo(ZnodeLayout.VERSION);
                assertThat(state.members()).singleElement().satisfies(m -> {
                    assertThat(m.node()).isEqualTo("n1");
                    assertThat(m.address()).isEqualTo("127.0.0.1:7400");
                    assertThat(m.session()).isEqualTo(session);
                    assertThat(m.verified()).isTrue();
                    assertThat(m.leaving()).isFalse();
                });
                assertThat(state.children()).extracting(ChildInfo::id).containsExactly(42, "worker-1");
                assertThat(state.child("worker-1")).hasValue(new ChildInfo("sworker-1", "worker-1", true, "n1", epoch, 2,
                        true, null, "com.example.Worker", "n1"));
                assertThat(state.orphans()).extracting(ChildInfo::id).containsExactly(42);
                assertThat(state.child(42)).hasValueSatisfying(c -> assertThat(c.specClass()).isEqualTo("com.example.Large"));
                assertThat(state.pinnedToGone()).extracting(ChildInfo::id).containsExactly(42);
                assertThat(state.shares()).containsExactly(new ClusterInspector.NodeShare("n1", true, 1, 2));
                assertThat(state.successions()).isEmpty();

                assertThatThrownBy(() -> inspector.read("nope")).isInstanceOf(InspectionException.class)
                        .hasMessageContaining("no supervisor nope").hasMessageContaining("(there are: DS)");
            }
        }
    }

    @Test
    void watchTellsBucketedEntriesAndNotTheBucketsThemselves() throws Exception {
        MemberProofs proofs = MemberProofs.none("DS");
        java.util.List<ClusterInspector.Event> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (CuratorFramework zk = CuratorFrameworkFactory.builder().connectString(ZOOKEEPER.server().connectString())
                .namespace(NAMESPACE + "-watch").retryPolicy(new RetryOneTime(100)).build()) {
            zk.start();
            zk.blockUntilConnected();
            zk.create().creatingParentsIfNeeded().forPath(LAYOUT.children());
            try (ClusterInspector inspector = ClusterInspector.connect(ZooKeeperBackend.builder(
                    ZOOKEEPER.server().connectString()).namespace(NAMESPACE + "-watch"));
                 AutoCloseable watch = inspector.watch("DS", events::add)) {
                byte[] spec = new CBORMapper().writeValueAsBytes(Map.of("type", "com.example.Worker"));
                zk.create().creatingParentsIfNeeded().forPath(LAYOUT.spec("sworker-2"), ZnodeData.spec(null, spec));
                zk.create().creatingParentsIfNeeded()
                        .forPath(LAYOUT.owner("sworker-2"), proofs.ownerData("sworker-2", "n1", 0, 0x1234L, 0));
                long epoch = zk.checkExists().forPath(LAYOUT.owner("sworker-2")).getCzxid();
                // The watch reads a new entry for its details: one deleted before that is told without them.
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> events.size() >= 2);
                zk.delete().forPath(LAYOUT.owner("sworker-2"));
                zk.delete().forPath(LAYOUT.spec("sworker-2"));
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> events.size() >= 4);
                zk.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL)
                        .forPath(LAYOUT.leaving("n1"), proofs.leavingData("n1", 0x1234L));
                zk.create().creatingParentsIfNeeded().forPath(LAYOUT.succession(0x1234L),
                        proofs.successionData("n1", 0x1234L, List.of(new ZnodeData.Heir("n2", 0x5678L))));
                long succeeded = zk.checkExists().forPath(LAYOUT.succession(0x1234L)).getCzxid();
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> events.size() >= 6);
                assertThat(events).extracting(e -> e.kind() + " " + e.subject() + " " + e.node() + " " + e.detail())
                        .containsExactly("SPEC_ADDED worker-2 null null", "OWNER_APPEARED worker-2 n1 incarnation " + epoch
                                + ".0", "OWNER_VANISHED worker-2 null null", "SPEC_REMOVED worker-2 null null",
                                "MEMBER_LEAVING n1 null null",
                                "SESSION_SUCCEEDED 0000000000001234 n1 heirs n2 from epoch " + succeeded);
            }
        }
    }

    @Test
    void aChildWhoseOwnerSessionHasASuccessionIsReportedWithItsHeirAsOwner() throws Exception {
        String namespace = NAMESPACE + "-succession";
        MemberProofs proofs = proofs(namespace, EmbeddedZooKeeper.TEST_SECRET);
        long ended = 0x2222_0000_0000_0001L;
        long forgedSession = 0x4444_0000_0000_0001L;
        try (CuratorFramework zk = client(namespace)) {
            long session = zk.getZookeeperClient().getZooKeeper().getSessionId();
            zk.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(LAYOUT.member("n1"),
                    proofs.memberData("n1", "127.0.0.1:7401", 1_700_000_000_000L, "0.1", session));
            zk.create().creatingParentsIfNeeded().forPath(LAYOUT.layoutMarker(), ZnodeLayout.VERSION.getBytes(StandardCharsets.UTF_8));
            byte[] spec = new CBORMapper().writeValueAsBytes(Map.of("type", "com.example.Worker"));
            // n2's session ended with its entries: "sa".."sh" stored, "stemp" (a temporary child) not.
            List<String> inherited = List.of("sa", "sb", "sc", "sd", "se", "sf", "sg", "sh");
            for (String key : inherited) {
                zk.create().creatingParentsIfNeeded().forPath(LAYOUT.spec(key), ZnodeData.spec(null, spec));
                zk.create().creatingParentsIfNeeded().forPath(LAYOUT.owner(key), proofs.ownerData(key, "n2", 3, ended, 0));
            }
            zk.create().creatingParentsIfNeeded().forPath(LAYOUT.owner("stemp"), proofs.ownerData("stemp", "n2", 0, ended, 0));
            // A succession that does not verify (another cluster's secret) takes nothing.
            zk.create().creatingParentsIfNeeded().forPath(LAYOUT.spec("sforged"), ZnodeData.spec(null, spec));
            zk.create().creatingParentsIfNeeded().forPath(LAYOUT.owner("sforged"),
                    proofs.ownerData("sforged", "n4", 1, forgedSession, 0));
            zk.create().creatingParentsIfNeeded().forPath(LAYOUT.succession(forgedSession),
                    proofs(namespace, "another-cluster-secret-0123456789").successionData("n4", forgedSession,
                            List.of(new ZnodeData.Heir("n1", session))));
            zk.create().creatingParentsIfNeeded().forPath(LAYOUT.succession(ended), proofs.successionData("n2", ended,
                    List.of(new ZnodeData.Heir("n1", session), new ZnodeData.Heir("n3", 0x3333L))));
            long succeeded = zk.checkExists().forPath(LAYOUT.succession(ended)).getCzxid();
            // Written by that session after its succession (it joined again): its own, not the heirs'.
            zk.create().creatingParentsIfNeeded().forPath(LAYOUT.spec("slater"), ZnodeData.spec(null, spec));
            zk.create().creatingParentsIfNeeded().forPath(LAYOUT.owner("slater"), proofs.ownerData("slater", "n2", 0, ended, 0));
            long later = zk.checkExists().forPath(LAYOUT.owner("slater")).getCzxid();

            try (ClusterInspector inspector = inspector(namespace)) {
                SupervisorState state = inspector.read("DS");
                assertThat(state.successions()).containsExactly(new SuccessionInfo("n2", ended, succeeded, List.of("n1", "n3")));
                var heirs = Placement.ring(List.of("n1", "n3"));
                for (String key : inherited) {
                    String heir = heirs.apply(key);
                    assertThat(state.children()).filteredOn(c -> c.key().equals(key)).singleElement()
                            .satisfies(c -> {
                                assertThat(c.owner()).as(key).isEqualTo(heir);
                                assertThat(c.incarnation()).as(key).isEqualTo(succeeded + ".0");
                                // n1 is a member with the session the succession names; n3 is none.
                                assertThat(c.ownerVerified()).as(key).isEqualTo(heir.equals("n1"));
                            });
                }
                assertThat(inherited).extracting(heirs::apply).contains("n1", "n3");
                assertThat(state.children()).extracting(ChildInfo::key).doesNotContain("stemp");
                assertThat(state.child("forged")).hasValueSatisfying(c -> assertThat(c.owner()).isEqualTo("n4"));
                assertThat(state.child("later")).hasValueSatisfying(c -> {
                    assertThat(c.owner()).isEqualTo("n2");
                    assertThat(c.epoch()).isEqualTo(later);
                    assertThat(c.ownerVerified()).isFalse();
                });
                assertThat(state.shares()).extracting(NodeShare::node, NodeShare::running).contains(
                        org.assertj.core.groups.Tuple.tuple("n1", (int) inherited.stream().filter(k -> heirs.apply(k).equals("n1")).count()));
            }
        }
    }

    @Test
    void aLeavingMemberIsReportedAsLeavingAndOutOfTheRingWithItsClaims() throws Exception {
        String namespace = NAMESPACE + "-leaving";
        MemberProofs proofs = proofs(namespace, EmbeddedZooKeeper.TEST_SECRET);
        try (CuratorFramework n1 = client(namespace); CuratorFramework n2 = client(namespace)) {
            long s1 = n1.getZookeeperClient().getZooKeeper().getSessionId();
            long s2 = n2.getZookeeperClient().getZooKeeper().getSessionId();
            n1.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(LAYOUT.member("n1"),
                    proofs.memberData("n1", "127.0.0.1:7401", 1_700_000_000_000L, "0.1", s1));
            n2.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(LAYOUT.member("n2"),
                    proofs.memberData("n2", "127.0.0.1:7402", 1_700_000_000_000L, "0.1", s2));
            n1.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(LAYOUT.leaving("n1"),
                    proofs.leavingData("n1", s1));
            // A marker without the cluster secret's proof makes no one leave.
            n2.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(LAYOUT.leaving("n2"),
                    proofs(namespace, "another-cluster-secret-0123456789").leavingData("n2", s2));
            byte[] spec = new CBORMapper().writeValueAsBytes(Map.of("type", "com.example.Worker"));
            n1.create().creatingParentsIfNeeded().forPath(LAYOUT.spec("sw"), ZnodeData.spec(null, spec));
            n1.create().creatingParentsIfNeeded().forPath(LAYOUT.owner("sw"), proofs.ownerData("sw", "n1", 0, s1, 0));

            try (ClusterInspector inspector = inspector(namespace)) {
                SupervisorState state = inspector.read("DS");
                assertThat(state.members()).extracting(MemberInfo::node, MemberInfo::verified, MemberInfo::leaving)
                        .containsExactly(org.assertj.core.groups.Tuple.tuple("n1", true, true),
                                org.assertj.core.groups.Tuple.tuple("n2", true, false));
                assertThat(state.liveNodes()).containsExactly("n2");
                assertThat(state.leavingNodes()).containsExactly("n1");
                // It runs its child until it hands it over; the ring already places it on n2.
                assertThat(state.child("w")).hasValueSatisfying(c -> {
                    assertThat(c.owner()).isEqualTo("n1");
                    assertThat(c.ownerVerified()).isTrue();
                    assertThat(c.ringNode()).isEqualTo("n2");
                });
                assertThat(state.shares()).containsExactly(new NodeShare("n1", false, 1, 0), new NodeShare("n2", true, 0, 1));
                assertThatThrownBy(() -> inspector.request("DS", io.distributedsupervisor.spi.OperatorRequest.Action.DRAIN,
                        "n1", null, Duration.ofSeconds(1))).isInstanceOf(InspectionException.class)
                        .hasMessageContaining("no live node n1").hasMessageContaining("it is leaving");
            }
        }
    }

    @Test
    void aDrainIsOverOnceTheMemberIsGoneAndNoEntryItHeldStandsForItsSession() throws Exception {
        String namespace = NAMESPACE + "-drain";
        MemberProofs proofs = proofs(namespace, EmbeddedZooKeeper.TEST_SECRET);
        byte[] spec = new CBORMapper().writeValueAsBytes(Map.of("type", "com.example.Worker"));
        try (CuratorFramework n1 = client(namespace); ClusterInspector inspector = inspector(namespace)) {
            long s1 = n1.getZookeeperClient().getZooKeeper().getSessionId();
            n1.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(LAYOUT.member("n1"),
                    proofs.memberData("n1", "127.0.0.1:7401", 1_700_000_000_000L, "0.1", s1));
            long s2;
            Predicate<String> drained;
            try (CuratorFramework n2 = client(namespace)) {
                s2 = n2.getZookeeperClient().getZooKeeper().getSessionId();
                n2.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(LAYOUT.member("n2"),
                        proofs.memberData("n2", "127.0.0.1:7402", 1_700_000_000_000L, "0.1", s2));
                for (String key : List.of("sa", "sb")) {
                    n2.create().creatingParentsIfNeeded().forPath(LAYOUT.spec(key), ZnodeData.spec(null, spec));
                    n2.create().creatingParentsIfNeeded().forPath(LAYOUT.owner(key), proofs.ownerData(key, "n2", 0, s2, 0));
                }
                drained = inspector.drained(inspector.read("DS"), "n2");
                assertThat(drained.test("n2")).isFalse();

                // The drain: n2 marks itself leaving, keeps its member znode, and hands "sa" over to n1.
                n2.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(LAYOUT.leaving("n2"),
                        proofs.leavingData("n2", s2));
                n1.setData().forPath(LAYOUT.owner("sa"), proofs.ownerData("sa", "n1", 0, s1, 0));
                assertThat(drained.test("n2")).as("still a member").isFalse();
            }
            // n2 closed without handing "sb" over: its entry stands for its ended session until a succession.
            assertThat(inspector.read("DS").members()).extracting(MemberInfo::node).containsExactly("n1");
            assertThat(drained.test("n2")).as("sb still stands for n2's session").isFalse();
            n1.create().creatingParentsIfNeeded().forPath(LAYOUT.succession(s2), proofs.successionData("n2", s2, List.of(new ZnodeData.Heir("n1", s1))));
            assertThat(drained.test("n2")).isTrue();
            assertThat(inspector.read("DS").child("b")).hasValueSatisfying(c -> assertThat(c.owner()).isEqualTo("n1"));

            // A purge takes the successions and leaving markers with the rest.
            assertThat(inspector.purge("DS", true).specs()).isEqualTo(2);
            assertThat(inspector.supervisors()).isEmpty();
        }
    }

    private static MemberProofs proofs(String namespace, String secret) {
        return MemberProofs.of(secret.getBytes(StandardCharsets.UTF_8), namespace + "/DS", "DS");
    }

    private static CuratorFramework client(String namespace) throws InterruptedException {
        CuratorFramework zk = CuratorFrameworkFactory.builder().connectString(ZOOKEEPER.server().connectString())
                .namespace(namespace).retryPolicy(new RetryOneTime(100)).build();
        zk.start();
        zk.blockUntilConnected();
        return zk;
    }

    private static ClusterInspector inspector(String namespace) {
        return ClusterInspector.connect(ZooKeeperBackend.builder(ZOOKEEPER.server().connectString()).namespace(namespace)
                .secret(EmbeddedZooKeeper.TEST_SECRET).connectionTimeout(Duration.ofSeconds(5)));
    }
}
