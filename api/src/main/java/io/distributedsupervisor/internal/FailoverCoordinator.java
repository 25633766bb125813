package io.distributedsupervisor.internal;

import io.distributedsupervisor.ExitReason;
import io.distributedsupervisor.Rebalance;
import io.distributedsupervisor.Restart;
import io.distributedsupervisor.spi.BackendException;
import io.distributedsupervisor.spi.NodeSession;
import io.distributedsupervisor.spi.Owner;
import io.distributedsupervisor.spi.SpecRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles, never replays: on its own thread, after any hint from the backend (a member
 * change, an owner entry gone, a lost session) and on a slow timer, it compares specs, owners and
 * members and acts on the difference.
 * <ul>
 *   <li>A stored spec with no owner, that the ring (or its explicit node, while live) gives to
 *       this node: claim it, then start it.</li>
 *   <li>A member gone without a goodbye: {@code onNodeDown} (on the ring owner of its name,
 *       with {@code monitorNodes}); its children without a stored spec are reported lost.</li>
 *   <li>A member joined: {@code onNodeUp}; with {@link Rebalance#ACTIVE}, local children that the
 *       ring now gives to the newcomer are stopped here so that it starts them.</li>
 *   <li>A local child whose claim is not this session's any more is dropped at once (fencing).</li>
 * </ul>
 * Events are only hints: full scans run at start, after every membership change and on the
 * timer, so a missed event delays a failover but never loses a child.
 */
final class FailoverCoordinator {
    private static final Logger LOG = LoggerFactory.getLogger(FailoverCoordinator.class);

    private record Removed(String key, Owner previous, long at) {
    }

    /** Children this node took over after a node loss, to time the failover for listeners. */
    private static final class Failover {
        final long since = System.nanoTime();
        final List<String> lostNodes = new ArrayList<>();
        final List<LocalChild> taken = new ArrayList<>();
        /** When the last of {@link #taken} finished its first init, by System.nanoTime(). */
        final java.util.concurrent.atomic.AtomicLong lastStarted = new java.util.concurrent.atomic.AtomicLong(since);
        /** When this node last claimed one of them, by System.nanoTime(). */
        long lastClaimAt = since;
    }

    private final SupervisorNode node;
    private final ConcurrentLinkedQueue<Removed> removed = new ConcurrentLinkedQueue<>();
    private final Set<String> terminating = ConcurrentHashMap.newKeySet();
    private final long intervalNanos;
    private volatile boolean membersChanged;
    private volatile boolean sessionLost;
    private volatile boolean running;
    private volatile Thread thread;

    // Touched by the coordinator thread only.
    private Set<String> knownMembers = Set.of();
    /** The failover under way on this node, from the pass that saw a node lost; null when none. */
    private Failover failover;
    private int claimedThisPass;
    /**
     * Keys of stored specs without owner that this pass found. Their specs (which name the
     * explicit node, if any) are read together at the end of the pass to tell which are this
     * node's: the view holds spec keys only.
     */
    private final Set<String> orphans = new java.util.LinkedHashSet<>();
    /** Orphans that are this node's, claimed together at the end of the pass. */
    private final Map<String, SpecRecord> candidates = new java.util.LinkedHashMap<>();
    /** Claims handed to the backend together, and how many such batches are under way at once. */
    private static final int CLAIM_BATCH = 200;
    private static final int BATCHES_IN_FLIGHT = 4;
    private long failoverCheckAt;
    /** How long a failover must claim nothing more before this node reports it. */
    private static final long FAILOVER_QUIET_NANOS = 100_000_000L;
    private final Map<String, List<Removed>> removedByLiveNode = new HashMap<>();

    FailoverCoordinator(SupervisorNode node) {
        this.node = node;
        this.intervalNanos = node.options().reconcileInterval().toNanos();
    }

    /** Starts the thread; {@code members} are the members at join, which get no node-up event (except this node). */
    void start(Set<String> members) {
        // This node's own joining is an up like any other: when the ring gives its name to
        // itself, nobody else reports it.
        Set<String> others = new HashSet<>(members);
        others.remove(node.node());
        knownMembers = Set.copyOf(others);
        running = true;
        membersChanged = true;
        thread = Thread.ofPlatform().daemon().name("ds-failover-" + node.name() + "-" + node.node()).start(this::run);
    }

    void stop() {
        running = false;
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            LockSupport.unpark(t);
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    void membersChanged() {
        membersChanged = true;
        wake();
    }

    void ownerRemoved(String key, Owner previous) {
        removed.add(new Removed(key, previous, System.nanoTime()));
        wake();
    }

    void sessionLost() {
        sessionLost = true;
        wake();
    }

    /** The node said goodbye: its leaving is no node-down. */
    void nodeTerminating(String name) {
        terminating.add(name);
    }

    private void wake() {
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    private void run() {
        long nextScan = System.nanoTime();
        while (running) {
            long now = System.nanoTime();
            boolean full = now - nextScan >= 0;
            boolean followUp = failover != null && now - failoverCheckAt >= 0;
            if (!full && !followUp && !membersChanged && !sessionLost && removed.isEmpty()) {
                long wake = failover != null && failoverCheckAt - nextScan < 0 ? failoverCheckAt : nextScan;
                LockSupport.parkNanos(wake - now);
                continue;
            }
            try {
                if (reconcile(full)) {
                    nextScan = System.nanoTime() + intervalNanos;
                }
            } catch (RuntimeException e) {
                if (running) {
                    LOG.warn("reconciliation of {} on {} failed; retrying", node.name(), node.node(), e);
                    LockSupport.parkNanos(100_000_000L);
                }
            }
        }
    }

    /** One pass; true when it was a full scan. */
    private boolean reconcile(boolean full) {
        if (sessionLost) {
            sessionLost = false;
            node.recoverSession();
            knownMembers = Set.copyOf(node.session().members().keySet());
            full = true;
        }
        if (membersChanged) {
            membersChanged = false;
            node.refreshRing();
            onMembership(node.session().members().keySet());
            full = true;
        }
        claimedThisPass = 0;
        for (Removed r; (r = removed.poll()) != null; ) {
            onOwnerRemoved(r);
        }
        if (full) {
            fullScan();
        }
        placeOrphans();
        claimCandidates();
        closeFailoverWindow();
        return full;
    }

    /**
     * A failover is over for this node once it has claimed nothing for {@link #FAILOVER_QUIET_NANOS}
     * after its last claim (the dead node's owner entries may vanish over several passes, and a
     * pass may see only the entries that another survivor takes), or after a reconcile interval
     * without any claim; listeners hear of it once those children have run init.
     */
    private void closeFailoverWindow() {
        Failover f = failover;
        if (f == null) {
            return;
        }
        long now = System.nanoTime();
        if (claimedThisPass > 0) {
            f.lastClaimAt = now;
        }
        long end = f.taken.isEmpty() ? f.since + intervalNanos : f.lastClaimAt + FAILOVER_QUIET_NANOS;
        if (now - end < 0) {
            // Look again then rather than at the slow timer, so the report comes when it is over.
            failoverCheckAt = end;
            return;
        }
        failover = null;
        if (f.taken.isEmpty()) {
            return;
        }
        CompletableFuture<?>[] starts = f.taken.stream().map(LocalChild::firstStart).toArray(CompletableFuture[]::new);
        CompletableFuture.allOf(starts).whenComplete((v, e) -> node.events().failover(List.copyOf(f.lostNodes),
                f.taken.size(), Duration.ofNanos(f.lastStarted.get() - f.since)));
    }

    private void onMembership(Set<String> current) {
        Set<String> now = Set.copyOf(current);
        Set<String> ups = new HashSet<>(now);
        ups.removeAll(knownMembers);
        Set<String> downs = new HashSet<>(knownMembers);
        downs.removeAll(now);
        // This node's own leaving (a graceful close that has left the members already) is no
        // node-down, and a closing node reports nothing more.
        downs.remove(node.node());
        knownMembers = now;
        if (node.isClosing()) {
            return;
        }
        HashRing ring = node.ring();
        boolean monitor = node.options().monitorNodes();
        for (String down : downs) {
            // Kept until the node joins again: its releases arrive after its leaving, and
            // they are a graceful hand-off, not children lost with a dead node.
            boolean graceful = terminating.contains(down);
            if (!graceful) {
                if (failover == null) {
                    failover = new Failover();
                    failoverCheckAt = failover.since + FAILOVER_QUIET_NANOS;
                }
                failover.lostNodes.add(down);
            }
            if (!graceful && monitor && ownsNodeName(ring, down)) {
                node.events().nodeDown(down, Map.of("nodes", ring.nodes(), "reason", "session ended"));
            }
            List<Removed> lost = removedByLiveNode.remove(down);
            if (lost != null) {
                lost.forEach(this::reportIfLost);
            }
        }
        for (String up : ups) {
            terminating.remove(up);
            if (monitor && ring.contains(up) && ownsNodeName(ring, up)) {
                node.events().nodeUp(up, Map.of("nodes", ring.nodes()));
            }
        }
        if (!ups.isEmpty() && node.options().rebalance() == Rebalance.ACTIVE) {
            rebalanceTo(ups, ring);
        }
    }

    /**
     * Whether the ring gives this node the name of {@code other}: hashed as the id
     * {@code other} is, so that it is what {@code nodeFor(other)} answers to users.
     */
    private boolean ownsNodeName(HashRing ring, String other) {
        return !ring.isEmpty() && ring.nodeFor(ChildKey.encode(other)).equals(node.node());
    }

    private void rebalanceTo(Set<String> newcomers, HashRing ring) {
        for (LocalChild c : node.localChildrenByKey().values()) {
            if (c.explicitNode == null && c.isRunning() && !ring.isEmpty()) {
                String target = ring.nodeFor(c.key);
                // A node's own joining counts among the ups (for onNodeUp): never move a child to itself.
                if (newcomers.contains(target) && !target.equals(node.node())) {
                    Thread.startVirtualThread(() -> node.migrate(c));
                }
            }
        }
    }

    private void onOwnerRemoved(Removed r) {
        NodeSession s = node.session();
        if (s.hasSpec(r.key())) {
            if (s.owner(r.key()).isEmpty()) {
                orphans.add(r.key());
            }
            return;
        }
        String owner = r.previous().node();
        if (owner.equals(node.node())) {
            return;
        }
        // The session's member map may already lack a dead node whose membership change this
        // thread has not handled yet (the ring still has it, and would name the wrong reporter):
        // wait for that change too.
        if (s.members().containsKey(owner) || node.ring().contains(owner)) {
            // A release by a live node (terminate, give-up, move), or a death not yet seen: wait for
            // the membership change to tell which.
            removedByLiveNode.computeIfAbsent(owner, k -> new ArrayList<>()).add(r);
        } else {
            reportIfLost(r);
        }
    }

    /** A child of a dead node without a stored spec is gone; say so once, on the ring owner of that node. */
    private void reportIfLost(Removed r) {
        HashRing ring = node.ring();
        String dead = r.previous().node();
        if (terminating.contains(dead) || !ownsNodeName(ring, dead) || node.session().hasSpec(r.key())) {
            return;
        }
        Object id = SupervisorNode.decodeOrNull(r.key());
        if (id == null) {
            return;
        }
        LOG.warn("child {} of supervisor {} was lost with node {}: no spec was stored (cacheChildren=false or "
                + "TEMPORARY), so it is not started again", id, node.name(), dead);
        node.events().processStop(id, node.pidOf(id, r.previous()), ExitReason.nodeDown(dead));
    }

    private void fullScan() {
        NodeSession s = node.session();
        node.refreshRing();
        if (node.options().rebalance() == Rebalance.ACTIVE && !node.isClosing() && node.holdsLease()) {
            // Not only on a join: after a lost quorum or session every node joins again and none of
            // them sees the others join, so running children are put where the ring says here too.
            HashRing ring = node.ring();
            if (ring.contains(node.node())) {
                rebalanceTo(Set.copyOf(ring.nodes()), ring);
            }
        }
        s.forEachSpecKey(key -> {
            if (s.owner(key).isEmpty()) {
                orphans.add(key);
            }
        });
        long session = s.sessionId();
        for (LocalChild c : node.localChildrenByKey().values()) {
            if (c.isDone() || !c.isRunning()) {
                continue;
            }
            Optional<Owner> o = s.owner(c.key);
            if (o.isEmpty() || o.get().session() != session) {
                LOG.warn("child {} runs here but its claim is {}: dropping it (fenced)", c.id,
                        o.map(Owner::toString).orElse("gone"));
                c.abort();
                node.localChildrenByKey().remove(c.key, c);
                node.events().processStop(c.id, c.currentPid(), ExitReason.nodeDown(node.node()));
            }
        }
        long now = System.nanoTime();
        removedByLiveNode.values().forEach(list -> list.removeIf(r -> now - r.at() > intervalNanos));
        removedByLiveNode.values().removeIf(List::isEmpty);
    }

    /**
     * Tells which of this pass's orphans are this node's (from their explicit nodes, read in one
     * go, and the ring), then reads the specs of those only.
     */
    private void placeOrphans() {
        if (orphans.isEmpty()) {
            return;
        }
        NodeSession s = node.session();
        try {
            if (node.isClosing()) {
                return;
            }
            HashRing ring = node.ring();
            List<String> mine = new ArrayList<>();
            Map<String, SpecRecord> specs;
            try {
                s.placements(orphans).forEach((key, explicit) -> {
                    String target = explicit.isPresent() && ring.contains(explicit.get()) ? explicit.get()
                            : ring.isEmpty() ? null : ring.nodeFor(key);
                    if (node.node().equals(target) && s.owner(key).isEmpty()) {
                        mine.add(key);
                    }
                });
                specs = s.specs(mine);
            } catch (BackendException e) {
                // The slow timer's full scan finds them again.
                LOG.warn("node {} could not read {} specs without owner: {}", node.node(), orphans.size(), e.getMessage());
                return;
            }
            for (Map.Entry<String, SpecRecord> spec : specs.entrySet()) {
                if (spec.getValue().spec().restart() != Restart.TEMPORARY) {
                    candidates.putIfAbsent(spec.getKey(), spec.getValue());
                }
            }
        } finally {
            orphans.clear();
        }
    }

    /**
     * Claims and starts this pass's candidates, many at once: a backend may write a batch of
     * claims together, and a few batches are under way at a time, so a node that takes over
     * thousands of children does not make them one after another. The pass ends when every
     * claim has been answered.
     */
    private void claimCandidates() {
        if (candidates.isEmpty()) {
            return;
        }
        Failover f = failover;
        List<LocalChild> claimed = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Map<String, SpecRecord>> batches = new ArrayList<>();
        Map<String, SpecRecord> batch = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, SpecRecord> e : candidates.entrySet()) {
            batch.put(e.getKey(), e.getValue());
            if (batch.size() == CLAIM_BATCH) {
                batches.add(batch);
                batch = new java.util.LinkedHashMap<>();
            }
        }
        if (!batch.isEmpty()) {
            batches.add(batch);
        }
        java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(BATCHES_IN_FLIGHT);
        List<Thread> workers = new ArrayList<>(batches.size());
        try {
            for (Map<String, SpecRecord> b : batches) {
                inFlight.acquire();
                workers.add(Thread.startVirtualThread(() -> {
                    try {
                        for (LocalChild c : node.startClaimed(b)) {
                            if (f != null) {
                                c.firstStart().whenComplete(
                                        (v, x) -> f.lastStarted.accumulateAndGet(System.nanoTime(), Math::max));
                            }
                            claimed.add(c);
                        }
                    } catch (RuntimeException x) {
                        LOG.warn("claiming {} children failed; the next pass tries again", b.size(), x);
                    } finally {
                        inFlight.release();
                    }
                }));
            }
            for (Thread w : workers) {
                w.join();
            }
        } catch (InterruptedException x) {
            Thread.currentThread().interrupt();
        } finally {
            candidates.clear();
        }
        claimedThisPass += claimed.size();
        if (f != null) {
            f.taken.addAll(claimed);
        }
    }
}
