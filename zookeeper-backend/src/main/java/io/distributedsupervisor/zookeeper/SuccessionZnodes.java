package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.spi.Owner;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's part in the {@code successions/<session>} znodes ({@link Successions}): it applies
 * those its view reads, and when its view sees a session end that still holds owner entries, it
 * writes that session's succession, naming the members live then as heirs. Every node that sees
 * the end tries; the first write wins and the others' fail as existing, which costs them nothing.
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
 * <p>A succession read counts only if it verifies, and is applied after the failover margin (a
 * node frozen by a long GC pause may not have noticed its session end yet): the owner entries
 * tell this node's listener what it inherits and what it lost ({@link OwnerEntries#succeeded}),
 * and this node deletes the znodes of the entries without heir that fall to it.
 *
 * <p>Reads are verified on ZooKeeper's event thread, and a succession is applied (the scan of
 * the view that tells the listener what it changes) on a virtual thread of its own, after the
 * margin if there is one; writes run on a virtual thread each, never on the event thread.
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
    private final OwnerEntries owners;
    private final Context context;
    private final long timeoutMillis;
    /** Sessions whose succession this node is writing now. */
    private final Set<Long> writing = ConcurrentHashMap.newKeySet();
    private volatile boolean settled;
    /** Inherited keys whose entries this node rewrites to its own session ({@link #rewrite}). */
    private final java.util.concurrent.ConcurrentLinkedQueue<String> toRewrite = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicBoolean rewriting = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicBoolean cleanUpScheduled = new java.util.concurrent.atomic.AtomicBoolean();
    /** Sessions whose successions this node deleted (or found deleted). */
    private final Set<Long> deleted = ConcurrentHashMap.newKeySet();

    /**
     * What else a node's successions depend on.
     *
     * @param heirs          the heirs a succession written now would name: the live members that are not leaving, with their sessions
     * @param memberSessions the sessions of the verified members, leaving ones included: sessions that have not ended
     */
    record Context(Supplier<List<ZnodeData.Heir>> heirs, Supplier<Set<Long>> memberSessions, UntrustedEntries untrusted,
                   java.time.Duration failoverMargin, io.distributedsupervisor.Scheduler scheduler, BooleanSupplier closed,
                   java.time.Duration timeout, java.time.Duration sessionTimeout) {
    }

    /** Inherited entries rewritten per second at most: background writes, each an event to every node. */
    static final int REWRITES_PER_SECOND = 1000;

    SuccessionZnodes(ZooKeeper zk, ZnodeLayout paths, String node, long sessionId, MemberProofs proofs, List<ACL> acl,
                     Successions successions, OwnerEntries owners, Context context) {
        this.zk = zk;
        this.paths = paths;
        this.node = node;
        this.sessionId = sessionId;
        this.proofs = proofs;
        this.acl = acl;
        this.successions = successions;
        this.owners = owners;
        this.context = context;
        this.timeoutMillis = context.timeout().toMillis();
    }

    /**
     * {@code successions/<name>} as read: believed if it verifies, and applied after the failover
     * margin, once (a succession is final).
     */
    void apply(String name, byte[] data, Stat stat) {
        ZnodeData.SuccessionFields f;
        try {
            f = proofs.verifiedSuccession(name, data, stat);
        } catch (IllegalArgumentException e) {
            context.untrusted().report(paths.successions() + "/" + name, stat.getCzxid(), e.getMessage());
            return;
        }
        Successions.Succession s = new Successions.Succession(f.session(), f.node(), stat.getCzxid(), f.heirs());
        if (successions.of(s.session) != null) {
            return;
        }
        Runnable apply = () -> {
            if (!context.closed().getAsBoolean() && successions.add(s)) {
                long t = System.nanoTime();
                OwnerEntries.Succeeded given = owners.succeeded(s);
                deleteWithoutHeir(given.withoutHeir());
                rewrite(given.inherited());
                scheduleCleanUp();
                LOG.info("node {}: {} (applied in {} ms)", node, s, (System.nanoTime() - t) / 1_000_000);
            }
        };
        // Its scan of a view of a million entries takes a second on a busy node: on a thread of its
        // own, so that ZooKeeper's event thread goes on answering meanwhile (the heirs' reads of the
        // specs of the keys told first among them), and the shared scheduler's thread is not held.
        Runnable applyApart = () -> Thread.ofVirtual().name("ds-succession-" + node).start(apply);
        long margin = context.failoverMargin().toNanos();
        if (margin > 0) {
            context.scheduler().schedule(applyApart, margin, TimeUnit.NANOSECONDS);
        } else {
            applyApart.run();
        }
    }

    /**
     * Rewrites the owner entries of {@code keys}, which this node holds by succession, to name its
     * own session, keeping the succession's epoch: from a session timeout on, one at a time, at most
     * {@value #REWRITES_PER_SECOND} a second, each read first and written at its version only if
     * it still stands for this session. Once no entry needs a succession, it can go
     * ({@link #cleanUp}). The runtime sees no change: the entry stands for the same owner.
     */
    void rewrite(List<String> keys) {
        if (keys.isEmpty()) {
            return;
        }
        toRewrite.addAll(keys);
        if (rewriting.compareAndSet(false, true)) {
            // A session timeout later: the writes, each an event to every node, would compete
            // with the failover they follow (the heirs reading their specs and starting).
            context.scheduler().schedule(() -> Thread.ofVirtual().name("ds-rewrite-" + node).start(this::rewriteQueued),
                    context.sessionTimeout().toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void rewriteQueued() {
        try {
            long next = System.nanoTime();
            for (String key; (key = toRewrite.poll()) != null && !context.closed().getAsBoolean(); ) {
                rewriteOne(key);
                next += 1_000_000_000L / REWRITES_PER_SECOND;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                }
            }
        } finally {
            rewriting.set(false);
            if (!toRewrite.isEmpty() && !context.closed().getAsBoolean() && rewriting.compareAndSet(false, true)) {
                Thread.ofVirtual().name("ds-rewrite-" + node).start(this::rewriteQueued);
            }
        }
    }

    private void rewriteOne(String key) {
        String path = paths.owner(key);
        try {
            Stat stat = new Stat();
            byte[] data = zk.getData(path, false, stat);
            Owner raw = owners.verified(key, data, stat);
            Owner standing = raw == null || raw.session() == sessionId ? null : owners.standing(key, raw);
            if (standing != null && standing.session() == sessionId) {
                zk.setData(path, proofs.ownerData(key, node, standing.restarts(), sessionId, standing.epoch()),
                        stat.getVersion());
            }
        } catch (KeeperException.NoNodeException | KeeperException.BadVersionException e) {
            // Released or changed meanwhile: nothing to rewrite.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.debug("node {}: could not rewrite the owner entry of {}: {}", node, key, e.toString());
        }
    }

    /**
     * How long a succession that no entry needs any more stays: a view that lags behind might still
     * hold an entry the heirs rewrote since; if the succession went before it saw the rewrite, it
     * could take that entry's session for one that ended unsucceeded, and write another.
     */
    private long graceNanos() {
        return Math.max(3 * context.sessionTimeout().toNanos(), java.util.concurrent.TimeUnit.SECONDS.toNanos(10));
    }

    /** Looks for successions no entry needs after the grace period ({@link #cleanUp}), unless a look is due already. */
    void scheduleCleanUp() {
        if (successions.isEmpty()) {
            return;
        }
        if (cleanUpScheduled.compareAndSet(false, true)) {
            context.scheduler().schedule(() -> {
                cleanUpScheduled.set(false);
                Thread.ofVirtual().name("ds-successions-" + node).start(this::cleanUp);
            }, graceNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Deletes the successions this node knows that no entry's znode needs any more (all rewritten,
     * released or swept) and that it has known for the grace period; looks again later while some
     * are still needed. Every node may do it: a deletion that finds none is no error.
     */
    private void cleanUp() {
        if (context.closed().getAsBoolean()) {
            return;
        }
        Set<Long> inUse = owners.successionsInUse();
        boolean left = false;
        long now = System.nanoTime();
        for (Successions.Succession s : successions.all()) {
            if (deleted.contains(s.session)) {
                continue;
            }
            if (inUse.contains(s.session) || now - s.knownSince < graceNanos()) {
                left = true;
                continue;
            }
            try {
                zk.delete(paths.succession(s.session), -1);
                LOG.info("node {}: deleted the {}, which no owner entry needs any more", node, s);
            } catch (KeeperException.NoNodeException e) {
                // Another node deleted it.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                left = true;
                continue;
            }
            deleted.add(s.session);
        }
        if (left) {
            scheduleCleanUp();
        }
    }

    /**
     * A member the view saw live has left the members: writes its session's succession if that
     * session ended while it still holds owner entries.
     */
    void memberGone(String deadNode, long deadSession) {
        if (owners.anyMatch(o -> o.session() == deadSession)) {
            write(deadNode, deadSession);
        }
    }

    /**
     * The runtime's settle window is over: from now on, the sessions that standing entries name and
     * that are no member's (they ended before this node joined, or unseen) are succeeded too.
     */
    void settled() {
        settled = true;
        orphanedSessions();
    }

    /** After a (re)load: the sessions of standing entries that are no member's, once settled. */
    void orphanedSessions() {
        if (!settled) {
            return;
        }
        Set<Long> memberSessions = context.memberSessions().get();
        owners.sessions().forEach((session, named) -> {
            if (!memberSessions.contains(session)) {
                write(named, session);
            }
        });
    }

    /**
     * Deletes the owner znodes of {@code keys}, entries without heir that fell to this node (their
     * keys have no stored spec, their sessions ended): one at a time on a thread of its own, each
     * read first and deleted only if it still is one, at its version.
     */
    private void deleteWithoutHeir(List<String> keys) {
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
                    if (withoutHeir(key, data, stat)) {
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

    /** Whether {@code owners/<key>} as read is an entry without heir (its key has no spec, its session is succeeded). */
    private boolean withoutHeir(String key, byte[] data, Stat stat) {
        Owner raw = owners.verified(key, data, stat);
        return raw != null && owners.standing(key, raw) == null;
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
            List<ZnodeData.Heir> to = context.heirs().get().stream().filter(h -> h.session() != deadSession).toList();
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
