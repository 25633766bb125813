package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.spi.BackendException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's member znode in one supervisor, {@code members/<node>}, through its life: created at
 * the join (after waiting for an earlier process's znode of that name to go), made again when
 * another client deletes it while the node has not left, marked when the node leaves (its
 * {@code leaving/<node>}), deleted when it closes (or with its session).
 * Only a znode this session holds is ever deleted.
 *
 * <p>The join and a close run on the caller's thread, a leave on the runtime's; a new join after
 * a deletion runs on a virtual thread of its own. {@link #leave} and that new join are
 * serialized by a lock, so that a node that left never joins again.
 */
final class MemberZnode {
    private static final Logger LOG = LoggerFactory.getLogger(MemberZnode.class);

    private final CuratorFramework client;
    private final String supervisor;
    private final String node;
    /** {@code members/<node>} as Curator's namespaced client spells it. */
    private final String path;
    /** The znode's data: address, start time, version, session and proof ({@link MemberProofs}). */
    private final byte[] data;
    private final long sessionId;
    private final Duration sessionTimeout;
    /** Whether this node's session in the supervisor is closed or lost: it joins no more then. */
    private final BooleanSupplier ended;
    /** Guards this node's membership: {@link #leave} and a new join after a deletion by someone else. */
    private final ReentrantLock membership = new ReentrantLock();
    private boolean left;
    /** {@code leaving/<node>}, and what it holds: this session's proof that it leaves. */
    private final String leavingPath;
    private final byte[] leavingData;
    private boolean created;

    MemberZnode(CuratorFramework client, String supervisor, String node, String path, byte[] data, long sessionId,
                Duration sessionTimeout, BooleanSupplier ended, String leavingPath, byte[] leavingData) {
        this.client = client;
        this.supervisor = supervisor;
        this.node = node;
        this.path = path;
        this.data = data;
        this.sessionId = sessionId;
        this.sessionTimeout = sessionTimeout;
        this.ended = ended;
        this.leavingPath = leavingPath;
        this.leavingData = leavingData;
    }

    /** Whether {@link #create} made the znode. */
    boolean created() {
        return created;
    }

    /**
     * Creates this node's member znode. One of that name may still be there: a process of this
     * node that ended without leaving (killed, say) holds it until its session expires, and a
     * service manager restarts it sooner. So a node waits for such a znode to go, up to a session
     * timeout and a margin for the server's expiry ticks; one still there then belongs to a live
     * process running with this node name, and the join is refused.
     */
    void create() {
        long deadline = System.nanoTime() + sessionTimeout.plusSeconds(5).toNanos();
        boolean told = false;
        while (true) {
            try {
                client.create().withMode(CreateMode.EPHEMERAL).forPath(path, data);
                created = true;
                return;
            } catch (KeeperException.NodeExistsException e) {
                CountDownLatch gone = new CountDownLatch(1);
                Stat held;
                try {
                    held = client.checkExists().usingWatcher((Watcher) event -> gone.countDown()).forPath(path);
                    if (held == null) {
                        continue;
                    }
                    if (!told) {
                        told = true;
                        LOG.warn("node {}: supervisor {} has a member znode of this name (session 0x{}), left by an "
                                + "earlier process of this node or held by another one; waiting up to {} for it to go",
                                node, supervisor, Long.toHexString(held.getEphemeralOwner()),
                                sessionTimeout.plusSeconds(5));
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0 || !gone.await(left, TimeUnit.NANOSECONDS)) {
                        throw new BackendException("node " + node + " is already a live member of supervisor "
                                + supervisor + " (another process runs with that node name: its member znode, of "
                                + "session 0x" + Long.toHexString(held.getEphemeralOwner()) + ", stayed for a session "
                                + "timeout and more)");
                    }
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new BackendException("interrupted while waiting for node " + node + "'s earlier member znode "
                            + "to go", ie);
                } catch (BackendException be) {
                    throw be;
                } catch (Exception other) {
                    throw ZooKeeperBackend.wrap("could not join supervisor " + supervisor + " as " + node, other);
                }
            } catch (Exception e) {
                throw ZooKeeperBackend.wrap("could not join supervisor " + supervisor + " as " + node, e);
            }
        }
    }

    /**
     * Leaves the members on purpose, never to join again: marks this node leaving (an ephemeral
     * {@code leaving/<node>}), so that the others place no new children here, and keeps the member
     * znode until the session ends or the supervisor closes. Deleting it now would read as this
     * session's end, and the others would take over the children it still runs while it drains.
     */
    void leave(SupervisorView view) {
        membership.lock();
        try {
            left = true;
            view.left();
            if (created) {
                client.create().withMode(CreateMode.EPHEMERAL).forPath(leavingPath, leavingData);
            }
        } catch (KeeperException.NodeExistsException e) {
            // Marked already.
        } catch (Exception e) {
            throw ZooKeeperBackend.wrap("node " + node + " could not leave", e);
        } finally {
            membership.unlock();
        }
    }

    /**
     * This node's member znode was deleted by someone else while it had not left (only a client
     * with write access to {@code members/} can: with open ACLs, anyone). The node is still
     * alive and holds its children, so it joins again with the same data, proof and session, on
     * a thread of its own (the view calls this on ZooKeeper's event thread). If another znode
     * took the name meanwhile, the node waits: that znode's deletion calls this again.
     */
    void joinAgain() {
        Thread.ofVirtual().name("ds-rejoin-" + supervisor + "-" + node).start(() -> {
            membership.lock();
            try {
                if (left || ended.getAsBoolean()) {
                    return;
                }
                client.create().withMode(CreateMode.EPHEMERAL).forPath(path, data);
                LOG.warn("node {}: its member znode in supervisor {} was deleted by another ZooKeeper client; "
                        + "it joined again", node, supervisor);
            } catch (KeeperException.NodeExistsException e) {
                LOG.warn("node {}: its member znode in supervisor {} was deleted by another ZooKeeper client, and "
                        + "another znode took its name; it joins again once that one is gone", node, supervisor);
            } catch (Exception e) {
                LOG.warn("node {}: its member znode in supervisor {} was deleted by another ZooKeeper client, and it "
                        + "could not join again: {}", node, supervisor, e.toString());
            } finally {
                membership.unlock();
            }
        });
    }

    /** Deletes the znode on close, if this session still holds it; a failure is logged, the close goes on. */
    void delete() {
        try {
            Stat marker = client.checkExists().forPath(leavingPath);
            if (marker != null && marker.getEphemeralOwner() == sessionId) {
                client.delete().withVersion(marker.getVersion()).forPath(leavingPath);
            }
            Stat member = client.checkExists().forPath(path);
            if (member != null && member.getEphemeralOwner() == sessionId) {
                client.delete().withVersion(member.getVersion()).forPath(path);
            }
        } catch (KeeperException.NoNodeException | KeeperException.BadVersionException e) {
            // Gone already, or no longer ours.
        } catch (Exception e) {
            LOG.warn("node {}: could not delete its member znode of supervisor {} on close: {}", node, supervisor,
                    e.toString());
        }
    }
}
