package io.distributedsupervisor.internal;

import io.distributedsupervisor.MoveCause;
import io.distributedsupervisor.MoveDecision;
import io.distributedsupervisor.MoveOutcome;
import io.distributedsupervisor.MoveVeto;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one gate every planned move of a local child passes through (a move, not a failover: the
 * child runs here and is to be handed to {@code target}). It decides when a move starts; how a
 * child is moved is the move action's business (e.g. {@code FailoverCoordinator.migrate}).
 *
 * <ul>
 *   <li>{@link MoveCause#JOIN} and {@link MoveCause#EXPLICIT} moves ("planned") wait in one queue,
 *       in order, and start one at a time from a pump (a virtual thread, running only while there
 *       is something to start): not while {@link #pause paused}; at most {@code maxMovesPerSecond}
 *       start times within any one second (a sliding log of the last starts, on the injected
 *       ticker; the scheduler wakes the pump when the oldest ages out); at most
 *       {@code maxMovesInFlight} under way. A move no longer valid when its turn comes (the child
 *       stopped, the node closes or lost its lease, the target left the ring, the ring names
 *       another node) is dropped unrun.</li>
 *   <li>{@link MoveCause#LEAVE} and {@link MoveCause#DRAIN} moves ("urgent") are neither paused
 *       nor limited: each runs at once on a virtual thread of its own. One for a child whose
 *       planned move has not started replaces that move.</li>
 *   <li>Every move is asked of the {@link MoveVeto} just before it starts (on the pump or the
 *       urgent move's thread, never a child's or a caller's): a delayed one is set aside and asked
 *       again after its delay (a planned one joins the queue's end again), a vetoed one is skipped,
 *       a veto that throws counts as allow.</li>
 *   <li>One move per child at a time: a second submit for a child with a move queued, delayed or
 *       under way gets that move's outcome.</li>
 *   <li>Every move ends in exactly one {@code Listener.onMove} event and completes its future.</li>
 * </ul>
 *
 * All of its state is guarded by the gate's monitor, held only for short steps that never
 * block: the veto and the move action run outside it.
 */
final class MoveGate {
    private static final Logger LOG = LoggerFactory.getLogger(MoveGate.class);
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long VETO_WARN_EVERY = TimeUnit.SECONDS.toNanos(10);

    /** What {@link #submit} did: whether it queued a new move, and the outcome of the child's move. */
    record Ticket(boolean queued, CompletableFuture<MoveOutcome> outcome) {
    }

    private static final class Move {
        final LocalChild child;
        final String target;
        final MoveCause cause;
        final BooleanSupplier action;
        final boolean planned;
        final CompletableFuture<MoveOutcome> outcome = new CompletableFuture<>();
        // Guarded by the gate.
        boolean started;
        boolean ended;
        long startedAt;

        Move(LocalChild child, String target, MoveCause cause, BooleanSupplier action) {
            this.child = child;
            this.target = target;
            this.cause = cause;
            this.action = action;
            this.planned = cause == MoveCause.JOIN || cause == MoveCause.EXPLICIT;
        }

        @Override
        public String toString() {
            return cause + " move of " + child.id + " to " + target;
        }
    }

    private final NodeContext ctx;
    private final MoveVeto veto;
    private final int perSecond;
    private final int maxInFlight;

    // Guarded by this.
    private final ArrayDeque<Move> queue = new ArrayDeque<>();
    private final Map<String, Move> pending = new HashMap<>();
    /** Start times of the planned moves started within the last second, oldest first. */
    private final ArrayDeque<Long> recentStarts = new ArrayDeque<>();
    private int inFlight;
    private boolean pumping;
    private boolean paused;
    private boolean stopped;
    private Future<?> wakeTimer;
    private long lastVetoWarning = Long.MIN_VALUE;
    private int vetoWarningsSuppressed;

    MoveGate(NodeContext ctx) {
        this.ctx = ctx;
        this.veto = ctx.options.moveVeto();
        this.perSecond = ctx.options.maxMovesPerSecond();
        this.maxInFlight = ctx.options.maxMovesInFlight();
    }

    /**
     * Hands a move of {@code child} to {@code target} to the gate; {@code move} performs it on a
     * virtual thread when its turn comes and returns true when the child was handed over. Returns
     * at once.
     */
    Ticket submit(LocalChild child, String target, MoveCause cause, BooleanSupplier move) {
        Move m = new Move(child, target, cause, move);
        Move superseded = null;
        boolean dropNow = false;
        synchronized (this) {
            Move existing = pending.get(child.key);
            if (existing != null && existing.child == child && (existing.started || m.planned || !existing.planned)) {
                return new Ticket(false, existing.outcome);
            }
            if (existing != null && !existing.started) {
                // A hand-over of a closing or draining node replaces a rebalance that has not started
                // (as does any move of a new local child under a key whose old child is gone).
                queue.remove(existing);
                existing.ended = true;
                superseded = existing;
            }
            if (m.planned && stopped) {
                m.ended = true;
                dropNow = true;
            } else {
                pending.put(child.key, m);
                if (m.planned) {
                    queue.add(m);
                    startPumpIfDue();
                }
            }
        }
        if (superseded != null) {
            report(superseded, MoveOutcome.DROPPED, ctx.ticker.read(), Duration.ZERO);
        }
        if (dropNow) {
            report(m, MoveOutcome.DROPPED, ctx.ticker.read(), Duration.ZERO);
            return new Ticket(false, m.outcome);
        }
        if (!m.planned) {
            Attempts.VIRTUAL.execute(() -> runUrgent(m));
        }
        return new Ticket(true, m.outcome);
    }

    /** Planned moves start no more until {@link #resume()}; queued ones wait. */
    synchronized void pause() {
        paused = true;
    }

    synchronized void resume() {
        paused = false;
        startPumpIfDue();
    }

    synchronized boolean isPaused() {
        return paused;
    }

    /** Planned moves queued or set aside by a veto's delay, not yet started. */
    synchronized int queued() {
        int n = 0;
        for (Move m : pending.values()) {
            if (m.planned && !m.started) {
                n++;
            }
        }
        return n;
    }

    /**
     * The node closes (or crashed): no planned move starts any more, queued ones are dropped (and
     * those set aside by a delay when it ends). Urgent moves are still taken: they are the close's.
     */
    void stopPlanned() {
        List<Move> dropped;
        synchronized (this) {
            stopped = true;
            dropped = new ArrayList<>(queue);
            queue.clear();
            for (Move m : dropped) {
                m.ended = true;
            }
            if (wakeTimer != null) {
                wakeTimer.cancel(false);
                wakeTimer = null;
            }
        }
        long now = ctx.ticker.read();
        for (Move m : dropped) {
            report(m, MoveOutcome.DROPPED, now, Duration.ZERO);
        }
    }

    // ---- planned moves ----

    /** Starts the pump if there is a move it could start now. Holding the monitor. */
    private void startPumpIfDue() {
        if (!pumping && !paused && !stopped && !queue.isEmpty() && inFlight < maxInFlight) {
            pumping = true;
            Attempts.VIRTUAL.execute(this::pump);
        }
    }

    private synchronized void wake() {
        wakeTimer = null;
        startPumpIfDue();
    }

    /** Starts queued planned moves while pause, rate and in-flight limits let it; one pump at a time. */
    private void pump() {
        for (;;) {
            Move m;
            synchronized (this) {
                if (paused || stopped || queue.isEmpty() || inFlight >= maxInFlight) {
                    pumping = false;
                    return;
                }
                long wait = rateWait(ctx.ticker.read());
                if (wait > 0) {
                    pumping = false;
                    if (wakeTimer != null) {
                        wakeTimer.cancel(false);
                    }
                    wakeTimer = ctx.scheduler.schedule(this::wake, wait, TimeUnit.NANOSECONDS);
                    return;
                }
                m = queue.poll();
            }
            try {
                consider(m);
            } catch (RuntimeException | Error e) {
                // Nothing of the gate's may stop the pump: the move fails, the queue goes on.
                LOG.warn("supervisor {} node {}: {} failed before it started", ctx.name, ctx.node, m, e);
                end(m, MoveOutcome.FAILED, ctx.ticker.read(), Duration.ZERO);
            }
        }
    }

    /**
     * Nanoseconds until one more planned move may start, 0 when one may start now: fewer than
     * {@code perSecond} started within the second before {@code now}. Holding the monitor.
     */
    private long rateWait(long now) {
        while (!recentStarts.isEmpty() && now - recentStarts.peekFirst() >= SECOND) {
            recentStarts.pollFirst();
        }
        if (recentStarts.size() < perSecond) {
            return 0;
        }
        return Math.max(1, recentStarts.peekFirst() + SECOND - now);
    }

    /** A queued move's turn: drops, vetoes, delays or starts it. On the pump. */
    private void consider(Move m) {
        String invalid = invalid(m);
        if (invalid != null) {
            LOG.debug("supervisor {} node {}: {} dropped: {}", ctx.name, ctx.node, m, invalid);
            end(m, MoveOutcome.DROPPED, ctx.ticker.read(), Duration.ZERO);
            return;
        }
        MoveDecision d = ask(m);
        switch (d.kind()) {
            case VETO -> end(m, MoveOutcome.VETOED, ctx.ticker.read(), Duration.ZERO);
            case DELAY -> ctx.scheduler.schedule(() -> requeue(m), d.retryAfter().toNanos(), TimeUnit.NANOSECONDS);
            case ALLOW -> {
                synchronized (this) {
                    if (m.ended) {
                        return; // replaced by a hand-over meanwhile
                    }
                    long now = ctx.ticker.read();
                    recentStarts.addLast(now);
                    m.started = true;
                    m.startedAt = now;
                    inFlight++;
                }
                Attempts.VIRTUAL.execute(() -> run(m));
            }
        }
    }

    /** A delayed planned move joins the queue again (or is dropped, the node closing). On the scheduler. */
    private void requeue(Move m) {
        boolean drop = false;
        synchronized (this) {
            if (m.ended) {
                return;
            }
            if (stopped) {
                m.ended = true;
                drop = true;
            } else {
                queue.add(m);
                startPumpIfDue();
            }
        }
        if (drop) {
            report(m, MoveOutcome.DROPPED, ctx.ticker.read(), Duration.ZERO);
        }
    }

    /** Why a planned move may not run now, or null when it may. */
    private String invalid(Move m) {
        LocalChild c = m.child;
        if (!ctx.lifecycle.isRunning()) {
            return "this node closes";
        }
        if (!c.isRunning() || ctx.table.get(c.key) != c) {
            return "the child stopped";
        }
        if (!ctx.session().holdsLease()) {
            return "this node holds no lease";
        }
        HashRing ring = ctx.ring.current();
        if (!ring.contains(m.target)) {
            return m.target + " is not in the ring";
        }
        String now = ring.nodeFor(c.key);
        if (!now.equals(m.target)) {
            return "the ring names " + now + " now";
        }
        return null;
    }

    // ---- urgent moves ----

    /** A LEAVE or DRAIN move: asked of the veto, then run, on its own virtual thread. */
    private void runUrgent(Move m) {
        synchronized (this) {
            if (m.ended) {
                return;
            }
        }
        if (m.child.isDone()) {
            end(m, MoveOutcome.DROPPED, ctx.ticker.read(), Duration.ZERO);
            return;
        }
        MoveDecision d = ask(m);
        switch (d.kind()) {
            case VETO -> end(m, MoveOutcome.VETOED, ctx.ticker.read(), Duration.ZERO);
            case DELAY -> ctx.scheduler.schedule(() -> Attempts.VIRTUAL.execute(() -> runUrgent(m)),
                    d.retryAfter().toNanos(), TimeUnit.NANOSECONDS);
            case ALLOW -> {
                synchronized (this) {
                    if (m.ended) {
                        return;
                    }
                    m.started = true;
                    m.startedAt = ctx.ticker.read();
                }
                run(m);
            }
        }
    }

    // ---- both ----

    private MoveDecision ask(Move m) {
        MoveDecision d;
        try {
            d = veto.decide(m.child.id, ctx.node, m.target, m.cause);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable t) {
            warnVeto(m, "threw", t);
            return MoveDecision.ALLOW;
        }
        if (d == null) {
            warnVeto(m, "returned null", null);
            return MoveDecision.ALLOW;
        }
        return d;
    }

    /** At most one warning per 10 s, naming how many were held back: a broken veto is asked for every move. */
    private void warnVeto(Move m, String what, Throwable t) {
        long now = ctx.ticker.read();
        int suppressed;
        synchronized (this) {
            if (lastVetoWarning != Long.MIN_VALUE && now - lastVetoWarning < VETO_WARN_EVERY) {
                vetoWarningsSuppressed++;
                return;
            }
            lastVetoWarning = now;
            suppressed = vetoWarningsSuppressed;
            vetoWarningsSuppressed = 0;
        }
        LOG.warn("supervisor {} node {}: the move veto {} for the {}; the move is allowed{}", ctx.name, ctx.node, what, m,
                suppressed == 0 ? "" : " (" + suppressed + " more such since the last warning)", t);
    }

    private void run(Move m) {
        MoveOutcome o;
        try {
            o = m.action.getAsBoolean() ? MoveOutcome.MOVED : MoveOutcome.DROPPED;
        } catch (RuntimeException | Error e) {
            LOG.warn("supervisor {} node {}: the {} failed", ctx.name, ctx.node, m, e);
            o = MoveOutcome.FAILED;
        }
        end(m, o, m.startedAt, Duration.ofNanos(Math.max(0, ctx.ticker.read() - m.startedAt)));
    }

    /** The move is over: it leaves the gate, frees its slot, and is reported; only the first end of a move counts. */
    private void end(Move m, MoveOutcome outcome, long at, Duration took) {
        synchronized (this) {
            if (m.ended) {
                return;
            }
            m.ended = true;
            if (m.planned && m.started) {
                inFlight--;
                startPumpIfDue();
            }
        }
        report(m, outcome, at, took);
    }

    /** Reports a move that has ended (its {@code ended} set by the caller, under the monitor). */
    private void report(Move m, MoveOutcome outcome, long at, Duration took) {
        synchronized (this) {
            pending.remove(m.child.key, m);
        }
        ctx.events.move(m.child.id, m.target, m.cause, outcome, at, took);
        m.outcome.complete(outcome);
    }

    @Override
    public synchronized String toString() {
        return "MoveGate{queued=" + queue.size() + ", inFlight=" + inFlight + ", paused=" + paused + "}";
    }
}
