package io.distributedsupervisor.benchmarks.zookeeper;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.CreateMode;

/**
 * The reference for a start's coordination write: raw Curator async creates of ephemeral znodes
 * with 200 bytes of data, from one or more clients (one ZooKeeper session each), each with at most
 * {@code window} creates in flight. The znodes go when the clients close; the folder stays.
 */
final class RawCreates {
    private RawCreates() {
    }

    /**
     * Creates {@code count} ephemeral znodes under {@code root} (created here), spread evenly over
     * {@code clients} clients with at most {@code window} in flight each; znodes/s from the first
     * create to the last answer.
     */
    static double rate(String connectString, String root, int count, int clients, int window) throws Exception {
        List<CuratorFramework> sessions = new ArrayList<>();
        try {
            for (int c = 0; c < clients; c++) {
                CuratorFramework client = CuratorFrameworkFactory.newClient(connectString, new RetryOneTime(100));
                sessions.add(client);
                client.start();
                client.blockUntilConnected();
            }
            sessions.get(0).create().forPath(root);
            long t0 = System.nanoTime();
            createAll(sessions, root, count, window);
            return count / ((System.nanoTime() - t0) / 1e9);
        } finally {
            sessions.forEach(CuratorFramework::close);
        }
    }

    /**
     * Creates {@code count} ephemeral znodes of 200 bytes under {@code root} (which exists), spread
     * evenly over {@code clients}, at most {@code window} in flight each; returns once all are answered.
     */
    static void createAll(List<CuratorFramework> clients, String root, int count, int window) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(count);
        byte[] data = new byte[200];
        List<Thread> issuers = new ArrayList<>();
        for (int c = 0; c < clients.size(); c++) {
            CuratorFramework client = clients.get(c);
            int from = (int) ((long) count * c / clients.size());
            int to = (int) ((long) count * (c + 1) / clients.size());
            issuers.add(Thread.ofPlatform().name("raw-creates-" + c).start(() -> {
                Semaphore inFlight = new Semaphore(window);
                try {
                    for (int i = from; i < to; i++) {
                        inFlight.acquire();
                        client.create().withMode(CreateMode.EPHEMERAL).inBackground((cf, event) -> {
                            inFlight.release();
                            done.countDown();
                        }).forPath(root + "/l" + i, data);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException("raw create under " + root + " failed", e);
                }
            }));
        }
        for (Thread t : issuers) {
            t.join();
        }
        done.await();
    }
}
