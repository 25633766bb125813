package io.distributedsupervisor.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.spi.BackendException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.common.ZKConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The bucketed layout on a ZooKeeper server and clients with ZooKeeper's default
 * {@code jute.maxbuffer} (1 MiB; this module's test servers and nodes keep it): listings whose
 * flat form would not fit in one answer, a failover reading the largest specs, the spec size
 * limit, and the first release's flat layout (migrated, or refused while its nodes run).
 */
class StockZooKeeperLayoutTest {
    @RegisterExtension
    static final SharedZooKeeper ZK = new SharedZooKeeper();

    private static final int STOCK_BUFFER = 0xfffff;

    @Test
    void theTestsRunWithZooKeepersDefaultClientBuffer() {
        assertThat(new ZKClientConfig().getInt(ZKConfig.JUTE_MAXBUFFER, STOCK_BUFFER)).isEqualTo(STOCK_BUFFER);
    }

    /**
     * 2,200 children with 500-character ids: one flat folder of them lists in more than 1 MiB,
     * which a stock client refuses (it drops the connection); a node that joins loads them all.
     */
    @Test
    void aNodeJoinsAndLoadsAViewWhoseFlatListingWouldNotFitInOneAnswer() throws Exception {
        try (ZooKeeperHarness cluster = ZK.harness(); CuratorFramework plain = ZK.server().client(true)) {
            DistributedSupervisor n1 = cluster.start("n1");
            int count = 2_200;
            String padding = "x".repeat(490);
            List<CompletableFuture<?>> starts = new ArrayList<>();
            long flatBytes = 0;
            for (int i = 0; i < count; i++) {
                String id = padding + "-" + i;
                flatBytes += 4 + 1 + id.length();
                starts.add(n1.startChildAsync(ChildSpec.of(WitnessedCounter.class).withId(id)));
            }
            CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new)).get();
            assertThat(flatBytes).as("a flat listing's size").isGreaterThan(STOCK_BUFFER);

            DistributedSupervisor n2 = cluster.start("n2");
            cluster.awaitRing(List.of("n1", "n2"));
            await().atMost(Duration.ofSeconds(60)).until(() -> n2.children().size() == count);
            assertThat((Object) n2.call(padding + "-7", "inc")).isEqualTo(1L);

            ZnodeLayout paths = ZnodeLayout.of(ZooKeeperHarness.SUPERVISOR).withPrefix("/" + cluster.namespace());
            long largest = 0;
            for (String folder : List.of(paths.children(), paths.owners())) {
                for (String bucket : plain.getChildren().forPath(folder)) {
                    assertThat(ZnodeLayout.isBucket(bucket)).as(bucket).isTrue();
                    long bytes = 0;
                    for (String key : plain.getChildren().forPath(folder + "/" + bucket)) {
                        bytes += 4 + key.length();
                    }
                    largest = Math.max(largest, bytes);
                }
            }
            assertThat(largest).as("the largest bucket listing").isLessThan(STOCK_BUFFER / 20);
        }
    }

    /**
     * Specs as large as a spec znode holds (read {@link SpecReads#SPEC_READ_BATCH} per request) and
     * specs near the size limit (their codec bytes apart, read {@link SpecReads#PAYLOAD_READ_BATCH}
     * per request), each more than one batch, read back by a failover: every answer fits, the
     * connection stays, and every child runs with its own argument.
     */
    @Test
    void aFailoverReadsTheLargestSpecsWithoutOverflowingTheClientBuffer() throws Exception {
        try (ZooKeeperHarness cluster = ZK.harness(); CuratorFramework plain = ZK.server().client(true)) {
            DistributedSupervisor n1 = cluster.start("n1");
            cluster.start("n2");
            cluster.awaitRing(List.of("n1", "n2"));
            String whole = "w".repeat(ZnodeData.MAX_INLINE_SPEC_BYTES - 1_024);
            String big = "y".repeat(ZnodeData.MAX_SPEC_BYTES - 1_024);
            int wholes = SpecReads.SPEC_READ_BATCH + 1;
            int bigs = SpecReads.PAYLOAD_READ_BATCH + 1;
            for (int i = 0; i < wholes; i++) {
                n1.startChild(ChildSpec.of(BigArgChild.class, whole + i).withId("whole-" + i), "n2");
            }
            for (int i = 0; i < bigs; i++) {
                n1.startChild(ChildSpec.of(BigArgChild.class, big + i).withId("big-" + i), "n2");
            }
            ZnodeLayout paths = ZnodeLayout.of(ZooKeeperHarness.SUPERVISOR).withPrefix("/" + cluster.namespace());
            String wholeKey = io.distributedsupervisor.spi.Placement.keyOf("whole-0");
            String bigKey = io.distributedsupervisor.spi.Placement.keyOf("big-0");
            assertThat(plain.checkExists().forPath(paths.specPayload(wholeKey))).as("a spec kept whole").isNull();
            assertThat(plain.getData().forPath(paths.spec(bigKey)).length).as("the head of a large spec")
                    .isLessThan(ZnodeData.MAX_INLINE_SPEC_BYTES);
            assertThat(plain.getData().forPath(paths.specPayload(bigKey)).length).isGreaterThan(big.length());

            cluster.crash("n2");
            await().atMost(Duration.ofSeconds(60)).until(() -> n1.children().size() == wholes + bigs
                    && n1.children().values().stream().allMatch(p -> p.node().equals("n1")));
            assertThat((Object) n1.call("whole-" + (wholes - 1), "length"))
                    .isEqualTo(whole.length() + String.valueOf(wholes - 1).length());
            assertThat((Object) n1.call("big-" + (bigs - 1), "length"))
                    .isEqualTo(big.length() + String.valueOf(bigs - 1).length());
        }
    }

    /** A large spec's codec bytes stay with it when it moves to another node, and go with it when its child is stopped. */
    @Test
    void aLargeSpecsCodecBytesMoveWithItAndGoWithIt() throws Exception {
        try (ZooKeeperHarness cluster = ZK.harness(); CuratorFramework plain = ZK.server().client(true)) {
            DistributedSupervisor n1 = cluster.start("n1");
            cluster.start("n2");
            cluster.awaitRing(List.of("n1", "n2"));
            String big = "m".repeat(ZnodeData.MAX_INLINE_SPEC_BYTES * 2);
            n1.startChild(ChildSpec.of(BigArgChild.class, big).withId("large"), "n1");
            n1.move("large", "n2");
            await().atMost(Duration.ofSeconds(30)).until(() -> n1.whereis("large").map(p -> p.node().equals("n2"))
                    .orElse(false));
            assertThat((Object) n1.call("large", "length")).isEqualTo(big.length());

            ZnodeLayout paths = ZnodeLayout.of(ZooKeeperHarness.SUPERVISOR).withPrefix("/" + cluster.namespace());
            String key = io.distributedsupervisor.spi.Placement.keyOf("large");
            assertThat(plain.checkExists().forPath(paths.specPayload(key))).isNotNull();
            assertThat(n1.terminateChild("large")).isTrue();
            await().atMost(Duration.ofSeconds(30)).until(() -> plain.checkExists().forPath(paths.spec(key)) == null);
            assertThat(plain.checkExists().forPath(paths.specPayload(key))).isNull();
            assertThat(n1.whereis("large")).isEmpty();
        }
    }

    @Test
    void aSpecOverTheLimitIsRefusedNamingTheLimit() throws Exception {
        try (ZooKeeperHarness cluster = ZK.harness()) {
            DistributedSupervisor n1 = cluster.start("n1");
            String huge = "z".repeat(ZnodeData.MAX_SPEC_BYTES + 1);
            assertThatThrownBy(() -> n1.startChild(ChildSpec.of(BigArgChild.class, huge).withId("huge")))
                    .isInstanceOf(io.distributedsupervisor.MessageRefusedException.class)
                    .hasMessageContaining("at most " + ZnodeData.MAX_SPEC_BYTES);
            assertThat(n1.whereis("huge")).isEmpty();
            n1.startChild(ChildSpec.of(WitnessedCounter.class).withId("fine"));
            assertThat((Object) n1.call("fine", "inc")).isEqualTo(1L);
        }
    }

    /**
     * The first release kept specs flat under {@code children/}: a node of this one moves them
     * into their buckets at its start (the whole cluster was stopped), and runs them.
     */
    @Test
    void flatSpecsOfTheFirstReleaseAreMovedIntoBucketsAndRun() throws Exception {
        try (ZooKeeperHarness cluster = ZK.harness(); CuratorFramework plain = ZK.server().client(true)) {
            DistributedSupervisor n1 = cluster.start("n1");
            for (int i = 0; i < 20; i++) {
                n1.startChild(ChildSpec.of(WitnessedCounter.class).withId("old-" + i));
            }
            String big = "o".repeat(ZnodeData.MAX_INLINE_SPEC_BYTES * 2);
            n1.startChild(ChildSpec.of(BigArgChild.class, big).withId("old-large"));
            cluster.stop("n1");
            // As the first release left them: flat, whole (codec bytes after the head), and no layout znode.
            ZnodeLayout paths = ZnodeLayout.of(ZooKeeperHarness.SUPERVISOR).withPrefix("/" + cluster.namespace());
            for (String bucket : plain.getChildren().forPath(paths.children())) {
                for (String key : plain.getChildren().forPath(paths.childrenBucket(bucket))) {
                    byte[] data = plain.getData().forPath(paths.spec(key));
                    if (plain.checkExists().forPath(paths.specPayload(key)) != null) {
                        byte[] payload = plain.getData().forPath(paths.specPayload(key));
                        data = java.nio.ByteBuffer.allocate(data.length + payload.length).put(data).put(payload).array();
                        plain.delete().forPath(paths.specPayload(key));
                    }
                    plain.create().forPath(paths.children() + "/" + key, data);
                    plain.delete().forPath(paths.spec(key));
                }
            }
            plain.delete().forPath(paths.layoutMarker());

            DistributedSupervisor again = cluster.start("n1b");
            await().atMost(Duration.ofSeconds(30)).until(() -> again.children().size() == 21);
            assertThat((Object) again.call("old-3", "inc")).isEqualTo(1L);
            assertThat((Object) again.call("old-large", "length")).isEqualTo(big.length());
            String largeKey = io.distributedsupervisor.spi.Placement.keyOf("old-large");
            assertThat(plain.getData().forPath(paths.spec(largeKey)).length).as("the moved large spec's znode")
                    .isLessThan(ZnodeData.MAX_INLINE_SPEC_BYTES);
            assertThat(plain.checkExists().forPath(paths.specPayload(largeKey))).isNotNull();
            assertThat(plain.getChildren().forPath(paths.children())).allSatisfy(
                    name -> assertThat(ZnodeLayout.isBucket(name)).as(name).isTrue());
            assertThat(new String(plain.getData().forPath(paths.layoutMarker()), StandardCharsets.UTF_8))
                    .isEqualTo(ZnodeLayout.VERSION);
        }
    }

    /** A flat owner entry is a running node of the first release: this one refuses to start beside it, and says why. */
    @Test
    void aNodeRefusesToStartBesideRunningNodesOfTheFlatLayout() throws Exception {
        try (ZooKeeperHarness cluster = ZK.harness(); CuratorFramework oldNode = ZK.server().client(true)) {
            String root = "/" + cluster.namespace() + "/" + ZooKeeperHarness.SUPERVISOR;
            oldNode.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL)
                    .forPath(root + "/owners/sold", "ds2\nold\n0\n-".getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(() -> cluster.start("n1"))
                    .isInstanceOf(BackendException.class)
                    .hasMessageContaining("flat layout").hasMessageContaining("sold")
                    .hasMessageContaining("/" + cluster.namespace() + "/" + ZooKeeperHarness.SUPERVISOR)
                    .hasMessageContaining("stop every node of that release first");
        }
    }

    /**
     * The layouts of the two releases before this one had the same specs (with views that watched
     * them, and before that with ephemeral owner entries): once their nodes are gone a layout is
     * taken over, stored children and all; while one runs, refused.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {ZnodeLayout.PREVIOUS_VERSION,
            ZnodeLayout.EPHEMERAL_OWNERS_VERSION})
    void theLayoutsOfTheReleasesBeforeAreTakenOverOnceNoNodeOfThemRuns(String earlier) throws Exception {
        try (ZooKeeperHarness cluster = ZK.harness(); CuratorFramework plain = ZK.server().client(true)) {
            DistributedSupervisor n1 = cluster.start("n1");
            for (int i = 0; i < 20; i++) {
                n1.startChild(ChildSpec.of(WitnessedCounter.class).withId("kept-" + i));
            }
            cluster.stop("n1");
            ZnodeLayout paths = ZnodeLayout.of(ZooKeeperHarness.SUPERVISOR).withPrefix("/" + cluster.namespace());
            plain.setData().forPath(paths.layoutMarker(), earlier.getBytes(StandardCharsets.UTF_8));
            // A node of that release, running: its member znode.
            try (CuratorFramework old = ZK.server().client(true)) {
                old.create().withMode(org.apache.zookeeper.CreateMode.EPHEMERAL).forPath(paths.member("old"),
                        "ds2".getBytes(StandardCharsets.UTF_8));
                assertThatThrownBy(() -> cluster.start("n2")).isInstanceOf(BackendException.class)
                        .hasMessageContaining(earlier).hasMessageContaining("stop every node");
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> plain.checkExists().forPath(paths.member("old")) == null);

            DistributedSupervisor n2 = cluster.start("n2");
            await().atMost(Duration.ofSeconds(30)).until(() -> n2.localChildren().size() == 20);
            assertThat((Object) n2.call("kept-3", "inc")).isEqualTo(1L);
            assertThat(new String(plain.getData().forPath(paths.layoutMarker()), StandardCharsets.UTF_8))
                    .isEqualTo(ZnodeLayout.VERSION);
        }
    }

    @Test
    void aLayoutOfAnotherReleaseIsRefused() throws Exception {
        try (ZooKeeperHarness cluster = ZK.harness(); CuratorFramework plain = ZK.server().client(true)) {
            ZnodeLayout paths = ZnodeLayout.of(ZooKeeperHarness.SUPERVISOR).withPrefix("/" + cluster.namespace());
            plain.create().creatingParentsIfNeeded().forPath(paths.layoutMarker(),
                    "buckets-4096".getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(() -> cluster.start("n1"))
                    .isInstanceOf(BackendException.class)
                    .hasMessageContaining("buckets-4096").hasMessageContaining(ZnodeLayout.VERSION);
        }
    }

    /** A child holding a large start argument. */
    public static final class BigArgChild implements io.distributedsupervisor.Child {
        private final String arg;

        public BigArgChild(String arg) {
            this.arg = arg;
        }

        @Override
        public Object handleCall(Object request, io.distributedsupervisor.ChildContext ctx) {
            return arg.length();
        }
    }
}
