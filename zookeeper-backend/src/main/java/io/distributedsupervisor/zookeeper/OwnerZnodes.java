package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.spi.BackendException;
import io.distributedsupervisor.spi.ClaimConflictException;
import io.distributedsupervisor.spi.Owner;
import io.distributedsupervisor.spi.SpecRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One session's work on a supervisor's owner znodes in ZooKeeper: its claims (a new child's spec
 * and owner entry in one transaction, or the owner entries of stored specs), the restart counts
 * of its entries, their releases (alone, with the spec, or to another node), and the removal of
 * a spec that no entry holds; reads where the view may lag are {@link OwnerReads}'. Claims and releases go through a
 * {@link ClaimBatcher} each, so that what this node writes at the same time is one multi-op; every
 * write tells the {@link SupervisorView} at once (read-your-writes).
 *
 * <p>Ownership checks compare the session an entry names (under its proof) with this session's
 * id, never the node name alone (Curator's LeaderLatch double-leader bug, CURATOR-696). Only the
 * session that an entry stands for ({@link Successions}: its writer, or its heir) ever deletes or
 * changes an owner znode, at the version it read or wrote; the one exception is an entry without
 * heir (an ended session's entry whose key has no spec), which its ring heir deletes
 * ({@link SuccessionZnodes}).
 *
 * <p>Called on the runtime's threads (callers, children, reconciliation passes); the batchers'
 * answers complete on ZooKeeper's event thread, where nothing here blocks. Owned by one
 * {@link ZooKeeperSession}, whose {@code requireOpen} each claim, update and release calls first.
 */
final class OwnerZnodes {
    private static final Logger LOG = LoggerFactory.getLogger(OwnerZnodes.class);

    private final CuratorFramework client;
    /** The supervisor's paths as Curator's namespaced client spells them. */
    private final ZnodeLayout paths;
    /** The same paths as the raw handle spells them (Curator's namespace included). */
    private final ZnodeLayout rawPaths;
    private final String node;
    private final long sessionId;
    private final MemberProofs proofs;
    /** The ACL of the znodes this node creates through the raw handle (Curator's for the rest). */
    private final List<ACL> acl;
    private final Duration connectionTimeout;
    private final SupervisorView view;
    private final Buckets buckets;
    /** Throws the session's {@link BackendException} once it is closed or lost. */
    private final Runnable requireOpen;
    /** The set of this node's member znode that a transaction repeats to tell views about specs ({@link SpecSignal}). */
    private final Op touch;
    /** What {@link #touch} writes: the member znode's data as it is. */
    private final byte[] touchData;
    /** Claims of new children whose specs they store, of new children without a stored spec, and of stored specs. */
    private final ClaimBatcher newWithSpec;
    private final ClaimBatcher newWithoutSpec;
    private final ClaimBatcher ofStoredSpecs;
    /** Releases of this session's own entries, written together (no member touch: they say nothing of the spec). */
    private final ClaimBatcher releases;
    private final OwnerReads reads;
    /**
     * The versions of the owner entries this session wrote (0 when created, then one more per
     * restart recorded), so that a release needs no read. An entry someone else deleted and
     * another session made again could carry the same version: such a release deletes that
     * session's entry, whose node then drops its copy and the child is placed again (never two).
     */
    private final ConcurrentHashMap<String, Integer> ownVersions = new ConcurrentHashMap<>();

    /**
     * @param zk         the session's ZooKeeper handle (Curator's), for the claims' asynchronous multi-ops
     * @param memberData the data of this node's member znode, which every claim sets again ({@link #touch})
     */
    OwnerZnodes(CuratorFramework client, ZooKeeper zk, ZnodeLayout paths, ZnodeLayout rawPaths, String node,
                long sessionId, byte[] memberData, MemberProofs proofs, List<ACL> acl, Duration connectionTimeout,
                SupervisorView view, Buckets buckets, Runnable requireOpen) {
        this.client = client;
        this.paths = paths;
        this.rawPaths = rawPaths;
        this.node = node;
        this.sessionId = sessionId;
        this.proofs = proofs;
        this.acl = acl;
        this.connectionTimeout = connectionTimeout;
        this.view = view;
        this.buckets = buckets;
        this.requireOpen = requireOpen;
        this.touch = Op.setData(rawPaths.member(node), memberData, -1);
        this.touchData = memberData;
        this.newWithSpec = new ClaimBatcher(zk, SpecSignal.STORED_NOW, touch);
        this.newWithoutSpec = new ClaimBatcher(zk, SpecSignal.NO_SPEC, touch);
        this.ofStoredSpecs = new ClaimBatcher(zk, SpecSignal.STORED_BEFORE, touch);
        // A delete of owners/<key> is about 100 bytes in a multi-op: 1,000 stay far below 1 MiB.
        this.releases = new ClaimBatcher(zk, 1000);
        this.reads = new OwnerReads(client, paths, node, sessionId, view, connectionTimeout);
    }

    Owner claimNew(String key, SpecRecord spec) {
        try {
            return claimNewAsync(key, spec).join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : ZooKeeperBackend.wrap("could not claim " + key,
                    (Exception) e.getCause());
        }
    }

    /**
     * A new child's claim: its spec (if any) and its owner entry in one transaction, written with
     * the other claims this node makes at the same time ({@link ClaimBatcher}); no thread waits.
     */
    CompletableFuture<Owner> claimNewAsync(String key, SpecRecord spec) {
        try {
            requireMember();
        } catch (BackendException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (spec != null && spec.node() != null && !spec.node().equals(node)) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("a spec pinned to node " + spec.node()
                    + " is claimed by that node, not " + node));
        }
        List<Op> ops = new ArrayList<>(4);
        if (spec != null) {
            ZnodeData.StoredSpec stored = ZnodeData.storedSpec(spec.node(), spec.spec());
            if (stored.bytes() > ZnodeData.MAX_SPEC_BYTES) {
                return CompletableFuture.failedFuture(new IllegalArgumentException("the spec of child key " + key
                        + " is " + stored.bytes() + " bytes encoded; a spec stored in ZooKeeper may have at most "
                        + ZnodeData.MAX_SPEC_BYTES + " (pass a smaller start argument, e.g. a reference to your data)"));
            }
            ops.add(Op.create(rawPaths.spec(key), stored.znode(), acl, CreateMode.PERSISTENT));
            if (stored.payload() != null) {
                ops.add(Op.create(rawPaths.specPayload(key), stored.payload(), acl, CreateMode.PERSISTENT));
            }
        }
        ops.add(createOwner(key));
        if (spec != null && spec.node() != null) {
            // Set in the same transaction that creates it: tells every view that the spec is
            // pinned to the claimer, without a read (SpecSignal).
            ops.add(Op.setData(rawPaths.owner(key), ownerData(key), -1));
        }
        ClaimBatcher batcher = spec == null ? newWithoutSpec : newWithSpec;
        CompletableFuture<Owner> claimed = new CompletableFuture<>();
        buckets.ready(key).thenCompose(ready -> batcher.submit(ops)).whenComplete((epoch, error) -> {
            if (error instanceof java.util.concurrent.CompletionException c && c.getCause() != null) {
                error = c.getCause();
            }
            if (error == null) {
                Owner o = new Owner(node, epoch, 0, sessionId);
                claimedHere(key, o, spec);
                claimed.complete(o);
            } else if (error instanceof KeeperException.NodeExistsException) {
                // The conflict's owner is read on a thread of its own: this may be ZooKeeper's event thread.
                Thread.startVirtualThread(() -> claimed.completeExceptionally(new ClaimConflictException(key,
                        reads.current(key))));
            } else {
                claimed.completeExceptionally(error instanceof BackendException b ? b
                        : ZooKeeperBackend.wrap("could not claim " + key, (Exception) error));
            }
        });
        return claimed;
    }

    Optional<Owner> claimStored(String key) {
        requireMember();
        try {
            answer(buckets.ready(key));
            Owner o = new Owner(node, answer(ofStoredSpecs.submit(List.of(Op.check(rawPaths.spec(key), -1),
                    createOwner(key)))), 0, sessionId);
            claimedHere(key, o, null);
            return Optional.of(o);
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        } catch (KeeperException.NodeExistsException e) {
            throw new ClaimConflictException(key, reads.current(key));
        } catch (Exception e) {
            throw ZooKeeperBackend.wrap("could not claim " + key, e);
        }
    }

    /**
     * Claims many stored specs: each key's claim (a check of its spec, the creation of its owner
     * znode) goes to the {@link ClaimBatcher}, which writes them together behind one member
     * touch; a claim whose spec is gone or whose key is owned is left out.
     */
    Map<String, Owner> claimStored(Collection<String> keys) {
        requireMember();
        Map<String, CompletableFuture<Long>> epochs = new java.util.LinkedHashMap<>();
        for (String key : keys) {
            epochs.put(key, buckets.ready(key).thenCompose(
                    ready -> ofStoredSpecs.submit(List.of(Op.check(rawPaths.spec(key), -1), createOwner(key)))));
        }
        Map<String, Owner> claimed = new java.util.HashMap<>();
        try {
            for (Map.Entry<String, CompletableFuture<Long>> e : epochs.entrySet()) {
                try {
                    Owner o = new Owner(node, answer(e.getValue()), 0, sessionId);
                    claimedHere(e.getKey(), o, null);
                    claimed.put(e.getKey(), o);
                } catch (KeeperException.NoNodeException | KeeperException.NodeExistsException left) {
                    // Its spec is gone, or it is owned already: left out.
                }
            }
        } catch (Exception e) {
            throw ZooKeeperBackend.wrap("could not claim " + keys.size() + " children", e);
        }
        return claimed;
    }

    /**
     * Claims need an open session and a node that has not left: a leaving node keeps its member
     * znode (until its session ends), so its claims' member touch would still succeed.
     */
    private void requireMember() {
        requireOpen.run();
        if (view.leaving()) {
            throw new BackendException("node " + node + " has left the members: it claims no more children");
        }
    }

    /*
     * A claim's writes start by setting this node's member znode (to the data it has), and create
     * the owner znodes after it. That makes the claim's zxid the member znode's mzxid, so the
     * claim learns its epoch in the same round trip; and every view sees the member change just
     * before the owners' creation, with the same zxid, which tells it whose claims they are
     * without reading the owner znodes, and, by the number of touches, what they store
     * (SupervisorView, SpecSignal). A node that has left cannot claim. Claims go through the
     * claim batchers ({@link ClaimBatcher}), through ZooKeeper's asynchronous API: waking the
     * caller from a callback costs far less than the monitor wait of its synchronous API when
     * callers are virtual threads (about 1.4 times the claims per second, measured). Not retried:
     * a claim that meets a connection loss fails, and the runtime's caller tries again.
     */

    private Op createOwner(String key) {
        // Persistent: the entry outlives this session, and if the session ends holding it, a
        // succession gives it to an heir without a write (Successions).
        return Op.create(rawPaths.owner(key), ownerData(key), acl, CreateMode.PERSISTENT);
    }

    /** A new claim's owner entry of {@code key}: epoch 0, its znode's {@code czxid}. */
    private byte[] ownerData(String key) {
        return proofs.ownerData(key, node, 0, sessionId, 0);
    }

    /** This node's member touches that say {@code signal}, as Curator's transaction ops. */
    private List<CuratorOp> touches(SpecSignal signal) throws Exception {
        List<CuratorOp> ops = new ArrayList<>(signal.touches);
        for (int i = 0; i < signal.touches; i++) {
            ops.add(client.transactionOp().setData().forPath(paths.member(node), touchData));
        }
        return ops;
    }

    /** Waits for an asynchronous write; its KeeperException is thrown as such. */
    private <T> T answer(CompletableFuture<T> f) throws Exception {
        try {
            return f.get(connectionTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause() instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                    ? c.getCause() : e.getCause();
            throw cause instanceof Exception x ? x : e;
        } catch (java.util.concurrent.TimeoutException e) {
            throw new BackendException("ZooKeeper did not answer a claim within " + connectionTimeout);
        }
    }

    /** Reads {@code owners/<key>} from ZooKeeper after a {@code sync} (see {@link OwnerReads#fresh}). */
    Optional<Owner> freshOwner(String key) {
        return reads.fresh(key);
    }

    /**
     * A claim of this session was written: the view learns it, and its entry's version is kept for
     * the release: 0, or 1 when the claim also set it to pin its new spec to this node.
     */
    private void claimedHere(String key, Owner o, SpecRecord spec) {
        ownVersions.put(key, spec != null && spec.node() != null ? 1 : 0);
        view.claimed(key, o, spec);
    }

    boolean updateOwner(String key, Owner owner) {
        requireOpen.run();
        Owner current = view.owner(key);
        if (owner.session() != sessionId || !owner.node().equals(node)
                || (current != null && current.session() == sessionId && current.epoch() != owner.epoch())) {
            throw new IllegalArgumentException("updateOwner may change only restarts; got " + owner + " for " + current);
        }
        try {
            Stat stat = reads.ownStat(key);
            Owner standing = view.owner(key);
            if (stat == null || standing == null || standing.epoch() != owner.epoch()) {
                return false;
            }
            // The epoch written out: an entry held by succession keeps the succession's, not its czxid.
            Stat written = client.setData().withVersion(stat.getVersion()).forPath(paths.owner(key),
                    proofs.ownerData(key, node, owner.restarts(), sessionId, owner.epoch()));
            ownVersions.put(key, written.getVersion());
            view.updated(key, owner);
            return true;
        } catch (KeeperException.NoNodeException | KeeperException.BadVersionException e) {
            return false;
        } catch (Exception e) {
            throw ZooKeeperBackend.wrap("could not update the owner of " + key, e);
        }
    }

    boolean release(String key) {
        requireOpen.run();
        try {
            // An entry this session wrote has its version known: no read before the delete
            // (a drain releases thousands); any other is read, and released only if it is ours.
            Integer version = ownVersions.remove(key);
            if (version == null) {
                Stat stat = reads.ownStat(key);
                if (stat == null) {
                    return false;
                }
                version = stat.getVersion();
            }
            // Written with the other releases this node makes at the same time.
            answer(releases.submit(List.of(Op.delete(rawPaths.owner(key), version))));
            view.released(key, null);
            return true;
        } catch (KeeperException.NoNodeException | KeeperException.BadVersionException e) {
            return false;
        } catch (Exception e) {
            throw ZooKeeperBackend.wrap("could not release " + key, e);
        }
    }

    boolean releaseTo(String key, String node) {
        requireOpen.run();
        ownVersions.remove(key);
        java.util.Objects.requireNonNull(node, "node");
        try {
            Stat stat = reads.ownStat(key);
            if (stat == null) {
                return false;
            }
            Stat specStat = new Stat();
            byte[] stored = client.getData().storingStatIn(specStat).forPath(paths.spec(key));
            byte[] spec = java.util.Arrays.copyOfRange(stored, ZnodeData.specPayloadOffset(key, stored), stored.length);
            // The spec first: a node that sees the entry gone finds the spec placed already; the
            // touches tell views that watch no spec to read its placement again (SpecSignal).
            List<CuratorOp> ops = new ArrayList<>(touches(SpecSignal.SPEC_MOVED));
            ops.add(client.transactionOp().setData().withVersion(specStat.getVersion())
                    .forPath(paths.spec(key), ZnodeData.spec(node, spec)));
            ops.add(client.transactionOp().delete().withVersion(stat.getVersion()).forPath(paths.owner(key)));
            client.transaction().forOperations(ops);
            view.released(key, null);
            return true;
        } catch (KeeperException.NoNodeException | KeeperException.BadVersionException e) {
            return false;
        } catch (IllegalArgumentException e) {
            LOG.warn("node {}: the spec of {} cannot be read, not moved: {}", this.node, key, e.getMessage());
            return false;
        } catch (Exception e) {
            throw ZooKeeperBackend.wrap("could not release " + key + " to node " + node, e);
        }
    }

    boolean releaseAndRemoveSpec(String key) {
        requireOpen.run();
        ownVersions.remove(key);
        try {
            Stat stat = reads.ownStat(key);
            if (stat == null) {
                return false;
            }
            List<CuratorOp> ops = new ArrayList<>(4);
            Object specBefore = null;
            Stat specStat = client.checkExists().forPath(paths.spec(key));
            if (specStat != null) {
                ops.addAll(touches(SpecSignal.SPEC_REMOVED)); // tells views that watch no spec
                specBefore = view.specMark(key);
            }
            ops.add(client.transactionOp().delete().withVersion(stat.getVersion()).forPath(paths.owner(key)));
            if (specStat != null) {
                ops.addAll(specDeletes(key, specStat));
            }
            client.transaction().forOperations(ops);
            view.released(key, specBefore);
            return true;
        } catch (KeeperException.NoNodeException e) {
            // The spec went away between the check and the delete: release the claim alone.
            return release(key);
        } catch (KeeperException.BadVersionException e) {
            return false;
        } catch (Exception e) {
            throw ZooKeeperBackend.wrap("could not release " + key, e);
        }
    }

    /**
     * Deletes the spec of {@code key}; whether there was one. Views watch owner entries, not
     * specs: behind the touches that say a spec goes ({@link SpecSignal#SPEC_REMOVED}), the
     * transaction creates and deletes an owner entry of this session when no entry holds the key,
     * and a znode under the entry when one does ({@link ZnodeLayout#specRemovedSignal}); so it
     * fails when the key is claimed or released meanwhile, and is tried again.
     */
    boolean removeSpec(String key) {
        try {
            answer(buckets.ready(key));
            for (int attempt = 0; ; attempt++) {
                Stat stat = client.checkExists().forPath(paths.spec(key));
                if (stat == null) {
                    return false;
                }
                boolean owned = client.checkExists().forPath(paths.owner(key)) != null;
                String signal = owned ? paths.specRemovedSignal(key) : paths.owner(key);
                Object before = view.specMark(key);
                List<CuratorOp> ops = new ArrayList<>(touches(SpecSignal.SPEC_REMOVED));
                ops.add(client.transactionOp().create().withMode(CreateMode.PERSISTENT).withACL(acl)
                        .forPath(signal, owned ? new byte[0] : ownerData(key)));
                ops.add(client.transactionOp().delete().forPath(signal));
                ops.addAll(specDeletes(key, stat));
                try {
                    client.transaction().forOperations(ops);
                    view.specRemoved(key, before);
                    return true;
                } catch (KeeperException.NoNodeException | KeeperException.NodeExistsException e) {
                    // Claimed or released meanwhile, or the spec went: look again, a few times.
                    if (attempt == 2) {
                        throw e;
                    }
                }
            }
        } catch (KeeperException.NoNodeException e) {
            return false;
        } catch (Exception e) {
            throw ZooKeeperBackend.wrap("could not remove the spec of " + key, e);
        }
    }

    /** The deletion of the spec znode of {@code key} as {@code stat} found it: with its payload child, if it has one (a large spec). */
    private List<CuratorOp> specDeletes(String key, Stat stat) throws Exception {
        List<CuratorOp> ops = new ArrayList<>(2);
        if (stat.getNumChildren() > 0) {
            ops.add(client.transactionOp().delete().forPath(paths.specPayload(key)));
        }
        ops.add(client.transactionOp().delete().forPath(paths.spec(key)));
        return ops;
    }

    /**
     * Deletes every owner entry this session holds in the supervisor, as a graceful close does
     * after it left: in multi-ops of up to 1,000 deletes ({@link ClaimBatcher}), with the versions
     * this session wrote, waiting until {@code deadline} ({@link System#nanoTime}). What is gone
     * already is skipped; what cannot be deleted now is handed on by a succession once this
     * node's member znode is gone.
     */
    void deleteOwn(String supervisor, long deadline) {
        java.util.Map<String, Integer> entries = new java.util.HashMap<>(ownVersions);
        view.forEachOwner((key, owner) -> {
            if (owner.session() == sessionId && owner.node().equals(node)) {
                entries.putIfAbsent(key, -1);
            }
        });
        List<CompletableFuture<Long>> deletes = new ArrayList<>(entries.size());
        entries.forEach((key, version) -> deletes.add(releases.submit(List.of(Op.delete(rawPaths.owner(key), version)))));
        int failed = 0;
        for (CompletableFuture<Long> d : deletes) {
            try {
                d.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failed++;
                break;
            } catch (java.util.concurrent.ExecutionException e) {
                if (!(e.getCause() instanceof KeeperException.NoNodeException
                        || e.getCause() instanceof KeeperException.BadVersionException)) {
                    failed++;
                }
            } catch (java.util.concurrent.TimeoutException e) {
                failed++;
            }
        }
        ownVersions.clear();
        if (failed > 0) {
            LOG.warn("node {}: {} of its {} owner entries in supervisor {} could not be deleted on close; the other "
                    + "nodes hand them on by a succession once its member znode is gone", node, failed,
                    entries.size(), supervisor);
        }
    }
}
