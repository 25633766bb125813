package io.distributedsupervisor.internal;

import io.distributedsupervisor.Health;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The timing of a failover on this node, for listeners ({@code onFailover}) and {@code Health}:
 * a failover opens when a pass sees members lost without a goodbye, or when inherited keys start
 * without one open; it counts the children this node takes over (claimed or inherited), and it
 * closes once it takes nothing more for a while; it is reported once those children have all run
 * their first init.
 * <p>
 * Opened, counted and closed by the reconciliation passes of {@link FailoverCoordinator}, one at a
 * time on its virtual thread. {@link #failoverInProgress()} and {@link #lastFailover()} are read
 * from any thread ({@code health()}). What waits for a taken child's first start runs where that
 * start completes (the child's own thread, or the pass if it already has): it counts the child
 * and, after the last one, reports the failover.
 */
final class FailoverReport {
    /** How long a failover must claim nothing more before this node reports it. */
    private static final long FAILOVER_QUIET_NANOS = 100_000_000L;

    /** Children this node took over after a node loss, to time the failover for listeners. */
    private static final class Failover {
        final long since;
        final List<String> lostNodes = new ArrayList<>();
        /** How many children it took over; written by passes only. */
        int taken;
        /**
         * The taken children whose first start has not updated {@link #lastStarted} yet, plus one
         * while the window is open: whoever brings it to zero reports the failover. A count, not
         * a future per child joined at the end: a failover of a quarter of a million children
         * held as many futures, and joined them in a tree of as many more.
         */
        final AtomicInteger unrecorded = new AtomicInteger(1);
        /** When the last of the taken children finished its first init, on the ticker. */
        final AtomicLong lastStarted;
        long lastClaimAt;
        /** Whether it claimed any child: only then is it this node's failover, for {@link #failoverInProgress()}. */
        volatile boolean claimedAny;

        Failover(long now) {
            since = now;
            lastStarted = new AtomicLong(now);
            lastClaimAt = now;
        }
    }

    private final NodeContext ctx;
    private final long intervalNanos;
    /** Written by passes only (one at a time); volatile for {@link #failoverInProgress()}. */
    private volatile Failover failover;
    /** Children taken over in a failover that have not finished their first init yet. */
    private final AtomicInteger failoverStartsPending = new AtomicInteger();
    private volatile Health.Failover lastFailover;
    // Touched by passes only (one at a time).
    private int claimedThisPass;

    FailoverReport(NodeContext ctx, long intervalNanos) {
        this.ctx = ctx;
        this.intervalNanos = intervalNanos;
    }

    /** Members lost without a goodbye, seen at {@code now}: a failover, opened unless one is under way. */
    void nodesLost(Collection<String> lost, long now) {
        if (failover == null) {
            failover = new Failover(now);
        }
        failover.lostNodes.addAll(lost);
    }

    /** Inherited children are about to start: a failover, opened at {@code now} unless one is under way. */
    void inheritedStarting(long now) {
        if (failover == null) {
            failover = new Failover(now); // the lost member may not be seen yet, or it ended before this node joined
        }
    }

    /** A pass begins: {@link #closeFailoverWindow} looks at what it took since. */
    void passStarts() {
        claimedThisPass = 0;
    }

    /** Counts children this node took over (claimed or inherited) in the failover under way, for its report. */
    void taken(List<LocalChild> claimed) {
        Failover f = failover;
        claimedThisPass += claimed.size();
        if (f != null && !claimed.isEmpty()) {
            failoverStartsPending.addAndGet(claimed.size());
            f.claimedAny = true;
            f.taken += claimed.size();
            f.unrecorded.addAndGet(claimed.size());
            for (LocalChild c : claimed) {
                c.firstStart().whenComplete((v, x) -> {
                    f.lastStarted.accumulateAndGet(ctx.ticker.read(), Math::max);
                    failoverStartsPending.decrementAndGet();
                    recorded(f);
                });
            }
        }
    }

    /**
     * A failover is over for this node once it has claimed nothing for
     * {@link #FAILOVER_QUIET_NANOS} after its last claim (the dead node's owner entries may vanish
     * over several passes, and a pass may see only the entries another survivor takes), or after a
     * reconcile interval without any claim; listeners hear of it once those children have run init.
     * It stays open, besides, while inherited keys are told and not started yet, or the backend
     * said more parts of a succession follow: a succession told in parts half a second apart
     * (while a backend scans a large view) is one failover, not one per part.
     *
     * @param toldUntil until when, on the ticker, to wait for inherited keys told and not started
     *                  yet or parts still to come ({@link InheritedStarts#toldUntil}); empty for none
     * @return nanoseconds until this should be looked at again, or -1 when no failover is under way
     */
    long closeFailoverWindow(java.util.OptionalLong toldUntil) {
        Failover f = failover;
        if (f == null) {
            return -1;
        }
        long now = ctx.ticker.read();
        if (claimedThisPass > 0) {
            f.lastClaimAt = now;
        }
        long end = f.taken == 0 ? f.since + intervalNanos : f.lastClaimAt + FAILOVER_QUIET_NANOS;
        if (toldUntil.isPresent() && toldUntil.getAsLong() - end > 0) {
            end = toldUntil.getAsLong();
        }
        if (now - end < 0) {
            return end - now;
        }
        failover = null;
        if (f.taken > 0) {
            recorded(f); // the window's own count: the report waits only for the first starts now
        }
        return -1;
    }

    /** One count of {@code f}'s {@link Failover#unrecorded} is over; the last reports the failover. */
    private void recorded(Failover f) {
        if (f.unrecorded.decrementAndGet() == 0) {
            Duration took = Duration.ofNanos(f.lastStarted.get() - f.since);
            lastFailover = new Health.Failover(
                    Instant.now().minusNanos(ctx.ticker.read() - f.since), f.lostNodes, f.taken, took);
            ctx.events.failover(List.copyOf(f.lostNodes), f.taken, took);
        }
    }

    /**
     * Whether this node is taking over children of a lost node: its failover window claimed some,
     * and is still open or not all of them finished their first init.
     */
    boolean failoverInProgress() {
        Failover f = failover;
        return (f != null && f.claimedAny) || failoverStartsPending.get() > 0;
    }

    /** The last failover in which this node took over children, once they all ran init; null before any. */
    Health.Failover lastFailover() {
        return lastFailover;
    }
}
