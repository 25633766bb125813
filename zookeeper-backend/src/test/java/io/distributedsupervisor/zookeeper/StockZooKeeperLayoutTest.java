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

    /** Specs near the size limit, read back in batches by a failover: every answer fits, the connection stays. */
    @Test
    void aFailoverReadsTheLargestSpecsWithoutOverflowingTheClientBuffer() throws Exception {
        try (ZooKeeperHarness cluster = ZK.harness()) {
            DistributedSupervisor n1 = cluster.start("n1");
            cluster.start("n2");
            cluster.awaitRing(List.of("n1", "n2"));
            String big = "y".repeat(ZnodeData.MAX_SPEC_BYTES - 1_024);
            int count = 3 * SpecReads.SPEC_READ_BATCH;
            for (int i = 0; i < count; i++) {
                n1.startChild(ChildSpec.of(BigArgChild.class, big).withId("big-" + i), "n2");
            }
            cluster.crash("n2");
            await().atMost(Duration.ofSeconds(60)).until(() -> n1.children().size() == count
                    && n1.children().values().stream().allMatch(p -> p.node().equals("n1")));
            assertThat((Object) n1.call("big-0", "length")).isEqualTo(big.length());
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
            cluster.stop("n1");
            // As the first release left them: flat, and no layout znode.
            ZnodeLayout paths = ZnodeLayout.of(ZooKeeperHarness.SUPERVISOR).withPrefix("/" + cluster.namespace());
            for (String bucket : plain.getChildren().forPath(paths.children())) {
                for (String key : plain.getChildren().forPath(paths.childrenBucket(bucket))) {
                    byte[] data = plain.getData().forPath(paths.spec(key));
                    plain.create().forPath(paths.children() + "/" + key, data);
                    plain.delete().forPath(paths.spec(key));
                }
            }
            plain.delete().forPath(paths.layoutMarker());

            DistributedSupervisor again = cluster.start("n1b");
            await().atMost(Duration.ofSeconds(30)).until(() -> again.children().size() == 20);
            assertThat((Object) again.call("old-3", "inc")).isEqualTo(1L);
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
     * The layout before successions had the same specs and ephemeral owner entries: once its
     * nodes are gone it is taken over, stored children and all; while one runs, refused.
     */
    @Test
    void theLayoutBeforeSuccessionsIsTakenOverOnceNoNodeOfItRuns() throws Exception {
        try (ZooKeeperHarness cluster = ZK.harness(); CuratorFramework plain = ZK.server().client(true)) {
            DistributedSupervisor n1 = cluster.start("n1");
            for (int i = 0; i < 20; i++) {
                n1.startChild(ChildSpec.of(WitnessedCounter.class).withId("kept-" + i));
            }
            cluster.stop("n1");
            ZnodeLayout paths = ZnodeLayout.of(ZooKeeperHarness.SUPERVISOR).withPrefix("/" + cluster.namespace());
            plain.setData().forPath(paths.layoutMarker(), ZnodeLayout.PREVIOUS_VERSION.getBytes(StandardCharsets.UTF_8));
            // A node of that release, running: its member znode.
            try (CuratorFramework old = ZK.server().client(true)) {
                old.create().withMode(org.apache.zookeeper.CreateMode.EPHEMERAL).forPath(paths.member("old"),
                        "ds2".getBytes(StandardCharsets.UTF_8));
                assertThatThrownBy(() -> cluster.start("n2")).isInstanceOf(BackendException.class)
                        .hasMessageContaining(ZnodeLayout.PREVIOUS_VERSION).hasMessageContaining("stop every node");
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
