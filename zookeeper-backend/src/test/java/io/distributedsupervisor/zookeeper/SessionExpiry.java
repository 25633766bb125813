package io.distributedsupervisor.zookeeper;

import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;

/**
 * Expires a client's session as curator-test's {@code KillSession} does (the client is told its
 * session expired; the server keeps the session until its timeout, as it would for a process that
 * stopped talking to it), without {@code KillSession}'s race.
 *
 * <p>The race: ZooKeeper's {@code injectSessionExpiration()} queues the {@code Expired} event
 * before it marks the handle closed. When the event thread wins, Curator answers {@code Expired}
 * by closing a handle that is still open, the close reaches the server, and the server ends the
 * session at once: every ephemeral znode goes within milliseconds instead of after the session
 * timeout. A plain Curator client shows it ({@code benchmarks}' {@code KillSessionRace}); it made
 * failover figures of about 70 ms. Here the event thread is held at a gate (a watch event queued
 * first) until the handle is marked closed, so Curator's close stays on the client.
 *
 * <p>For tests and benchmarks only (this module's test-jar).
 */
public final class SessionExpiry {
    private SessionExpiry() {
    }

    /** Expires every ZooKeeper session {@code backend} holds (each once: supervisors of a node share one). */
    public static void expire(ZooKeeperBackend backend) throws Exception {
        expire(backend.sessions());
    }

    /** Expires the ZooKeeper sessions of {@code sessions}, each handle once. */
    static void expire(java.util.Collection<ZooKeeperSession> sessions) throws Exception {
        java.util.Set<ZooKeeper> handles = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (ZooKeeperSession s : sessions) {
            if (handles.add(s.zooKeeper())) {
                expire(s.zooKeeper());
            }
        }
    }

    /** Expires the session of {@code zk}, leaving it to end on the server at its timeout. */
    public static void expire(ZooKeeper zk) throws Exception {
        String gate = "/ds-expiry-gate-" + UUID.randomUUID();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        zk.exists(gate, event -> {
            entered.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        zk.getTestable().queueEvent(new WatchedEvent(Watcher.Event.EventType.NodeCreated,
                Watcher.Event.KeeperState.SyncConnected, gate));
        try {
            if (!entered.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the event thread of " + zk + " did not reach the gate");
            }
            zk.getTestable().injectSessionExpiration();
        } finally {
            release.countDown();
        }
    }
}
