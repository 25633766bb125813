package io.distributedsupervisor.benchmarks.zookeeper;

import io.distributedsupervisor.spi.Placement;
import io.distributedsupervisor.zookeeper.ZnodeLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

/**
 * A failover's cost to the ZooKeeper server in today's layout against the layout that
 * docs/ARCHITECTURE.md ("Directions not taken yet", design 2) proposes, both written with plain
 * ZooKeeper calls (no library code): a prototype that measures what the server allows each
 * layout, before the library is changed.
 *
 * <p>The same server, the same {@code n} children of a dead node, spread over ZooKeeper's 1,024
 * buckets, four clients holding a persistent recursive watch on the tree (three heirs and one
 * node that only watches, as in the scale benchmark after its kill), and for each layout the
 * time from the dead node's session close to the moment every heir has claimed its share (the
 * ring over the three heirs) and read its share's specs (to start them):
 * <ul>
 *   <li><b>per child</b> (today): a persistent spec znode and an ephemeral owner znode of the dead
 *       session per child; the close deletes the owner znodes, and each heir claims its share in
 *       multi-ops of 500 (a check of the spec and the creation of an owner znode each), 4 in
 *       flight, then reads the specs;</li>
 *   <li><b>succession</b> (proposed): one persistent znode per child holding its spec and its
 *       owner; the close deletes the member znode only, the first heir to see it creates one
 *       {@code successions/<session>} znode naming the heirs (the others' create fails, and they
 *       read it), and each heir reads its share's specs.</li>
 * </ul>
 * Reads are multi-reads of 200 znodes, 4 in flight per heir. The session expiry before the
 * close (timeout plus up to a tick) is the same for both and is left out here; the scale
 * benchmark measures it. Each layout runs {@value #ROUNDS} times, alternating.
 *
 * <p>Arguments: {@code [n, default 256,687]} (the dead node's share in the scale benchmark's
 * million).
 */
public final class SuccessionFailover {
    private static final int ROUNDS = 2;
    private static final int WRITE_BATCH = 500;
    private static final int READ_BATCH = 200;
    private static final int IN_FLIGHT = 4;
    private static final List<String> HEIRS = List.of("n1", "n2", "n3");

    private SuccessionFailover() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0].replace(",", "").replace("_", "")) : 256_687;
        try (StandaloneZooKeeper zk = new StandaloneZooKeeper((512 + n / 150) + "m")) {
            String connect = zk.connectString();
            double[] perChild = new double[ROUNDS];
            double[] succession = new double[ROUNDS];
            for (int r = 0; r < ROUNDS; r++) {
                perChild[r] = round(connect, "/per-child-" + r, n, false);
                succession[r] = round(connect, "/succession-" + r, n, true);
                System.out.printf("round %d: per child %,.0f ms, succession %,.0f ms%n", r + 1, perChild[r], succession[r]);
            }
            System.out.printf("%nfailover of %,d children, session close to every heir's share claimed and its specs read"
                    + " (3 heirs, 4 nodes watching; %d rounds, best):%n", n, ROUNDS);
            double a = java.util.Arrays.stream(perChild).min().orElseThrow();
            double b = java.util.Arrays.stream(succession).min().orElseThrow();
            System.out.printf("| layout | ms |%n|---|---|%n| per child (today) | %,.0f |%n| succession (proposed) | %,.0f |%n"
                    + "| succession / per child | %.3fx |%n", a, b, b / a);
        }
    }

    /** One failover in one layout under {@code root}; returns its milliseconds. */
    private static double round(String connect, String root, int n, boolean successions) throws Exception {
        List<CuratorFramework> clients = new ArrayList<>();
        try {
            CuratorFramework dead = connected(connect, clients);
            List<CuratorFramework> heirs = new ArrayList<>();
            for (int i = 0; i < HEIRS.size(); i++) {
                heirs.add(connected(connect, clients));
            }
            CuratorFramework viewer = connected(connect, clients);
            ZooKeeper deadZk = dead.getZookeeperClient().getZooKeeper();
            String session = Long.toHexString(deadZk.getSessionId());

            dead.create().creatingParentsIfNeeded().forPath(root + "/successions");
            dead.create().forPath(root + "/members");
            dead.create().forPath(root + "/children");
            if (!successions) {
                dead.create().forPath(root + "/owners");
            }
            List<Op> folders = new ArrayList<>();
            for (int b = 0; b < ZnodeLayout.BUCKETS; b++) {
                String bucket = String.format("%03x", b);
                folders.add(Op.create(root + "/children/" + bucket, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
                if (!successions) {
                    folders.add(Op.create(root + "/owners/" + bucket, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
                }
            }
            deadZk.multi(folders);
            deadZk.create(root + "/members/dead", session.getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                    CreateMode.EPHEMERAL);
            // The dead node's children: a spec of about 250 bytes each, and its claim.
            byte[] spec = new byte[250];
            byte[] withOwner = new byte[250 + 40];
            byte[] owner = new byte[60];
            List<Op> setup = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String key = "k" + i;
                if (successions) {
                    setup.add(Op.create(child(root, key), withOwner, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
                } else {
                    setup.add(Op.create(child(root, key), spec, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
                    setup.add(Op.create(owner(root, key), owner, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL));
                }
            }
            multis(deadZk, setup, WRITE_BATCH).join();

            // Four nodes watch the tree, as the survivors and the joined node do.
            for (CuratorFramework w : clients.subList(1, clients.size())) {
                Watcher ignore = (WatchedEvent e) -> { };
                w.watchers().add().withMode(AddWatchMode.PERSISTENT_RECURSIVE).usingWatcher(ignore).forPath(root);
            }
            UnaryOperator<String> ring = Placement.ring(HEIRS);
            Map<String, List<String>> shares = new HashMap<>();
            for (int i = 0; i < n; i++) {
                shares.computeIfAbsent(ring.apply("k" + i), h -> new ArrayList<>()).add("k" + i);
            }
            CountDownLatch memberGone = new CountDownLatch(1);
            viewer.getZookeeperClient().getZooKeeper().exists(root + "/members/dead", e -> {
                if (e.getType() == Watcher.Event.EventType.NodeDeleted) {
                    memberGone.countDown();
                }
            });

            long t0 = System.nanoTime();
            clients.remove(dead);
            dead.close(); // the server runs the same session close as at an expiry
            memberGone.await();
            List<CompletableFuture<Void>> done = new ArrayList<>();
            for (int h = 0; h < HEIRS.size(); h++) {
                ZooKeeper heir = heirs.get(h).getZookeeperClient().getZooKeeper();
                List<String> share = shares.get(HEIRS.get(h));
                CompletableFuture<Void> claimed;
                if (successions) {
                    claimed = CompletableFuture.runAsync(() -> succeed(heir, root, session));
                } else {
                    List<Op> claims = new ArrayList<>();
                    for (String key : share) {
                        claims.add(Op.check(child(root, key), -1));
                        claims.add(Op.create(owner(root, key), owner, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL));
                    }
                    claimed = multis(heir, claims, 2 * WRITE_BATCH);
                }
                done.add(claimed.thenCompose(v -> {
                    List<Op> reads = new ArrayList<>();
                    for (String key : share) {
                        reads.add(Op.getData(child(root, key)));
                    }
                    return multis(heir, reads, READ_BATCH);
                }));
            }
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
            return (System.nanoTime() - t0) / 1e6;
        } finally {
            clients.forEach(CuratorFramework::close);
        }
    }

    /** The heir's part of a succession: create it, or read the one another heir created. */
    private static void succeed(ZooKeeper heir, String root, String session) {
        String path = root + "/successions/" + session;
        try {
            heir.create(path, String.join(",", HEIRS).getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                    CreateMode.PERSISTENT);
        } catch (KeeperException.NodeExistsException lost) {
            try {
                heir.getData(path, false, null);
            } catch (Exception e) {
                throw new IllegalStateException("could not read " + path, e);
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not create " + path, e);
        }
    }

    /** {@code ops} in multi-ops of {@code batch}, {@value #IN_FLIGHT} in flight; fails on the first failed one. */
    private static CompletableFuture<Void> multis(ZooKeeper zk, List<Op> ops, int batch) {
        CompletableFuture<Void> all = new CompletableFuture<>();
        Thread.ofPlatform().name("multis").start(() -> {
            Semaphore inFlight = new Semaphore(IN_FLIGHT);
            int batches = (ops.size() + batch - 1) / batch;
            CountDownLatch answered = new CountDownLatch(batches);
            try {
                for (int from = 0; from < ops.size(); from += batch) {
                    inFlight.acquire();
                    zk.multi(ops.subList(from, Math.min(ops.size(), from + batch)), (rc, path, ctx, results) -> {
                        inFlight.release();
                        if (rc != KeeperException.Code.OK.intValue() || failed(results)) {
                            all.completeExceptionally(KeeperException.create(KeeperException.Code.get(rc)));
                        }
                        answered.countDown();
                    }, null);
                }
                answered.await();
                all.complete(null);
            } catch (InterruptedException e) {
                all.completeExceptionally(e);
            }
        });
        return all;
    }

    /** A multi-read answers OK with an error result for each read that failed. */
    private static boolean failed(List<OpResult> results) {
        return results == null || results.stream().anyMatch(r -> r instanceof OpResult.ErrorResult);
    }

    private static String child(String root, String key) {
        return root + "/children/" + ZnodeLayout.bucketOf(key) + "/" + key;
    }

    private static String owner(String root, String key) {
        return root + "/owners/" + ZnodeLayout.bucketOf(key) + "/" + key;
    }

    private static CuratorFramework connected(String connect, List<CuratorFramework> clients) throws InterruptedException {
        CuratorFramework client = CuratorFrameworkFactory.newClient(connect, new RetryOneTime(100));
        clients.add(client);
        client.start();
        client.blockUntilConnected();
        return client;
    }
}
