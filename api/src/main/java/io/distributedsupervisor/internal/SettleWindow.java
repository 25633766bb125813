package io.distributedsupervisor.internal;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * The settle time of a node that has just started ({@code SupervisorOptions.settleTime}): which
 * of the orphans the ring gives this node it holds back, and until when.
 *
 * <p>After a restart of the whole cluster every stored spec is an orphan, and the first node up
 * is the whole ring: it would claim every child. So for the settle time after its join, a node
 * holds back the orphans it <em>found</em>, and claims at once only those it <em>saw</em> lose
 * their owner entry while it ran (a node died, closed or moved a child away: a failover, which
 * must not wait). Once the window is over, the orphans it held are placed by the ring of the
 * members then, which holds every node that started within the settle time of it.
 *
 * <p>Remembering the orphans seen, rather than those found, keeps the cost to the few owner
 * entries that go during the window, however many specs are stored. A missed removal only delays
 * that child to the end of the window, never loses it.
 *
 * <p>Not thread-safe: {@link #open} runs before the coordinator's first pass, everything else on
 * its passes (one at a time).
 */
final class SettleWindow {
    private final long settleNanos;
    private long endsAt;
    private boolean over;
    /** Whether the coordinator has looked at orphans since the join (see {@link #firstLook}). */
    private boolean looked;
    /** Keys whose owner entry this node saw go while the window was open: orphaned since it joined. */
    private final Set<String> seenOrphaned = new HashSet<>();

    SettleWindow(Duration settleTime) {
        this.settleNanos = settleTime.toNanos();
        this.over = settleNanos == 0;
    }

    /**
     * Opens the window at the node's join.
     *
     * @return nanoseconds until it closes by itself, or -1 when there is no settle time
     */
    long open(long now) {
        endsAt = now + settleNanos;
        return over ? -1 : settleNanos;
    }

    /**
     * Whether the window is still open; once closed it stays closed. {@code ringComplete}: every
     * node the ring may hold is live (only known with the {@code nodes} option), so waiting for
     * more to join is pointless.
     */
    boolean isOpen(long now, boolean ringComplete) {
        if (!over && (ringComplete || now - endsAt >= 0)) {
            over = true;
            seenOrphaned.clear();
        }
        return !over;
    }

    /** The owner entry of a stored spec went while this node ran: that orphan is a failover's, never held. */
    void ownerGone(String key) {
        if (!over) {
            seenOrphaned.add(key);
        }
    }

    /** Whether a ring-placed orphan of this node is held back now (call after {@link #isOpen}). */
    boolean holds(String key) {
        return !over && !seenOrphaned.contains(key);
    }

    /**
     * True at the coordinator's first look at orphans, right after the join: what it holds then is
     * what it found, said once in the log. Later holds are mostly momentary (a full scan that ran
     * ahead of the removal events of a failover's owner entries) and not worth a line.
     */
    boolean firstLook() {
        boolean first = !looked;
        looked = true;
        return first;
    }

    long settleMillis() {
        return settleNanos / 1_000_000;
    }
}
