package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.spi.BackendException;
import io.distributedsupervisor.spi.Owner;
import io.distributedsupervisor.spi.SessionListener;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/**
 * The reads of a {@link SupervisorView}: loads its trees ({@link SupervisorView#reload} says how
 * a load applies the difference), each listed bucket by bucket and its entries read
 * {@link #ENTRY_READ_BATCH} per {@code multiRead}; reads the znodes its events name, and many
 * at once for its spec reads.
 *
 * <p>Every read is asynchronous: the caller's thread (a join, a reconnection, an event) only
 * sends the requests, and every answer is applied on ZooKeeper's event thread, in the order the
 * server sent it, among the view's events.
 */
final class ViewLoader {
    /**
     * Owner, member and leaving znodes read together in one {@code multiRead}: so many of the
     * largest that parse ({@link ZnodeData#MAX_ENTRY_BYTES}), with a result's framing, fit in an
     * answer under ZooKeeper's default {@code jute.maxbuffer} (1 MiB), over which the client drops
     * its connection. This backend writes a few hundred bytes each. (A client that may write them
     * could write one as large as the server takes; no batch size guards against that.)
     */
    static final int ENTRY_READ_BATCH = (1_000_000 - 1024) / (ZnodeData.MAX_ENTRY_BYTES + 256);
    /** Successions read together: so many of the largest that parse ({@link ZnodeData#MAX_SUCCESSION_BYTES}) fit. */
    static final int SUCCESSION_READ_BATCH = (1_000_000 - 1024) / (ZnodeData.MAX_SUCCESSION_BYTES + 256);
    /** Bucket listings under way at once while a tree loads: a join streams the buckets rather than asking for all. */
    static final int LISTINGS_IN_FLIGHT = 16;

    private final ZooKeeper zk;
    /** The supervisor's paths as the raw handle spells them. */
    private final ZnodeLayout paths;
    private final SessionListener listener;
    private final BooleanSupplier closed;
    private final UntrustedEntries untrusted;
    /** Answers applied so far (listings and reads): a load makes progress while this grows. */
    private final java.util.concurrent.atomic.AtomicLong answers = new java.util.concurrent.atomic.AtomicLong();

    ViewLoader(ZooKeeper zk, ZnodeLayout paths, SessionListener listener, BooleanSupplier closed,
               UntrustedEntries untrusted) {
        this.zk = zk;
        this.paths = paths;
        this.listener = listener;
        this.closed = closed;
        this.untrusted = untrusted;
    }

    /**
     * Lists {@code members/}: a member the view holds that is not listed is {@code deleted}, and
     * every listed one is read and handed to {@code apply}.
     */
    CompletableFuture<Void> loadMembers(TrustedMembers members, Consumer<String> deleted, Apply apply) {
        CompletableFuture<Void> membersLoaded = new CompletableFuture<>();
        zk.getChildren(paths.members(), false, (rc, path, ctx, names, stat) -> {
            if (!ok(rc, path, membersLoaded)) {
                return;
            }
            Set<String> listed = new HashSet<>(names);
            for (String name : List.copyOf(members.members().keySet())) {
                if (!listed.contains(name)) {
                    deleted.accept(name);
                }
            }
            readAll(paths::member, names, ENTRY_READ_BATCH, apply, membersLoaded);
        }, null);
        return membersLoaded;
    }

    /**
     * Lists {@code children/} into {@code specs} (the keys only: a spec's content is read when a
     * node needs it) and its buckets into {@code seen}; a spec dropped tells the listener.
     */
    CompletableFuture<Void> loadSpecs(ChildEntries<SpecSlot, Owner>.Part<SpecSlot> specs, Set<String> seen) {
        Map<String, List<String>> specsBefore = byBucket(specs.keys());
        return loadBuckets(paths.children(), seen, specsBefore.keySet(),
                (bucket, names, pzxid, done) -> {
                    Set<String> listed = new HashSet<>(names);
                    for (String key : specsBefore.getOrDefault(bucket, List.of())) {
                        SpecSlot slot = specs.get(key);
                        if (slot != null && !listed.contains(key) && slot.czxid() <= pzxid
                                && specs.remove(key, slot) && !closed.getAsBoolean()) {
                            listener.onSpecRemoved(key);
                        }
                    }
                    for (String key : names) {
                        specs.putIfAbsent(key, SpecSlot.LISTED);
                    }
                    done.complete(null);
                });
    }

    /** Lists {@code owners/} and its buckets into {@code seen}, and reads every entry into {@code owners}. */
    CompletableFuture<Void> loadOwners(OwnerEntries owners, Set<String> seen) {
        Map<String, List<String>> ownersBefore = byBucket(owners.keys());
        return loadBuckets(paths.owners(), seen, ownersBefore.keySet(),
                (bucket, names, pzxid, done) -> {
                    Set<String> listed = new HashSet<>(names);
                    for (String key : ownersBefore.getOrDefault(bucket, List.of())) {
                        Owner o = owners.raw(key);
                        if (o != null && !listed.contains(key) && o.epoch() <= pzxid) {
                            owners.remove(key, pzxid);
                        }
                    }
                    readAll(paths::owner, names, ENTRY_READ_BATCH, owners::apply, done);
                });
    }

    /**
     * Lists {@code folder} (a folder of a few entries: leaving markers, successions) and reads
     * every entry into {@code apply}; a folder that is not there lists as empty.
     */
    CompletableFuture<Void> loadAll(String folder, java.util.function.UnaryOperator<String> pathOf, int perRead,
                                    Apply apply) {
        CompletableFuture<Void> loaded = new CompletableFuture<>();
        zk.getChildren(folder, false, (rc, path, ctx, names, stat) -> {
            if (KeeperException.Code.get(rc) == KeeperException.Code.NONODE) {
                loaded.complete(null);
            } else if (ok(rc, path, loaded)) {
                readAll(pathOf, names, perRead, apply, loaded);
            }
        }, null);
        return loaded;
    }

    /** The keys the view holds, by bucket: only a reload after a reconnection has any. */
    private static Map<String, List<String>> byBucket(Collection<String> keys) {
        Map<String, List<String>> result = new HashMap<>();
        for (String key : keys) {
            result.computeIfAbsent(ZnodeLayout.bucketOf(key), b -> new ArrayList<>()).add(key);
        }
        return result;
    }

    private interface BucketListed {
        /** Applies one bucket's listing ({@code pzxid}: of the bucket's folder) and completes {@code done}. */
        void apply(String bucket, List<String> names, long pzxid, CompletableFuture<Void> done);
    }

    /**
     * Lists {@code folder}'s buckets, then each bucket (and those in {@code alsoBuckets}, which
     * the view holds keys of: a bucket gone, say by a purge, lists as empty at the folder's
     * pzxid), at most {@link #LISTINGS_IN_FLIGHT} at once, applying each listing as it comes.
     */
    private CompletableFuture<Void> loadBuckets(String folder, Set<String> seen, Set<String> alsoBuckets,
                                                BucketListed each) {
        CompletableFuture<Void> all = new CompletableFuture<>();
        zk.getChildren(folder, false, (rc, path, ctx, names, folderStat) -> {
            if (!ok(rc, path, all)) {
                return;
            }
            Set<String> buckets = new java.util.TreeSet<>();
            for (String name : names) {
                if (ZnodeLayout.isBucket(name)) {
                    seen.add(name);
                    buckets.add(name);
                } else {
                    untrusted.report(folder + "/" + name, 0, LayoutCheck.FLAT_ENTRY_IGNORED);
                }
            }
            buckets.addAll(alsoBuckets);
            List<String> order = List.copyOf(buckets);
            if (order.isEmpty()) {
                all.complete(null);
                return;
            }
            AtomicInteger next = new AtomicInteger();
            AtomicInteger left = new AtomicInteger(order.size());
            Runnable[] listNext = new Runnable[1];
            listNext[0] = () -> {
                int i = next.getAndIncrement();
                if (i >= order.size() || all.isDone()) {
                    return;
                }
                String bucket = order.get(i);
                CompletableFuture<Void> done = new CompletableFuture<>();
                done.whenComplete((v, e) -> {
                    if (e != null) {
                        all.completeExceptionally(e);
                    } else if (left.decrementAndGet() == 0) {
                        all.complete(null);
                    } else {
                        listNext[0].run();
                    }
                });
                zk.getChildren(folder + "/" + bucket, false, (brc, bpath, bctx, keys, bstat) -> {
                    answers.incrementAndGet();
                    KeeperException.Code code = KeeperException.Code.get(brc);
                    if (code == KeeperException.Code.NONODE) {
                        each.apply(bucket, List.of(), folderStat.getPzxid(), done);
                    } else if (ok(brc, bpath, done)) {
                        each.apply(bucket, keys, bstat.getPzxid(), done);
                    }
                }, null);
            };
            for (int i = 0; i < Math.min(LISTINGS_IN_FLIGHT, order.size()); i++) {
                listNext[0].run();
            }
        }, null);
        return all;
    }

    private boolean ok(int rc, String path, CompletableFuture<Void> f) {
        KeeperException.Code code = KeeperException.Code.get(rc);
        if (code == KeeperException.Code.OK) {
            return true;
        }
        f.completeExceptionally(new BackendException("could not list " + path + ": " + code));
        return false;
    }

    /**
     * Why a {@code multiRead} failed, or null. Its code is the first error among its reads, and a
     * znode deleted meanwhile answers with an error of its own ({@code NONODE}: left out, its
     * deletion event tells the rest); any other error fails the read.
     */
    private static KeeperException.Code readFailure(int rc, List<OpResult> results) {
        if (results == null) {
            return KeeperException.Code.get(rc);
        }
        for (OpResult r : results) {
            if (r instanceof OpResult.ErrorResult e && e.getErr() != KeeperException.Code.NONODE.intValue()) {
                return KeeperException.Code.get(e.getErr());
            }
        }
        return null;
    }

    /** How many answers the loader has applied so far: a load that makes progress is not stuck. */
    long answers() {
        return answers.get();
    }

    interface Apply {
        void apply(String name, byte[] data, Stat stat);
    }

    /** Reads {@code path}, the znode of {@code name}, and applies it on the event thread; if it is gone, its deletion event tells. */
    void readOne(String path, String name, Apply apply) {
        zk.getData(path, false, (rc, p, ctx, data, stat) -> {
            if (KeeperException.Code.get(rc) == KeeperException.Code.OK) {
                apply.apply(name, data, stat);
            }
        }, null);
    }

    /**
     * Reads the znode of every name ({@code pathOf}), {@code perRead} per {@code multiRead}, and
     * applies each answer on the event thread (a name gone meanwhile is left to its deletion
     * event); {@code done} completes once all are answered.
     */
    void readAll(java.util.function.UnaryOperator<String> pathOf, List<String> names, int perRead, Apply apply,
                 CompletableFuture<Void> done) {
        if (names.isEmpty()) {
            done.complete(null);
            return;
        }
        AtomicInteger left = new AtomicInteger((names.size() + perRead - 1) / perRead);
        for (int from = 0; from < names.size(); from += perRead) {
            List<String> batch = names.subList(from, Math.min(names.size(), from + perRead));
            List<Op> ops = new ArrayList<>(batch.size());
            for (String name : batch) {
                ops.add(Op.getData(pathOf.apply(name)));
            }
            zk.multi(ops, (rc, path, ctx, results) -> {
                KeeperException.Code code = readFailure(rc, results);
                if (code != null) {
                    done.completeExceptionally(new BackendException("could not read " + pathOf.apply(batch.get(0))
                            + " and " + (batch.size() - 1) + " more: " + code));
                    return;
                }
                answers.incrementAndGet();
                for (int i = 0; i < results.size(); i++) {
                    if (results.get(i) instanceof OpResult.GetDataResult r) {
                        apply.apply(batch.get(i), r.getData(), r.getStat());
                    }
                }
                if (left.decrementAndGet() == 0) {
                    done.complete(null);
                }
            }, null);
        }
    }
}
