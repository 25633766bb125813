package io.distributedsupervisor.benchmarks.zookeeper;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;

/**
 * What a watching node costs the ZooKeeper server, the figure behind the cluster's start rate and
 * failover time (issue 12): every node of a supervisor holds a persistent recursive watch on its
 * tree, so each znode created or deleted there is one event to each node, sent by the server's
 * single apply thread.
 *
 * <p>On a stock server in a JVM of its own ({@link StandaloneZooKeeper}), each round creates
 * {@code count} ephemeral znodes (200 bytes each) from 3 clients with 1,000 in flight each (the
 * scale benchmark's raw reference), while {@code w} other clients watch the folder with a
 * persistent recursive watch; then the 3 creating sessions close, and the server deletes their
 * znodes in one transaction per session, as it does when a node's session expires. It reports
 * the create rate (from the first create to the last watcher's last creation event) and the
 * close's delete rate (from the close to the folder found empty by a client that watches
 * nothing), each as a ratio to the same round's figure with no
 * watcher. The watcher counts run in alternating rounds ({@value #ROUNDS}); each ratio is the
 * median of its rounds.
 *
 * <p>Arguments: {@code [count, default 50,000] [watchers..., default 1 2 5]}.
 */
public final class WatcherCost {
    private static final int ROUNDS = 3;
    private static final int CLIENTS = 3;
    private static final int WINDOW = 1_000;

    private record Round(double creates, double deletes) {
    }

    private WatcherCost() {
    }

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0].replace(",", "").replace("_", "")) : 50_000;
        int[] watchers = args.length > 1 ? Arrays.stream(args, 1, args.length).mapToInt(Integer::parseInt).toArray()
                : new int[] {1, 2, 5};
        try (StandaloneZooKeeper zk = new StandaloneZooKeeper("2g")) {
            String connect = zk.connectString();
            round(connect, "/warm", count, 0); // the server's create and close paths compiled
            double[][] createRatio = new double[watchers.length][ROUNDS];
            double[][] deleteRatio = new double[watchers.length][ROUNDS];
            Round[] none = new Round[ROUNDS];
            Round[][] with = new Round[watchers.length][ROUNDS];
            for (int r = 0; r < ROUNDS; r++) {
                none[r] = round(connect, "/none-" + r, count, 0);
                for (int i = 0; i < watchers.length; i++) {
                    with[i][r] = round(connect, "/w" + watchers[i] + "-" + r, count, watchers[i]);
                    createRatio[i][r] = with[i][r].creates() / none[r].creates();
                    deleteRatio[i][r] = with[i][r].deletes() / none[r].deletes();
                }
            }
            System.out.printf("%,d ephemeral znodes per round, %d creating clients with %,d in flight each, %d rounds%n",
                    count, CLIENTS, WINDOW, ROUNDS);
            System.out.printf("| watchers | creates/s | / no watcher | deletes/s at session close | / no watcher |%n|---|---|---|---|---|%n");
            System.out.printf("| 0 | %,.0f | 1.00x | %,.0f | 1.00x |%n", median(none, true), median(none, false));
            for (int i = 0; i < watchers.length; i++) {
                System.out.printf("| %d | %,.0f | %.2fx | %,.0f | %.2fx |%n", watchers[i], median(with[i], true),
                        median(createRatio[i]), median(with[i], false), median(deleteRatio[i]));
            }
        }
    }

    /** One round: creates with {@code watchers} watching, then the close of the creating sessions. */
    private static Round round(String connect, String root, int count, int watchers) throws Exception {
        List<CuratorFramework> creators = new ArrayList<>();
        List<CuratorFramework> watching = new ArrayList<>();
        CuratorFramework observer = connected(connect); // watches nothing: polls the folder
        try {
            for (int c = 0; c < CLIENTS; c++) {
                creators.add(connected(connect));
            }
            for (int c = 0; c < watchers; c++) {
                watching.add(connected(connect));
            }
            creators.get(0).create().forPath(root);
            // Each watcher counts the events of both phases: count creations, then count deletions.
            CountDownLatch created = new CountDownLatch(watchers * count);
            CountDownLatch deleted = new CountDownLatch(watchers * count);
            for (CuratorFramework w : watching) {
                Watcher counter = (WatchedEvent e) -> {
                    if (e.getType() == Watcher.Event.EventType.NodeCreated) {
                        created.countDown();
                    } else if (e.getType() == Watcher.Event.EventType.NodeDeleted) {
                        deleted.countDown();
                    }
                };
                w.watchers().add().withMode(AddWatchMode.PERSISTENT_RECURSIVE).usingWatcher(counter).forPath(root);
            }
            long t0 = System.nanoTime();
            RawCreates.createAll(creators, root, count, WINDOW);
            created.await(); // the server's work for a create ends with its events sent
            double creates = count / ((System.nanoTime() - t0) / 1e9);

            long t1 = System.nanoTime();
            for (CuratorFramework c : creators) {
                c.close();
            }
            creators.clear();
            // The server deletes a closed session's znodes one by one, each with its events, in
            // its apply thread: the folder is empty once it has done all of that.
            while (observer.checkExists().forPath(root).getNumChildren() > 0) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
                if (System.nanoTime() - t1 > TimeUnit.MINUTES.toNanos(10)) {
                    throw new IllegalStateException("the server did not delete the closed sessions' znodes under " + root);
                }
            }
            double deletes = count / ((System.nanoTime() - t1) / 1e9);
            deleted.await(); // every event delivered before the next round
            return new Round(creates, deletes);
        } finally {
            creators.forEach(CuratorFramework::close);
            watching.forEach(CuratorFramework::close);
            observer.close();
        }
    }

    /** A started client, connected (also {@link OneZnodePerChild}'s). */
    static CuratorFramework connected(String connect) throws InterruptedException {
        CuratorFramework client = CuratorFrameworkFactory.newClient(connect, new RetryOneTime(100));
        client.start();
        client.blockUntilConnected();
        return client;
    }

    private static double median(Round[] rounds, boolean creates) {
        return median(Arrays.stream(rounds).mapToDouble(r -> creates ? r.creates() : r.deletes()).toArray());
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
