package io.distributedsupervisor.benchmarks.zookeeper;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

/**
 * A prototype, in plain ZooKeeper calls, of the direction "one znode per child"
 * (docs/ARCHITECTURE.md, "Directions not taken yet"): what bulk starts would gain on the server if
 * a start created one znode (spec and owner together) instead of two. No library code runs.
 *
 * <p>On a stock server in a JVM of its own ({@link StandaloneZooKeeper}), 3 writing clients each
 * write their share of {@code count} starts as the library's claim batcher does under load: one
 * multi-op at a time per client, each with up to 500 starts behind one {@code setData} of the
 * client's member znode, the znodes in 1,024 bucket folders. {@code watchers} other clients hold a
 * persistent recursive watch on the tree, as every node of a supervisor does; a round ends when
 * the last of them has had the last creation event. Three layouts per round:
 * <ul>
 *   <li>today's: per start, {@code children/<bucket>/<key>} (300 bytes) and
 *       {@code owners/<bucket>/<key>} (100 bytes);</li>
 *   <li>today's znodes with only {@code owners/} watched: the watchers learn the specs from the
 *       owners' events, so a start sends each of them one event, not two;</li>
 *   <li>one znode: per start, {@code children/<bucket>/<key>} with both (400 bytes).</li>
 * </ul>
 * Each is reported in starts a second and against the scale benchmark's reference, plain creates
 * from 3 clients with 1,000 in flight each and no watcher, measured in the same round. The layouts
 * and the reference alternate over {@value #ROUNDS} rounds; each figure is the median.
 *
 * <p>Arguments: {@code [starts per round, default 100,000] [watchers, default 4]}.
 */
public final class OneZnodePerChild {
    private static final int ROUNDS = 3;
    private static final int CLIENTS = 3;
    private static final int WINDOW = 1_000;
    private static final int PER_MULTI = 500;
    private static final int BUCKETS = 1_024;

    private OneZnodePerChild() {
    }

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0].replace(",", "").replace("_", "")) : 100_000;
        int watchers = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        try (StandaloneZooKeeper zk = new StandaloneZooKeeper("4g")) {
            String connect = zk.connectString();
            starts(connect, "/warm", count / 4, watchers, Layout.TWO); // the server's multi path compiled
            RawCreates.rate(connect, "/warm-raw", count / 4, CLIENTS, WINDOW);
            double[] raw = new double[ROUNDS];
            double[] two = new double[ROUNDS];
            double[] owners = new double[ROUNDS];
            double[] one = new double[ROUNDS];
            for (int r = 0; r < ROUNDS; r++) {
                raw[r] = RawCreates.rate(connect, "/raw-" + r, count, CLIENTS, WINDOW);
                // The tree grows round by round: the layouts take turns at going first.
                for (int l = 0; l < Layout.values().length; l++) {
                    Layout layout = Layout.values()[(l + r) % Layout.values().length];
                    double rate = starts(connect, "/" + layout.name().toLowerCase() + "-" + r, count, watchers, layout);
                    switch (layout) {
                        case TWO -> two[r] = rate;
                        case TWO_OWNERS_WATCHED -> owners[r] = rate;
                        case ONE -> one[r] = rate;
                    }
                }
                System.out.printf("round %d: raw creates %,.0f/s; starts, two znodes %,.0f/s, two znodes with owners"
                        + " watched only %,.0f/s, one znode %,.0f/s%n", r + 1, raw[r], two[r], owners[r], one[r]);
            }
            double[] twoRatio = new double[ROUNDS];
            double[] ownersRatio = new double[ROUNDS];
            double[] oneRatio = new double[ROUNDS];
            double[] gain = new double[ROUNDS];
            double[] ownersGain = new double[ROUNDS];
            for (int r = 0; r < ROUNDS; r++) {
                twoRatio[r] = two[r] / raw[r];
                ownersRatio[r] = owners[r] / raw[r];
                oneRatio[r] = one[r] / raw[r];
                gain[r] = one[r] / two[r];
                ownersGain[r] = owners[r] / two[r];
            }
            System.out.printf("%n%,d starts per round, %d writing clients (multi-ops of up to %d starts, one in flight"
                    + " each), %d watchers, %d rounds, medians%n", count, CLIENTS, PER_MULTI, watchers, ROUNDS);
            System.out.printf("| layout | starts/s | / raw creates (no watcher, %,d in flight each) |%n|---|---|---|%n",
                    WINDOW);
            System.out.printf("| raw creates (znodes/s) | %,.0f | 1.00x |%n", WatcherCost.median(raw));
            System.out.printf("| two znodes per start (today) | %,.0f | %.2fx |%n", WatcherCost.median(two), WatcherCost.median(twoRatio));
            System.out.printf("| two znodes per start, owners watched only | %,.0f | %.2fx |%n", WatcherCost.median(owners),
                    WatcherCost.median(ownersRatio));
            System.out.printf("| one znode per start | %,.0f | %.2fx |%n", WatcherCost.median(one), WatcherCost.median(oneRatio));
            System.out.printf("one znode / two znodes, median of the rounds' ratios: %.2fx%n", WatcherCost.median(gain));
            System.out.printf("two znodes with owners watched only / two znodes: %.2fx%n", WatcherCost.median(ownersGain));
        }
    }

    /** What a start writes, and what the watchers watch. */
    private enum Layout {
        TWO, TWO_OWNERS_WATCHED, ONE
    }

    /** One round of one layout: {@code count} starts, their rate from the first write to the last watcher's last event. */
    private static double starts(String connect, String root, int count, int watchers, Layout layout)
            throws Exception {
        boolean oneZnode = layout == Layout.ONE;
        List<CuratorFramework> writers = new ArrayList<>();
        List<CuratorFramework> watching = new ArrayList<>();
        try {
            for (int c = 0; c < CLIENTS; c++) {
                writers.add(WatcherCost.connected(connect));
            }
            for (int c = 0; c < watchers; c++) {
                watching.add(WatcherCost.connected(connect));
            }
            ZooKeeper setup = writers.get(0).getZookeeperClient().getZooKeeper();
            List<Op> folders = new ArrayList<>();
            folders.add(Op.create(root, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
            for (String tree : List.of("members", "children", "owners")) {
                folders.add(Op.create(root + "/" + tree, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
            }
            for (int c = 0; c < CLIENTS; c++) {
                folders.add(Op.create(root + "/members/n" + c, new byte[64], ZooDefs.Ids.OPEN_ACL_UNSAFE,
                        CreateMode.PERSISTENT));
            }
            setup.multi(folders);
            for (String tree : List.of("children", "owners")) {
                List<Op> buckets = new ArrayList<>();
                for (int b = 0; b < BUCKETS; b++) {
                    buckets.add(Op.create(root + "/" + tree + "/" + bucket(b), new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE,
                            CreateMode.PERSISTENT));
                }
                setup.multi(buckets);
            }
            int znodes = layout == Layout.TWO ? 2 * count : count;
            CountDownLatch created = new CountDownLatch(watchers * znodes);
            for (CuratorFramework w : watching) {
                Watcher counter = (WatchedEvent e) -> {
                    if (e.getType() == Watcher.Event.EventType.NodeCreated) {
                        created.countDown();
                    }
                };
                if (layout != Layout.TWO_OWNERS_WATCHED) {
                    w.watchers().add().withMode(AddWatchMode.PERSISTENT_RECURSIVE).usingWatcher(counter)
                            .forPath(root + "/children");
                }
                w.watchers().add().withMode(AddWatchMode.PERSISTENT_RECURSIVE).usingWatcher(counter)
                        .forPath(root + "/owners");
            }
            AtomicReference<Exception> failed = new AtomicReference<>();
            long t0 = System.nanoTime();
            List<Thread> issuers = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                ZooKeeper client = writers.get(c).getZookeeperClient().getZooKeeper();
                String member = root + "/members/n" + c;
                int from = (int) ((long) count * c / CLIENTS);
                int to = (int) ((long) count * (c + 1) / CLIENTS);
                issuers.add(Thread.ofPlatform().name("starts-" + c).start(() -> {
                    try {
                        write(client, root, member, from, to, oneZnode);
                    } catch (Exception e) {
                        failed.compareAndSet(null, e);
                    }
                }));
            }
            for (Thread t : issuers) {
                t.join();
            }
            if (failed.get() != null) {
                throw new IllegalStateException("starts under " + root + " failed", failed.get());
            }
            created.await(); // the server's work for a start ends with its events sent
            return count / ((System.nanoTime() - t0) / 1e9);
        } finally {
            writers.forEach(CuratorFramework::close);
            watching.forEach(CuratorFramework::close);
        }
    }

    /** The starts {@code from} to {@code to}, in multi-ops of up to {@value #PER_MULTI}, one at a time. */
    private static void write(ZooKeeper client, String root, String member, int from, int to, boolean oneZnode)
            throws KeeperException, InterruptedException {
        byte[] spec = new byte[300];
        byte[] owner = new byte[100];
        byte[] both = new byte[400];
        byte[] touch = new byte[64];
        for (int at = from; at < to; at += PER_MULTI) {
            List<Op> ops = new ArrayList<>();
            ops.add(Op.setData(member, touch, -1));
            for (int i = at; i < Math.min(to, at + PER_MULTI); i++) {
                String inBucket = "/" + bucket(i % BUCKETS) + "/k" + i;
                if (oneZnode) {
                    ops.add(Op.create(root + "/children" + inBucket, both, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
                } else {
                    ops.add(Op.create(root + "/children" + inBucket, spec, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
                    ops.add(Op.create(root + "/owners" + inBucket, owner, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
                }
            }
            client.multi(ops);
        }
    }

    private static String bucket(int b) {
        return String.format("%03x", b);
    }
}
