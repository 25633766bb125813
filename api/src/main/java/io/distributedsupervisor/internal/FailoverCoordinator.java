package io.distributedsupervisor.internal;

import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.ExitReason;
import io.distributedsupervisor.MoveCause;
import io.distributedsupervisor.Rebalance;
import io.distributedsupervisor.Restart;
import io.distributedsupervisor.spi.BackendException;
import io.distributedsupervisor.spi.NodeSession;
import io.distributedsupervisor.spi.Owner;
import io.distributedsupervisor.spi.SpecRecord;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles, never replays: after any hint from the backend (a member change, an owner entry
 * gone, a lost session) and on a slow timer, it compares specs, owners and members and acts on
 * the difference.
 * <ul>
 *   <li>A stored spec with no owner, that the ring (or its explicit node, while live) gives to
 *       this node: claim it, then start it. All of a pass's claims go to the backend in one call,
 *       and the backend writes them together. Within its settle time after it started, the node
 *       holds back the ring-placed ones it found rather than saw lose their owner
 *       ({@link SettleWindow}), so that nodes restarting together share them by the ring.</li>
 *   <li>A member gone without a goodbye: a failover, timed for {@code onFailover} and
 *       {@code Health} by {@link FailoverReport}; {@link MembershipWatch} reports node events and
 *       children lost for want of a spec.</li>
 *   <li>Keys the backend says this session inherited ({@code SessionListener.onInherited}):
 *       {@link InheritedStarts} starts them from their stored specs without a claim, in each pass
 *       before the full scan. The backend hands those of sessions that ended before this node
 *       joined only once told that the settle time is over ({@code NodeSession.settled}), so that
 *       a whole-cluster restart places them among the nodes that restart together.</li>
 *   <li>A member joined: with {@link Rebalance#ACTIVE}, local children that the ring now gives to
 *       the newcomer are stopped here so that it starts them, each move through the
 *       {@link MoveGate} ({@code MoveCause.JOIN}); {@link #rebalance()} does the same for every
 *       node of the ring on an operator's request ({@code MoveCause.EXPLICIT}).</li>
 *   <li>A local child whose claim is not this session's any more is dropped (fencing): at once
 *       when the backend says its entry went, and in the timer's full pass (or after a lost
 *       session) for a change whose event was missed. A change of members changes no claim of
 *       this session's, so its pass looks for orphans only; a timer's check that falls in this
 *       node's own failover waits until it is over ({@link ClaimCheck}).</li>
 * </ul>
 * The stored specs of orphans and of inherited keys are decoded by one {@link StoredSpecDecoder}.
 * Passes run one at a time on a virtual thread, started when there is something to do: no thread
 * waits between passes, and the timer is the injected scheduler. {@link FailoverReport},
 * {@link InheritedStarts} and {@link StoredSpecDecoder} run in the passes; the backend's session
 * events only queue their hints and wake a pass. A missed event delays a failover until the next
 * full pass, but never loses a child.
 */
final class FailoverCoordinator {
    private static final Logger LOG = LoggerFactory.getLogger(FailoverCoordinator.class);

    private final NodeContext ctx;
    private final ChildStarts starts;
    private final Runnable recoverSession;
    private final long intervalNanos;
    private final ConcurrentLinkedQueue<MembershipWatch.Removed> removed = new ConcurrentLinkedQueue<>();
    private volatile boolean membersChanged;
    private volatile boolean sessionLost;
    private volatile boolean fullScanDue;
    private volatile boolean active;
    private final AtomicBoolean wanted = new AtomicBoolean();
    private final AtomicBoolean passRunning = new AtomicBoolean();
    private volatile Thread passThread;
    /** The slow timer: its pass is a full one. */
    private volatile Future<?> fullScanTimer;
    /** A sooner look: the end of a failover window, or a retry after a failed pass. */
    private volatile Future<?> soonTimer;
    /** The end of the settle time: a full pass then claims what it held back. */
    private volatile Future<?> settleTimer;

    // Touched by passes only (one at a time).
    /** Keys of stored specs without owner that this pass found. */
    private final Set<String> orphans = new LinkedHashSet<>();
    /** Orphans that are this node's, claimed together at the end of the pass. */
    private final Map<String, ChildStarts.Stored> candidates = new LinkedHashMap<>();
    private final FailoverReport report;
    private final StoredSpecDecoder decoder;
    private final InheritedStarts inheritedStarts;
    private final SettleWindow settle;
    /** The session last told that the settle time is over; touched by passes only. */
    private NodeSession settledSession;
    private final ClaimCheck claimCheck;

    FailoverCoordinator(NodeContext ctx, ChildStarts starts, Runnable recoverSession) {
        this.ctx = ctx;
        this.starts = starts;
        this.recoverSession = recoverSession;
        this.intervalNanos = ctx.options.reconcileInterval().toNanos();
        this.settle = new SettleWindow(ctx.options.settleTime());
        this.report = new FailoverReport(ctx, intervalNanos);
        this.decoder = new StoredSpecDecoder(ctx);
        this.inheritedStarts = new InheritedStarts(ctx, starts, report, decoder, intervalNanos);
        this.claimCheck = new ClaimCheck(ctx, report);
    }

    /** Starts reconciling; {@code members} are the members at join, which get no node-up event (except this node). */
    void start(Set<String> members) {
        ctx.membership.reset(members, true);
        ctx.refreshRing();
        long settleNanos = settle.open(ctx.ticker.read());
        if (settleNanos >= 0) {
            settleTimer = ctx.scheduler.schedule(() -> {
                fullScanDue = true;
                wake();
            }, settleNanos, TimeUnit.NANOSECONDS);
        }
        active = true;
        membersChanged = true;
        fullScanDue = true;
        wake();
    }

    /** Stops: no pass starts any more, and the one under way (unless it is the caller) is waited for. */
    void stop() {
        active = false;
        for (Future<?> t : new Future<?>[] {fullScanTimer, soonTimer, settleTimer}) {
            if (t != null) {
                t.cancel(false);
            }
        }
        Thread p = passThread;
        if (p != null && p != Thread.currentThread()) {
            try {
                p.join(10_000);
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
        removed.add(new MembershipWatch.Removed(key, previous, ctx.ticker.read()));
        wake();
    }

    /** See {@code SessionListener.onInherited}; {@code joined}: told by the node's session, not by one still joining. */
    void inherited(Collection<String> keys, boolean more, boolean joined) {
        inheritedStarts.inherited(keys, more, joined);
        wake();
    }

    void sessionLost() {
        sessionLost = true;
        wake();
    }

    /** Whether a reconciliation pass runs now. */
    boolean reconciling() {
        return passRunning.get();
    }

    /**
     * Whether this node is taking over children of a lost node: its failover window claimed some,
     * and is still open or not all of them finished their first init.
     */
    boolean failoverInProgress() {
        return report.failoverInProgress();
    }

    /** The last failover in which this node took over children, once they all ran init; null before any. */
    io.distributedsupervisor.Health.Failover lastFailover() {
        return report.lastFailover();
    }

    void nodeTerminating(String node) {
        ctx.membership.nodeTerminating(node);
    }

    private void wake() {
        wanted.set(true);
        if (active && passRunning.compareAndSet(false, true)) {
            passThread = Thread.ofVirtual().name("ds-reconcile-" + ctx.name + "-" + ctx.node).start(this::passes);
        }
    }

    private Future<?> reschedule(Future<?> previous, Runnable task, long nanos) {
        if (previous != null) {
            previous.cancel(false);
        }
        return ctx.scheduler.schedule(task, Math.max(0, nanos), TimeUnit.NANOSECONDS);
    }

    private void passes() {
        try {
            while (active && wanted.getAndSet(false)) {
                try {
                    reconcile();
                } catch (RuntimeException e) {
                    if (active) {
                        LOG.warn("reconciliation of {} on {} failed; retrying", ctx.name, ctx.node, e);
                        fullScanDue = true;
                        soonTimer = reschedule(soonTimer, this::wake, TimeUnit.MILLISECONDS.toNanos(100));
                    }
                }
            }
        } finally {
            passRunning.set(false);
            if (active && wanted.get()) {
                wake();
            }
        }
    }

    private void reconcile() {
        long now = ctx.ticker.read();
        boolean full = fullScanDue;
        fullScanDue = false;
        boolean recovered = false;
        if (sessionLost) {
            sessionLost = false;
            recoverSession.run();
            ctx.membership.reset(ctx.refreshRing(), false);
            full = true;
            recovered = true;
        }
        // A change of members moves the ring, so orphans may be this node's now; it changes no
        // claim of this session (an ended membership comes as owner entries gone), so the fencing
        // check of every local child waits for the timer's full pass.
        boolean orphansOnly = false;
        if (membersChanged) {
            membersChanged = false;
            ctx.refreshRing();
            MembershipWatch.Change change = ctx.membership.drain();
            if (!change.lost().isEmpty()) {
                report.nodesLost(change.lost(), now);
            }
            if (!change.ups().isEmpty() && ctx.options.rebalance() == Rebalance.ACTIVE && ctx.lifecycle.isRunning()) {
                rebalanceTo(change.ups(), ctx.ring.current(), MoveCause.JOIN);
            }
            orphansOnly = !full;
            full = true;
        }
        tellSettled();
        report.passStarts();
        for (MembershipWatch.Removed r; (r = removed.poll()) != null; ) {
            onOwnerRemoved(r);
        }
        // Before the full scan: a failover's heirs start their share while the scan of a large
        // view (run on every change of members) would keep them waiting.
        long retryInherited = inheritedStarts.startInherited(now);
        if (full) {
            fullScan();
        }
        if (claimCheck.now(full && !orphansOnly, recovered)) {
            claimCheck.run(ctx.session());
        }
        placeOrphans();
        claimCandidates();
        long next = report.closeFailoverWindow(inheritedStarts.toldUntil());
        if (retryInherited >= 0 && (next < 0 || retryInherited < next)) {
            next = retryInherited;
        }
        if (full && active) {
            fullScanTimer = reschedule(fullScanTimer, () -> {
                fullScanDue = true;
                wake();
            }, intervalNanos);
        }
        if (next >= 0 && active) {
            soonTimer = reschedule(soonTimer, this::wake, next);
        }
    }

    /**
     * Hands to the {@link MoveGate} a move of each local child that the ring places, whose spec
     * is stored (else it could not start elsewhere), and that the ring gives to one of
     * {@code targets}; the gate decides when each starts. Returns how many moves it queued.
     */
    private int rebalanceTo(Set<String> targets, HashRing ring, MoveCause cause) {
        if (ring.isEmpty()) {
            return 0;
        }
        int queued = 0;
        for (LocalChild c : ctx.table.children()) {
            if (c.explicitNode == null && c.isRunning() && movable(c)) {
                String target = ring.nodeFor(c.key);
                // A node's own joining counts among the ups (for onNodeUp): never move a child to itself.
                if (targets.contains(target) && !target.equals(ctx.node)
                        && ctx.moves.submit(c, target, cause, () -> migrate(c, target)).queued()) {
                    queued++;
                }
            }
        }
        return queued;
    }

    /** {@code DistributedSupervisor.rebalance()}: every local child the ring gives to another node, as EXPLICIT moves. */
    int rebalance() {
        if (!ctx.lifecycle.isRunning()) {
            return 0;
        }
        HashRing ring = ctx.ring.current();
        return rebalanceTo(Set.copyOf(ring.nodes()), ring, MoveCause.EXPLICIT);
    }

    /** A child whose spec is stored: a move stops it here and the ring's node starts it from the spec. */
    private boolean movable(LocalChild c) {
        return ctx.options.cacheChildren() && c.restart() != Restart.TEMPORARY;
    }

    /**
     * Hands a local child over to {@code target} (a planned move: its state and messages go
     * along, see {@link Handoffs}); true if it was, false if another stop got there first.
     */
    private boolean migrate(LocalChild c, String target) {
        io.distributedsupervisor.Pid pid = c.currentPid();
        LocalChild.Moved m = ctx.handoffs.handOver(c, target, ctx.deadline(ctx.options.callTimeout()));
        if (m == null) {
            return false; // stopped meanwhile for another reason (terminate, close): that stop finishes it
        }
        ctx.events.processStop(c.id, pid, m.reason());
        return true;
    }

    private void onOwnerRemoved(MembershipWatch.Removed r) {
        NodeSession s = ctx.session();
        if (r.previous().session() == s.sessionId()) {
            dropIfStillClaimed(r);
        }
        if (s.hasSpec(r.key())) {
            settle.ownerGone(r.key());
            if (s.owner(r.key()).isEmpty()) {
                orphans.add(r.key());
            }
            return;
        }
        ctx.membership.ownerRemovedWithoutSpec(r);
    }

    /**
     * An entry of this session went away while its child still runs here: this node did not
     * release it (a child releases its claim only after it left the table), so another client
     * deleted it. The child can no longer prove it is the one copy, and the ring's node may start
     * another: drop it at once, as on a lost session, and let the spec be placed again.
     */
    private void dropIfStillClaimed(MembershipWatch.Removed r) {
        LocalChild c = ctx.table.takeClaimed(r.key(), r.previous().session(), r.previous().epoch());
        if (c != null && c.abortUnlessStopping()) {
            LOG.warn("supervisor {} node {}: the claim of child {} was deleted by another ZooKeeper client while it ran; "
                    + "dropped it here, so that only one copy runs (its spec, if stored, is placed again)", ctx.name, ctx.node, c.id);
            ctx.events.processStop(c.id, c.currentPid(), ExitReason.nodeDown(ctx.node));
        }
    }

    /**
     * Looks at the ring's placement of running children ({@link Rebalance#ACTIVE}) and every
     * stored spec without owner; the claim of every local child is {@link ClaimCheck}'s, which a
     * change of members need not pay while its heirs start their share.
     */
    private void fullScan() {
        NodeSession s = ctx.session();
        ctx.refreshRing();
        if (ctx.options.rebalance() == Rebalance.ACTIVE && ctx.lifecycle.isRunning() && s.holdsLease()) {
            // Not only on a join: after a lost quorum or session every node joins again and none of
            // them sees the others join, so running children are put where the ring says here too.
            HashRing ring = ctx.ring.current();
            if (ring.contains(ctx.node)) {
                rebalanceTo(Set.copyOf(ring.nodes()), ring, MoveCause.JOIN);
            }
        }
        s.forEachSpecKeyWithoutOwner(orphans::add);
        decoder.forgetGone(s);
        ctx.membership.expire(ctx.ticker.read(), intervalNanos);
    }

    /**
     * Tells which of this pass's orphans are this node's (from their explicit nodes, read in one
     * go, and the ring), then reads and decodes the specs of those only. While the settle time
     * holds them back, ring-placed ones it found are left for a later pass.
     */
    private void placeOrphans() {
        boolean firstLook = settle.firstLook();
        if (orphans.isEmpty()) {
            return;
        }
        NodeSession s = ctx.session();
        try {
            if (!ctx.lifecycle.isRunning()) {
                return;
            }
            HashRing ring = ctx.ring.current();
            boolean settling = settle.isOpen(ctx.ticker.read(), ctx.ring.complete());
            List<String> mine = new ArrayList<>();
            int[] held = {0};
            Map<String, SpecRecord> specs;
            try {
                s.placements(orphans).forEach((key, explicit) -> {
                    boolean pinned = explicit.isPresent() && ring.contains(explicit.get());
                    String target = pinned ? explicit.get() : ring.isEmpty() ? null : ring.nodeFor(key);
                    if (ctx.node.equals(target) && s.owner(key).isEmpty() && !decoder.unreadable(key)) {
                        io.distributedsupervisor.ChildSpec handed = ctx.handoffs.handedSpec(key);
                        if (handed != null) {
                            // Handed over on a planned move: its spec came along, no read needed.
                            candidates.putIfAbsent(key, new ChildStarts.Stored(handed, explicit.orElse(null)));
                        } else if (!pinned && settling && settle.holds(key)) {
                            held[0]++;
                        } else {
                            mine.add(key);
                        }
                    }
                });
                if (held[0] > 0 && firstLook) {
                    LOG.info("node {} holds back {} stored children without owner until its settle time ({} ms after "
                            + "its start) is over, so that the nodes that start meanwhile share them by the ring (now {})",
                            ctx.node, held[0], settle.settleMillis(), ring.nodes());
                }
                specs = s.specs(mine);
            } catch (BackendException e) {
                // The slow timer's full scan finds them again.
                LOG.warn("node {} could not read {} specs without owner: {}", ctx.node, orphans.size(), e.getMessage());
                return;
            }
            for (Map.Entry<String, SpecRecord> e : specs.entrySet()) {
                ChildSpec spec = decoder.decode(e.getKey(), e.getValue());
                if (spec != null && spec.restart() != Restart.TEMPORARY) {
                    candidates.putIfAbsent(e.getKey(), new ChildStarts.Stored(spec, e.getValue().node()));
                }
            }
        } finally {
            orphans.clear();
        }
    }

    /** Claims and starts this pass's candidates, all in one call: the backend writes the claims together. */
    private void claimCandidates() {
        if (candidates.isEmpty()) {
            return;
        }
        List<LocalChild> claimed;
        try {
            claimed = starts.startClaimed(candidates);
        } catch (RuntimeException x) {
            LOG.warn("claiming {} children failed; the next pass tries again", candidates.size(), x);
            fullScanDue = true;
            return;
        } finally {
            candidates.clear();
        }
        report.taken(claimed);
    }

    /**
     * Tells the session, once, that the settle time is over: only then may the backend hand this
     * node the entries of sessions that ended before it joined. A session after a lost one is
     * told at once, unless the settle time is still running.
     */
    private void tellSettled() {
        NodeSession s = ctx.session();
        if (s == settledSession || !ctx.lifecycle.isRunning() || settle.isOpen(ctx.ticker.read(), ctx.ring.complete())) {
            return;
        }
        try {
            s.settled();
            settledSession = s;
        } catch (RuntimeException e) {
            LOG.warn("node {} could not tell its session that its settle time is over; the next pass tries again", ctx.node, e);
        }
    }
}
