package io.distributedsupervisor.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.CallTimeoutException;
import io.distributedsupervisor.ChildCrashedException;
import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.RemoteChildException;
import io.distributedsupervisor.SupervisorOptions;
import io.distributedsupervisor.spi.BackendException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bad input on a real server: each gets a clear error or log line, and the nodes keep serving. */
class ZooKeeperBadInputTest {
    private EmbeddedZooKeeper server;
    private ZooKeeperHarness cluster;
    private CuratorFramework plain;

    /** A child whose handler throws an exception of a class outside the codec's allow-list. */
    public static final class ThrowsForeign implements io.distributedsupervisor.Child {
        @Override
        public Object handleCall(Object request, io.distributedsupervisor.ChildContext ctx) {
            throw new java.util.ConcurrentModificationException("foreign " + request) {
                // An anonymous subclass: its class is nowhere on the allow-list.
            };
        }
    }

    @BeforeEach
    void start() {
        SafetyWitness.clear();
        server = new EmbeddedZooKeeper();
        cluster = new ZooKeeperHarness(server);
        cluster.start("n1");
        cluster.start("n2");
        cluster.awaitRing(List.of("n1", "n2"));
        cluster.node("n1").startChild(ChildSpec.of(WitnessedCounter.class).withId("steady"));
        // A client with the nodes' ZooKeeper credentials: it may write anything the nodes may.
        plain = server.client(true);
    }

    @AfterEach
    void stop() {
        try {
            plain.close();
            cluster.close();
        } finally {
            server.close();
        }
    }

    /** n1 and n2 still answer and start children, whatever else happened. */
    private void stillServing() {
        for (String n : List.of("n1", "n2")) {
            assertThat((Object) cluster.node(n).call("steady", "node")).isIn("n1", "n2");
        }
        String id = "after-" + System.nanoTime();
        cluster.node("n2").startChild(ChildSpec.of(WitnessedCounter.class).withId(id), "n1");
        assertThat((Object) cluster.node("n2").call(id, "inc")).isEqualTo(1L);
    }

    @Test
    void garbageInChildrenAndOwnersZnodesIsIgnoredAndLogged() throws Exception {
        String root = "/" + cluster.namespace() + "/" + ZooKeeperHarness.SUPERVISOR;
        try (io.distributedsupervisor.tck.LogCapture log = io.distributedsupervisor.tck.LogCapture.start()) {
            ZnodeLayout paths = ZnodeLayout.of(ZooKeeperHarness.SUPERVISOR).withPrefix("/" + cluster.namespace());
            plain.create().creatingParentsIfNeeded().forPath(paths.spec("sgarbage"), "not a spec".getBytes(StandardCharsets.UTF_8));
            plain.create().creatingParentsIfNeeded().forPath(paths.spec("snothing"), new byte[0]);
            plain.create().creatingParentsIfNeeded().forPath(paths.owner("sforged"), "ds2\nn1\n0\n-".getBytes(StandardCharsets.UTF_8));
            plain.create().creatingParentsIfNeeded().forPath(paths.owner("sjunk"), new byte[] {1, 2, 3});
            plain.create().forPath(root + "/members/ghost", "hello".getBytes(StandardCharsets.UTF_8));

            // A later real change is seen, so the garbage was read (and ignored) before it.
            cluster.node("n1").startChild(ChildSpec.of(WitnessedCounter.class).withId("marker"));
            await().until(() -> cluster.node("n2").whereis("marker").isPresent());
            for (DistributedSupervisor ds : cluster.live()) {
                assertThat(ds.children()).containsOnlyKeys("steady", "marker");
                assertThat(ds.whereis("forged")).as("a persistent owner znode is no claim").isEmpty();
                assertThat(ds.nodes()).containsExactly("n1", "n2");
            }
            stillServing();
            // Each node says once what it ignored, however often it read it.
            for (String entry : List.of(paths.owner("sforged"), paths.owner("sjunk"), paths.member("ghost"))) {
                for (String n : List.of("n1", "n2")) {
                    assertThat(log.lines("node " + n + ": ignoring " + entry + ":")).as("%s on %s", entry, n)
                            .isEqualTo(1);
                }
            }
        }
    }

    /**
     * An owner entry that no node of the cluster wrote (here by a client with the ZooKeeper
     * credentials but not the cluster secret) counts for nothing: {@code whereis} does not show
     * it, but it holds its id in ZooKeeper, so a start says so plainly once its timeout passed,
     * naming the entry as untrusted, and starts the child once the entry is gone.
     */
    @Test
    void anIdHeldByAnOwnerEntryOfNoLiveMemberIsReportedAsAStaleClaim() throws Exception {
        DistributedSupervisor n3 = cluster.start("n3", b -> b.callTimeout(Duration.ofSeconds(1)), b -> b);
        cluster.awaitRing(List.of("n1", "n2", "n3"));
        String root = "/" + cluster.namespace() + "/" + ZooKeeperHarness.SUPERVISOR;
        CuratorFramework foreign = server.client(true);
        try {
            foreign.create().creatingParentsIfNeeded().withMode(org.apache.zookeeper.CreateMode.EPHEMERAL)
                    .forPath(ZnodeLayout.of(ZooKeeperHarness.SUPERVISOR).withPrefix(root.substring(0, root.lastIndexOf('/')))
                            .owner("sheld"), "ds2\nghost\n0\n-".getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(() -> n3.startChild(ChildSpec.of(WitnessedCounter.class).withId("held")))
                    .isInstanceOfSatisfying(io.distributedsupervisor.StaleClaimException.class, e -> {
                        assertThat(e.holder()).isEqualTo("untrusted(ghost)");
                        assertThat(e.getMessage()).contains("held").contains("ghost").contains("not a live member");
                    });
            assertThat(n3.whereis("held")).as("an entry without a proof is no owner").isEmpty();
            // No node deletes an entry it cannot read: an operator does.
            foreign.delete().forPath(ZnodeLayout.of(ZooKeeperHarness.SUPERVISOR)
                    .withPrefix(root.substring(0, root.lastIndexOf('/'))).owner("sheld"));
        } finally {
            foreign.close();
        }
        // A start attempt still under way when the caller's timeout passed may take the id as soon
        // as the entry is gone (as a remote start_link that outlives its caller): that is a start too.
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            try {
                n3.startChild(ChildSpec.of(WitnessedCounter.class).withId("held"));
                return true;
            } catch (io.distributedsupervisor.ChildAlreadyStartedException e) {
                return true;
            } catch (io.distributedsupervisor.StaleClaimException e) {
                return false;
            }
        });
        assertThat((Object) n3.call("held", "node")).isIn("n1", "n2", "n3");
        stillServing();
    }

    /**
     * A node's process was killed and a service manager starts it again before its old session
     * expired: the old member znode is still there, so the new process waits for it to go and
     * then joins, instead of failing.
     */
    @Test
    void aNodeRestartedBeforeItsOldSessionExpiredWaitsForItAndJoins() throws Exception {
        ZnodeLayout paths = ZnodeLayout.of(ZooKeeperHarness.SUPERVISOR).withPrefix("/" + cluster.namespace());
        CuratorFramework old = server.client(true);
        try (io.distributedsupervisor.tck.LogCapture log = io.distributedsupervisor.tck.LogCapture.start()) {
            old.create().withMode(org.apache.zookeeper.CreateMode.EPHEMERAL).forPath(paths.member("n7"),
                    "ds2\n127.0.0.1:1\n0\n0.1\n1\nAAAA".getBytes(StandardCharsets.UTF_8));
            java.util.concurrent.CompletableFuture<DistributedSupervisor> started =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> cluster.start("n7"));
            await().until(() -> log.lines("node n7: supervisor " + ZooKeeperHarness.SUPERVISOR
                    + " has a member znode of this name") == 1);
            assertThat(started).isNotDone();
            old.close(); // the earlier process's session ends
            DistributedSupervisor n7 = started.get(30, java.util.concurrent.TimeUnit.SECONDS);
            cluster.awaitRing(List.of("n1", "n2", "n7"));
            n7.startChild(ChildSpec.of(WitnessedCounter.class).withId("on-n7"), "n7");
            assertThat((Object) cluster.node("n1").call("on-n7", "node")).isEqualTo("n7");
        } finally {
            old.close();
        }
        stillServing();
    }

    @Test
    void aSecondNodeWithATakenNameIsRefusedAndTheFirstServesOn() {
        assertThatThrownBy(() -> cluster.start("n1")).isInstanceOf(BackendException.class)
                .hasMessageContaining("n1").hasMessageContaining("already a live member");
        stillServing();
    }

    /**
     * A node with the wrong secret (but the ZooKeeper credentials) writes its member znode, but
     * its proof does not verify: the cluster does not count it as a member, nor it the cluster's
     * nodes, and no one talks to it.
     */
    @Test
    void aNodeWithTheWrongSecretReachesNoOneAndDisturbsNothing() {
        DistributedSupervisor intruder = cluster.start("n3", b -> b.callTimeout(Duration.ofSeconds(1)),
                b -> b.secret("a-completely-different-cluster-secret"));
        String onN1 = "pinned-on-n1";
        cluster.node("n1").startChild(ChildSpec.of(WitnessedCounter.class).withId(onN1), "n1");
        await().until(() -> cluster.node("n2").whereis(onN1).isPresent());
        assertThat(intruder.nodes()).containsExactly("n3");
        assertThat(intruder.whereis(onN1)).isEmpty();
        assertThatThrownBy(() -> intruder.call(onN1, "inc", Duration.ofSeconds(1)))
                .isInstanceOfAny(CallTimeoutException.class, io.distributedsupervisor.NoSuchChildException.class);
        for (String n : List.of("n1", "n2")) {
            assertThat(cluster.node(n).nodes()).containsExactly("n1", "n2");
        }
        assertThat((Object) cluster.node("n2").call(onN1, "inc")).isEqualTo(1L);
        stillServing();
    }

    @Test
    void anExceptionOutsideTheAllowListCrossesAsRemoteChildException() {
        cluster.node("n1").startChild(ChildSpec.of(ThrowsForeign.class).withId("foreign"), "n1");
        assertThatThrownBy(() -> cluster.node("n2").call("foreign", "x"))
                .isInstanceOf(ChildCrashedException.class)
                .cause().isInstanceOf(RemoteChildException.class).hasMessageContaining("foreign x")
                .satisfies(e -> assertThat(((RemoteChildException) e).remoteClassName())
                        .startsWith(ThrowsForeign.class.getName()));
        stillServing();
    }

    @Test
    void digestAclsKeepOtherClientsOut() throws Exception {
        EmbeddedZooKeeper secured = new EmbeddedZooKeeper();
        try (ZooKeeperHarness aclCluster = new ZooKeeperHarness(secured)) {
            DistributedSupervisor n1 = aclCluster.start("n1", b -> b, b -> b.namespace("secured").digestAcl("ds", "pw"));
            n1.startChild(ChildSpec.of(WitnessedCounter.class).withId("private"));
            assertThat((Object) n1.call("private", "inc")).isEqualTo(1L);
            try (CuratorFramework outsider = CuratorFrameworkFactory.newClient(secured.connectString(), new RetryOneTime(100))) {
                outsider.start();
                assertThatThrownBy(() -> outsider.getData().forPath(ZnodeLayout.of("DS").withPrefix("/secured").spec("sprivate")))
                        .isInstanceOf(KeeperException.NoAuthException.class);
                assertThatThrownBy(() -> outsider.delete().forPath(ZnodeLayout.of("DS").withPrefix("/secured").spec("sprivate")))
                        .isInstanceOf(KeeperException.NoAuthException.class);
            }
        } finally {
            secured.close();
        }
    }

    @Test
    void theProviderTakesSettingsByNameAndRefusesWrongOnes() {
        ZooKeeperBackendProvider provider = new ZooKeeperBackendProvider();
        assertThatThrownBy(() -> provider.create(Map.of("connectString", server.connectString())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("secret");
        assertThatThrownBy(() -> provider.create(Map.of("connectString", server.connectString(), "secrte", "x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown zookeeper backend setting 'secrte'");
        assertThatThrownBy(() -> provider.create(Map.of("connectString", server.connectString(), "openMode", "yes")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("true or false");
        assertThatThrownBy(() -> provider.create(Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("connectString");

        DistributedSupervisor viaName = DistributedSupervisor.start(SupervisorOptions.builder(ZooKeeperHarness.SUPERVISOR)
                .nodeName("by-name").serviceLoaderListeners(false)
                .backend("zookeeper", Map.of("connectString", server.connectString(), "namespace", cluster.namespace(),
                        "secret", EmbeddedZooKeeper.TEST_SECRET, "sessionTimeout", "4s",
                        "digestAcl", EmbeddedZooKeeper.TEST_USER + ":" + EmbeddedZooKeeper.TEST_PASSWORD))
                .build());
        try {
            await().until(() -> viaName.nodes().contains("n1"));
            assertThat((Object) viaName.call("steady", "inc")).isInstanceOf(Long.class);
        } finally {
            viaName.close();
        }
    }
}
