package io.distributedsupervisor.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import io.distributedsupervisor.zookeeper.ClusterInspector.ChildInfo;
import io.distributedsupervisor.zookeeper.ClusterInspector.SupervisorState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link ClusterInspector} on a tree written by hand in the bucketed layout of {@link ZnodeLayout}
 * as the nodes write it, with one entry of the first release's flat layout, which is no child.
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
            zk.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL)
                    .forPath(LAYOUT.owner("sworker-1"), proofs.ownerData("sworker-1", "n1", 2, session));
            zk.create().creatingParentsIfNeeded().forPath(LAYOUT.spec("i42"), ZnodeData.spec("gone", spec));
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
                });
                assertThat(state.children()).extracting(ChildInfo::id).containsExactly(42, "worker-1");
                assertThat(state.child("worker-1")).hasValue(new ChildInfo("sworker-1", "worker-1", true, "n1", epoch, 2,
                        true, null, "com.example.Worker", "n1"));
                assertThat(state.orphans()).extracting(ChildInfo::id).containsExactly(42);
                assertThat(state.pinnedToGone()).extracting(ChildInfo::id).containsExactly(42);
                assertThat(state.shares()).containsExactly(new ClusterInspector.NodeShare("n1", true, 1, 2));

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
                zk.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL)
                        .forPath(LAYOUT.owner("sworker-2"), proofs.ownerData("sworker-2", "n1", 0, 0));
                long epoch = zk.checkExists().forPath(LAYOUT.owner("sworker-2")).getCzxid();
                // The watch reads a new entry for its details: one deleted before that is told without them.
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> events.size() >= 2);
                zk.delete().forPath(LAYOUT.owner("sworker-2"));
                zk.delete().forPath(LAYOUT.spec("sworker-2"));
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> events.size() >= 4);
                assertThat(events).extracting(e -> e.kind() + " " + e.subject() + " " + e.node() + " " + e.detail())
                        .containsExactly("SPEC_ADDED worker-2 null null", "OWNER_APPEARED worker-2 n1 incarnation " + epoch
                                + ".0", "OWNER_VANISHED worker-2 null null", "SPEC_REMOVED worker-2 null null");
            }
        }
    }
}
