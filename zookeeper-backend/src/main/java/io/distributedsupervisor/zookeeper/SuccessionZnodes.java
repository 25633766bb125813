package io.distributedsupervisor.zookeeper;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's part in writing {@code successions/<session>} znodes ({@link Successions}): when
 * its view sees a session end that still holds owner entries, it writes that session's
 * succession, naming the members live then as heirs. Every node that sees the end tries; the
 * first write wins and the others' fail as existing, which costs them nothing.
 *
 * <p>A succession takes a session's entries for good, so it is written only for a session that
 * has ended: the view saw its member znode go (or found entries of a session whose member znode
 * it never saw), and a read after a {@code sync} finds no member znode of that node held by that
 * session. A member leaving on purpose keeps its znode until its session ends (it marks itself
 * leaving instead), and a node never writes the succession of its own session.
 *
 * <p>The sessions that ended before this node joined (a whole-cluster restart) are succeeded only
 * once the runtime says its settle window is over ({@link #settled}), so that the nodes starting
 * together are among the heirs.
 *
 * <p>Writes run on a virtual thread each, never on ZooKeeper's event thread.
 */
final class SuccessionZnodes {
    private static final Logger LOG = LoggerFactory.getLogger(SuccessionZnodes.class);

    private final ZooKeeper zk;
    /** The supervisor's paths as the raw handle spells them. */
    private final ZnodeLayout paths;
    private final String node;
    private final long sessionId;
    private final MemberProofs proofs;
    private final List<ACL> acl;
    private final Successions successions;
    /** The heirs a succession written now would name: the live members that are not leaving, with their sessions. */
    private final Supplier<List<ZnodeData.Heir>> heirs;
    private final long timeoutMillis;
    /** Sessions whose succession this node is writing now. */
    private final Set<Long> writing = ConcurrentHashMap.newKeySet();
    private volatile boolean settled;

    SuccessionZnodes(ZooKeeper zk, ZnodeLayout paths, String node, long sessionId, MemberProofs proofs, List<ACL> acl,
                     Successions successions, Supplier<List<ZnodeData.Heir>> heirs, java.time.Duration timeout) {
        this.zk = zk;
        this.paths = paths;
        this.node = node;
        this.sessionId = sessionId;
        this.proofs = proofs;
        this.acl = acl;
        this.successions = successions;
        this.heirs = heirs;
        this.timeoutMillis = timeout.toMillis();
    }

    /** A member the view saw live has left the members: writes its session's succession if it ended. */
    void memberGone(String deadNode, long deadSession) {
        write(deadNode, deadSession);
    }

    /**
     * The runtime's settle window is over: from now on, the sessions that standing entries name and
     * that are no member's (they ended before this node joined, or unseen) are succeeded too.
     */
    void settled(Map<Long, String> namedSessions, Set<Long> memberSessions) {
        settled = true;
        orphanedSessions(namedSessions, memberSessions);
    }

    /** After a (re)load: the sessions of standing entries that are no member's, once settled. */
    void orphanedSessions(Map<Long, String> namedSessions, Set<Long> memberSessions) {
        if (!settled) {
            return;
        }
        namedSessions.forEach((session, named) -> {
            if (!memberSessions.contains(session)) {
                write(named, session);
            }
        });
    }

    /** What tells whether an owner znode, as read, is still an entry without heir. */
    interface WithoutHeir {
        boolean test(String key, byte[] data, Stat stat);
    }

    /**
     * Deletes the owner znodes of {@code keys}, entries without heir that fell to this node (their
     * keys have no stored spec, their sessions ended): one at a time on a thread of its own, each
     * read first and deleted only if it still is one, at its version.
     */
    void deleteWithoutHeir(List<String> keys, WithoutHeir test) {
        if (keys.isEmpty()) {
            return;
        }
        Thread.ofVirtual().name("ds-sweep-" + node).start(() -> {
            int deleted = 0;
            for (String key : keys) {
                String path = paths.owner(key);
                try {
                    Stat stat = new Stat();
                    byte[] data = zk.getData(path, false, stat);
                    if (test.test(key, data, stat)) {
                        zk.delete(path, stat.getVersion());
                        deleted++;
                    }
                } catch (KeeperException.NoNodeException | KeeperException.BadVersionException e) {
                    // Gone or changed meanwhile: no longer this node's to delete.
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (Exception e) {
                    LOG.warn("node {}: could not delete the owner entry without heir {}: {}", node, key, e.toString());
                }
            }
            LOG.debug("node {}: deleted {} owner entries without heir", node, deleted);
        });
    }

    private void write(String deadNode, long deadSession) {
        if (deadSession == sessionId || successions.of(deadSession) != null || !writing.add(deadSession)) {
            return;
        }
        Thread.ofVirtual().name("ds-succession-" + node).start(() -> {
            try {
                writeNow(deadNode, deadSession);
            } finally {
                writing.remove(deadSession);
            }
        });
    }

    /**
     * A succession of that session exists: if it does not verify (written by a client without the
     * cluster secret, which no node believes), it would keep the real one from being written, so
     * it is deleted, at the version read, and the real one written.
     *
     * @return whether this node wrote the succession
     */
    private boolean replaceForged(long deadSession, byte[] data) throws Exception {
        String path = paths.succession(deadSession);
        Stat stat = new Stat();
        byte[] found;
        try {
            found = zk.getData(path, false, stat);
        } catch (KeeperException.NoNodeException gone) {
            zk.create(path, data, acl, CreateMode.PERSISTENT);
            return true;
        }
        try {
            proofs.verifiedSuccession(ZnodeLayout.sessionName(deadSession), found, stat);
            return false;
        } catch (IllegalArgumentException forged) {
            LOG.warn("node {}: deleting {}, which no node believes ({}), to write the real succession", node, path,
                    forged.getMessage());
            zk.delete(path, stat.getVersion());
            zk.create(path, data, acl, CreateMode.PERSISTENT);
            return true;
        }
    }

    private void writeNow(String deadNode, long deadSession) {
        String member = paths.member(deadNode);
        try {
            CountDownLatch synced = new CountDownLatch(1);
            zk.sync(member, (rc, path, ctx) -> synced.countDown(), null);
            if (!synced.await(timeoutMillis, TimeUnit.MILLISECONDS)) {
                LOG.warn("node {}: no sync within {} ms; the succession of session 0x{} waits for the next look", node,
                        timeoutMillis, Long.toHexString(deadSession));
                return;
            }
            Stat held = zk.exists(member, false);
            if (held != null && held.getEphemeralOwner() == deadSession) {
                return; // its session holds its member znode: not ended
            }
            List<ZnodeData.Heir> to = heirs.get().stream().filter(h -> h.session() != deadSession).toList();
            if (to.isEmpty()) {
                return; // no one to inherit: the next member to settle writes it
            }
            if (to.size() > ZnodeData.MAX_HEIRS) {
                to = to.subList(0, ZnodeData.MAX_HEIRS);
            }
            byte[] data = proofs.successionData(deadNode, deadSession, to);
            try {
                zk.create(paths.succession(deadSession), data, acl, CreateMode.PERSISTENT);
            } catch (KeeperException.NodeExistsException e) {
                if (!replaceForged(deadSession, data)) {
                    return; // another survivor wrote it first: the view reads that one
                }
            }
            LOG.info("node {} wrote the succession of node {} (ended session 0x{}): its children go to {}", node,
                    deadNode, Long.toHexString(deadSession), to.stream().map(ZnodeData.Heir::node).toList());
        } catch (KeeperException.NodeExistsException e) {
            // Another survivor wrote it first (after a forged one went): the view reads that one.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("node {}: could not write the succession of node {} (session 0x{}): {}; the next look tries again",
                    node, deadNode, Long.toHexString(deadSession), e.toString());
        }
    }
}
