package io.distributedsupervisor.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.NoSuchChildException;
import io.distributedsupervisor.StaleClaimException;
import io.distributedsupervisor.tck.LogCapture;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A ZooKeeper client that is not one of the cluster's nodes, on a real server: with the default
 * (closed) ACL it can neither read nor write anything; with open ACLs (or the ZooKeeper
 * credentials but not the cluster secret) the members and owner entries it forges are ignored and
 * reported once, and folders it made beforehand are fixed, or the start is refused. Each time the
 * nodes keep serving their children and starting new ones.
 */
class ZooKeeperTrustTest {
    @RegisterExtension
    static final SharedZooKeeper ZK = new SharedZooKeeper();

    /** Two nodes on digest ACLs (as every test cluster now), a child of each stored under its id. */
    private static ZooKeeperHarness closedCluster() {
        return twoNodes(ZK.harness());
    }

    /** Two nodes whose znodes any client may write: the proofs are all that keeps forgeries out. */
    private static ZooKeeperHarness openCluster() {
        return twoNodes(new ZooKeeperHarness(() -> ZK.server().openBackend()));
    }

    private static ZooKeeperHarness twoNodes(ZooKeeperHarness cluster) {
        cluster.start("n1", b -> b.callTimeout(Duration.ofSeconds(2)), b -> b);
        cluster.start("n2", b -> b.callTimeout(Duration.ofSeconds(2)), b -> b);
        cluster.awaitRing(List.of("n1", "n2"));
        cluster.node("n1").startChild(ChildSpec.of(WitnessedCounter.class).withId("on-n1"), "n1");
        cluster.node("n1").startChild(ChildSpec.of(WitnessedCounter.class).withId("on-n2"), "n2");
        return cluster;
    }

    private static String root(ZooKeeperHarness cluster) {
        return "/" + cluster.namespace() + "/" + ZooKeeperHarness.SUPERVISOR;
    }

    private static ZnodeLayout paths(ZooKeeperHarness cluster) {
        return ZnodeLayout.of(ZooKeeperHarness.SUPERVISOR).withPrefix("/" + cluster.namespace());
    }

    /** Both nodes answer for both children, and start and call a new one. */
    private static void stillServing(ZooKeeperHarness cluster) {
        stillServing(cluster, "n2");
    }

    /** Both nodes answer for both children ({@code on-n2} on {@code onN2Now}), and start and call a new one. */
    private static void stillServing(ZooKeeperHarness cluster, String onN2Now) {
        for (String n : List.of("n1", "n2")) {
            assertThat((Object) cluster.node(n).call("on-n1", "node")).isEqualTo("n1");
            assertThat((Object) cluster.node(n).call("on-n2", "node")).isEqualTo(onN2Now);
        }
        String id = "after-" + System.nanoTime();
        cluster.node("n2").startChild(ChildSpec.of(WitnessedCounter.class).withId(id));
        assertThat((Object) cluster.node("n1").call(id, "inc")).isEqualTo(1L);
    }

    private static void noAuth(ThrowingCallable call, String what) {
        assertThatThrownBy(call).as(what).isInstanceOf(KeeperException.NoAuthException.class);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static long sessionOf(CuratorFramework client) throws Exception {
        return client.getZookeeperClient().getZooKeeper().getSessionId();
    }

    @Test
    void withTheDefaultAclAClientWithoutCredentialsCanNeitherReadNorWriteAnything() throws Exception {
        try (ZooKeeperHarness cluster = closedCluster(); CuratorFramework outsider = ZK.server().client(false)) {
            String root = root(cluster);
            List<String> folders = List.of("/" + cluster.namespace(), root, root + "/members", root + "/children",
                    root + "/owners");
            List<String> entries = List.of(root + "/members/n1", paths(cluster).spec("son-n1"),
                    paths(cluster).owner("son-n1"));
            for (String path : concat(folders, entries)) {
                noAuth(() -> outsider.getData().forPath(path), "read " + path);
                noAuth(() -> outsider.getChildren().forPath(path), "list " + path);
                noAuth(() -> outsider.getACL().forPath(path), "read the ACL of " + path);
                noAuth(() -> outsider.setData().forPath(path, bytes("x")), "write " + path);
                noAuth(() -> outsider.setACL().withACL(ZooDefs.Ids.OPEN_ACL_UNSAFE).forPath(path), "open " + path);
            }
            for (String folder : folders) {
                noAuth(() -> outsider.create().withMode(CreateMode.EPHEMERAL).forPath(folder + "/intruder"),
                        "create in " + folder);
            }
            for (String entry : entries) {
                noAuth(() -> outsider.delete().forPath(entry), "delete " + entry);
            }
            noAuth(() -> outsider.checkExists().forPath(root + "/members/n1"), "stat a member");
            // ZooKeeper itself still tells an existing path (NoAuth) from a missing one (null): names
            // show, contents do not.
            assertThat(outsider.checkExists().forPath(root + "/members/nobody")).isNull();
            stillServing(cluster);
        }
    }

    @Test
    void forgedMembersAreIgnoredAndReportedOnceEach() throws Exception {
        try (LogCapture log = LogCapture.start(); ZooKeeperHarness cluster = openCluster();
             CuratorFramework foreign = ZK.server().client(false)) {
            for (String n : List.of("n1", "n2")) {
                assertThat(log.lines("node " + n + " of supervisor DS: openAcl is set")).as("warned at the start of %s", n)
                        .isEqualTo(1);
            }
            String members = root(cluster) + "/members";
            byte[] real = foreign.getData().forPath(members + "/n1");
            String session = HexFormat.of().toHexDigits(sessionOf(foreign));
            foreign.create().withMode(CreateMode.PERSISTENT).forPath(members + "/ghost", real);
            foreign.create().withMode(CreateMode.EPHEMERAL).forPath(members + "/phantom", real);
            foreign.create().withMode(CreateMode.EPHEMERAL).forPath(members + "/forged",
                    bytes("ds2\n127.0.0.1:1\n0\n0.1\n" + session + "\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
            foreign.create().withMode(CreateMode.EPHEMERAL).forPath(members + "/old", bytes("ds1\n127.0.0.1:1\n0\n0.1"));
            List<String> forged = List.of("ghost", "phantom", "forged", "old");
            for (int round = 0; round < 3; round++) {
                for (String name : forged) {
                    // Each change makes every node read the znode again.
                    foreign.setData().forPath(members + "/" + name, foreign.getData().forPath(members + "/" + name));
                }
            }
            // A later real change is seen, so the forged ones (and their changes) were read before it.
            cluster.node("n1").startChild(ChildSpec.of(WitnessedCounter.class).withId("marker"), "n1");
            await().until(() -> cluster.node("n2").whereis("marker").isPresent());

            for (String n : List.of("n1", "n2")) {
                assertThat(cluster.node(n).nodes()).containsExactly("n1", "n2");
                for (String name : forged) {
                    assertThat(log.lines("node " + n + ": ignoring " + members + "/" + name + ":"))
                            .as("%s on %s", name, n).isEqualTo(1);
                }
            }
            assertThat(log.lines("ignoring " + members + "/ghost: member ghost is a persistent znode")).isEqualTo(2);
            assertThat(log.lines("ignoring " + members + "/phantom: member phantom names session")).isEqualTo(2);
            assertThat(log.lines("ignoring " + members + "/forged: member forged: its proof does not match")).isEqualTo(2);
            assertThat(log.lines("ignoring " + members + "/old: member old: format ds1", "must run one version"))
                    .isEqualTo(2);
            stillServing(cluster);
        }
    }

    /**
     * A foreign client replaces n2's member znode, in one transaction, by one that sends n2's
     * traffic to the attacker's port. The proof does not verify: n2 is no member for a while
     * (its znode is gone), but its children stay its own and calls keep reaching the real n2 at
     * its verified address; the attacker's port is never dialled. n2 joins again, with the same
     * znode data, once the attacker's znode is gone.
     */
    @Test
    void aMemberDeletedAndMadeAgainWithAnAttackersAddressIsIgnored() throws Exception {
        try (LogCapture log = LogCapture.start(); ZooKeeperHarness cluster = openCluster();
             ServerSocket trap = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            AtomicInteger dialled = new AtomicInteger();
            Thread acceptor = Thread.ofPlatform().daemon().name("trap").start(() -> {
                while (true) {
                    try {
                        trap.accept().close();
                        dialled.incrementAndGet();
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            String path = root(cluster) + "/members/n2";
            ZooKeeperSession n1Session = cluster.sessions("n1").get(0);
            String realAddress = n1Session.verifiedMember("n2").orElseThrow();
            try (CuratorFramework foreign = ZK.server().client(false)) {
                String[] lines = new String(foreign.getData().forPath(path), StandardCharsets.UTF_8).split("\n");
                lines[1] = "127.0.0.1:" + trap.getLocalPort();
                foreign.transaction().forOperations(foreign.transactionOp().delete().forPath(path),
                        foreign.transactionOp().create().withMode(CreateMode.EPHEMERAL)
                                .forPath(path, bytes(String.join("\n", lines))));

                await().until(() -> log.lines("node n1: ignoring " + path + ":", "is held by session 0x"
                        + Long.toHexString(sessionOf(foreign))) == 1);
                await().until(() -> cluster.node("n1").nodes().equals(List.of("n1")));
                // n2's member znode is gone, so its session counts as ended: its children go to
                // the heirs (n1 alone), and n2 drops its copies when it sees the succession.
                await().until(() -> cluster.node("n1").whereis("on-n2").map(p -> p.node().equals("n1")).orElse(false)
                        && cluster.node("n2").localChildren().isEmpty());
                long first = (Long) cluster.node("n1").call("on-n2", "inc");
                for (int i = 1; i <= 20; i++) {
                    assertThat((Object) cluster.node("n1").call("on-n2", "inc")).isEqualTo(first + i);
                }
                assertThat(n1Session.verifiedMember("n2")).as("its member znode and its entries are gone").isEmpty();
                assertThat(n1Session.verifiedMember("ghost")).isEmpty();
                await().until(() -> log.lines("node n2: its member znode in supervisor DS was deleted by another "
                        + "ZooKeeper client, and another znode took its name") == 1);
            }
            // The attacker's session ended, and its znode with it: n2 joins again.
            cluster.awaitRing(List.of("n1", "n2"));
            assertThat(SafetyWitness.violations()).as("never two copies of on-n2").isEmpty();
            assertThat(log.lines("node n2: its member znode in supervisor DS was deleted by another ZooKeeper client; "
                    + "it joined again")).isEqualTo(1);
            assertThat(n1Session.verifiedMember("n2")).contains(realAddress);
            stillServing(cluster, "n1"); // taken over, and left there: no rebalancing by default
            assertThat(dialled.get()).as("connections to the attacker's address").isZero();
            trap.close();
            acceptor.join();
        }
    }

    @Test
    void aForeignOwnerEntryIsNoOwnerAndAStartOfItsIdReportsTheStaleClaim() throws Exception {
        try (LogCapture log = LogCapture.start(); ZooKeeperHarness cluster = openCluster()) {
            try (CuratorFramework foreign = ZK.server().client(false)) {
                // A real entry of n1, proof and all, copied under another key.
                byte[] real = foreign.getData().forPath(paths(cluster).owner("son-n1"));
                foreign.create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT)
                        .forPath(paths(cluster).owner("sheld"), real);
                await().until(() -> log.lines("ignoring " + paths(cluster).owner("sheld") + ":", "does not match") == 2);

                for (String n : List.of("n1", "n2")) {
                    DistributedSupervisor node = cluster.node(n);
                    assertThat(node.whereis("held")).isEmpty();
                    assertThat(node.children()).doesNotContainKey("held");
                    assertThatThrownBy(() -> node.call("held", "inc")).isInstanceOf(NoSuchChildException.class);
                }
                assertThatThrownBy(() -> cluster.node("n2").startChild(ChildSpec.of(WitnessedCounter.class).withId("held")))
                        .isInstanceOfSatisfying(StaleClaimException.class, e -> {
                            assertThat(e.holder()).isEqualTo("untrusted(n1)");
                            assertThat(e.getMessage()).contains("held").contains("not a live member");
                        });
                assertThat(log.lines("ignoring " + paths(cluster).owner("sheld") + ":")).as("once per node, however often read")
                        .isEqualTo(2);
                stillServing(cluster);
                // An entry no node can verify is never deleted by a node: an operator deletes it.
                foreign.delete().forPath(paths(cluster).owner("sheld"));
            }
            // (A start attempt still under way when the caller's timeout passed may take the id
            // first: that is a start too.)
            await().until(() -> {
                try {
                    return cluster.node("n2").startChild(ChildSpec.of(WitnessedCounter.class).withId("held")) != null;
                } catch (io.distributedsupervisor.ChildAlreadyStartedException e) {
                    return true;
                } catch (StaleClaimException e) {
                    return false;
                }
            });
            assertThat((Object) cluster.node("n1").call("held", "inc")).isEqualTo(1L);
        }
    }

    /**
     * A client with the ZooKeeper credentials (but not the secret) deletes the owner entry of a
     * running child. The node that runs it did not release it, so it drops its copy at once (it can
     * no longer prove it is the only one), says so once, and the spec is placed again: one new
     * incarnation, the old one processes nothing after it started, and both nodes reach the same copy.
     */
    @Test
    void anOwnerEntryDeletedByAnotherClientDropsTheLocalCopyAndTheChildRunsAgainOnce() throws Exception {
        try (LogCapture log = LogCapture.start(); ZooKeeperHarness cluster = closedCluster()) {
            cluster.node("n2").startChild(ChildSpec.of(WitnessedCounter.class).withId("roam"));
            assertThat((Object) cluster.node("n1").call("roam", "inc")).isEqualTo(1L);
            io.distributedsupervisor.Pid before = cluster.node("n1").whereis("roam").orElseThrow();
            SafetyWitness.clear();

            try (CuratorFramework holder = ZK.server().client(true)) {
                holder.delete().forPath(paths(cluster).owner("sroam"));
            }

            await().untilAsserted(() -> {
                for (String n : List.of("n1", "n2")) {
                    assertThat(cluster.node(n).whereis("roam")).hasValueSatisfying(
                            p -> assertThat(p.incarnation().isNewerThan(before.incarnation())).isTrue());
                }
            });
            assertThat((Object) cluster.node("n1").call("roam", "inc")).as("a fresh copy, and only one").isEqualTo(1L);
            assertThat((Object) cluster.node("n2").call("roam", "inc")).isEqualTo(2L);
            assertThat(cluster.node("n1").whereis("roam")).isEqualTo(cluster.node("n2").whereis("roam"));
            assertThat(SafetyWitness.count(SafetyWitness.Kind.START)).as("started again exactly once").isEqualTo(1);
            assertThat(SafetyWitness.violations()).isEmpty();
            assertThat(log.lines("the claim of child roam was deleted by another ZooKeeper client")).isEqualTo(1);
            stillServing(cluster);
        }
    }

    /**
     * Folders made world-writable before the cluster's first start (by an earlier run in open
     * mode, or by someone waiting for the cluster) get the cluster's ACL at its start, and so do
     * the entries in them; from then on the foreign client is out.
     */
    @Test
    void worldWritableFoldersMadeBeforehandAreClosedAtTheStart() throws Exception {
        String namespace = "prepared-" + System.nanoTime();
        String root = "/" + namespace + "/" + ZooKeeperHarness.SUPERVISOR;
        try (LogCapture log = LogCapture.start(); CuratorFramework foreign = ZK.server().client(false);
             CuratorFramework insider = ZK.server().client(true); ZooKeeperHarness cluster = ZK.harness()) {
            for (String folder : List.of("members", "children", "owners")) {
                foreign.create().creatingParentsIfNeeded().forPath(root + "/" + folder);
            }
            ZnodeLayout paths = ZnodeLayout.of(ZooKeeperHarness.SUPERVISOR).withPrefix("/" + namespace);
            foreign.create().creatingParentsIfNeeded().forPath(paths.spec("splanted"), bytes("not a spec"));
            foreign.create().forPath(root + "/members/ghost", bytes("ds2\n127.0.0.1:1\n0\n0.1\n1\nAAAA"));

            DistributedSupervisor n1 = cluster.start("n1", b -> b, b -> b.namespace(namespace));
            List<ACL> ours = ZooKeeperAcls.of(ZK.server().backend().build().config());
            for (String path : List.of("/" + namespace, root, root + "/members", root + "/children", root + "/owners",
                    paths.childrenBucket(ZnodeLayout.bucketOf("splanted")), paths.spec("splanted"),
                    root + "/members/ghost")) {
                assertThat(insider.getACL().forPath(path)).as(path).containsExactlyInAnyOrderElementsOf(ours);
                noAuth(() -> foreign.setData().forPath(path, bytes("x")), "write " + path);
            }
            noAuth(() -> foreign.create().withMode(CreateMode.EPHEMERAL).forPath(root + "/members/n2"), "join");
            noAuth(() -> foreign.delete().forPath(paths.spec("splanted")), "delete a spec");
            for (String path : List.of("/" + namespace, root, root + "/members", root + "/children", root + "/owners")) {
                assertThat(log.lines("node n1: ZooKeeper folder " + path + " had the ACL [world:anyone:cdrwa]: "
                        + "set to this backend's [digest:" + EmbeddedZooKeeper.TEST_USER + ":…:cdrwa]")).as(path).isEqualTo(1);
            }
            assertThat(log.lines("node n1: 1 entries under " + root + "/children had another ACL")).isEqualTo(1);
            assertThat(n1.nodes()).containsExactly("n1");

            n1.startChild(ChildSpec.of(WitnessedCounter.class).withId("fine"));
            assertThat((Object) n1.call("fine", "inc")).isEqualTo(1L);
            cluster.start("n2", b -> b, b -> b.namespace(namespace));
            cluster.awaitRing(List.of("n1", "n2"));
            assertThat(log.lines("node n2: ZooKeeper folder")).as("nothing left to fix").isZero();
            assertThat((Object) cluster.node("n2").call("fine", "inc")).isEqualTo(2L);
        }
    }

    /** Folders this client may not change (or not even read) stop the start, with a message naming them. */
    @Test
    void aFolderWithAnAclThatCannotBeFixedRefusesTheStart() throws Exception {
        String readable = "locked-" + System.nanoTime();
        String unreadable = "hidden-" + System.nanoTime();
        try (CuratorFramework other = otherCredentials(); ZooKeeperHarness cluster = closedCluster()) {
            List<ACL> readOnly = new ArrayList<>(ZooDefs.Ids.READ_ACL_UNSAFE);
            readOnly.add(new ACL(ZooDefs.Perms.ALL, new org.apache.zookeeper.data.Id("auth", "")));
            other.create().creatingParentsIfNeeded().forPath("/" + readable + "/DS");
            other.create().withACL(readOnly).forPath("/" + readable + "/DS/members");
            other.create().creatingParentsIfNeeded().forPath("/" + unreadable);
            other.create().withACL(ZooDefs.Ids.CREATOR_ALL_ACL).forPath("/" + unreadable + "/DS");

            assertThatThrownBy(() -> cluster.start("n3", b -> b, b -> b.namespace(readable)))
                    .hasStackTraceContaining("ZooKeeper folder /" + readable + "/DS/members has the ACL "
                            + "[world:anyone:r, digest:other:…:cdrwa] instead of this backend's [digest:"
                            + EmbeddedZooKeeper.TEST_USER + ":…:cdrwa], and this client may not change it");
            assertThatThrownBy(() -> cluster.start("n3", b -> b, b -> b.namespace(unreadable)))
                    .hasStackTraceContaining("ZooKeeper folder /" + unreadable + "/DS exists and its ACL does not let "
                            + "this client read it");
            stillServing(cluster);
        }
    }

    private static CuratorFramework otherCredentials() {
        CuratorFramework c = org.apache.curator.framework.CuratorFrameworkFactory.builder()
                .connectString(ZK.server().connectString()).retryPolicy(new org.apache.curator.retry.RetryOneTime(100))
                .authorization("digest", bytes("other:other-password")).build();
        c.start();
        return c;
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
