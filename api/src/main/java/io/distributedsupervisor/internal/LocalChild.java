package io.distributedsupervisor.internal;

import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.ChildStatus;
import io.distributedsupervisor.ExitReason;
import io.distributedsupervisor.Incarnation;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.Restart;
import io.distributedsupervisor.StartReason;
import io.distributedsupervisor.protocol.Payload;
import io.distributedsupervisor.protocol.Reply;
import io.distributedsupervisor.spi.CodecException;
import io.distributedsupervisor.spi.Owner;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One child id on this node, across its local restarts: its mailbox, its current instance and
 * the loop that feeds the one to the other. It reports what happens to it (started, restarted,
 * gone) to its {@link ChildHost} and changes nothing outside itself.
 *
 * <p>The {@link ChildMailbox} is drained by a virtual thread started only when a message arrives
 * to an idle child, so an idle child holds no thread. Everything except the {@code volatile}
 * fields is touched only by the draining thread (one at a time). Restarts happen in place on that
 * thread; a stop asked from outside ({@link #requestStop}) is honoured between two messages.
 * Without a lease the child holds the message it was about to process, gives its thread back and
 * is scheduled again by the {@link LeaseGate} when the lease returns: a paused child holds no
 * thread either.
 */
final class LocalChild implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalChild.class);

    /** The child whose handler runs on this thread, to refuse a call to itself. */
    static final ThreadLocal<LocalChild> CURRENT = new ThreadLocal<>();

    private static final int STARTING = 0;
    private static final int RUNNING = 1;
    private static final int DONE = 2;

    final ChildHost host;
    final String key;
    final Object id;
    final ChildSpec spec;
    /** The node the child was explicitly started on, or null when the ring places it. */
    final String explicitNode;

    private final ChildMailbox mailbox = new ChildMailbox(this);
    private volatile int state = STARTING;
    private volatile Pid pid;
    private volatile Thread runner;
    private volatile long startedAtMillis;
    private volatile ExitReason stopRequest;
    private volatile CompletableFuture<ExitReason> stopped;
    private volatile boolean aborted;
    /** Set before a planned move's stop: the handed-over state and what is still queued go to the next node. */
    private volatile boolean moving;
    private final long claimSession;
    // Written by the child's thread before the stop completes, read after it.
    private Object handoffOut;
    private List<Letter> leftover = List.of();
    /** The state the previous node handed over, for the first incarnation here only. */
    private volatile Payload handoffIn;

    private Owner owner;
    /** The incarnation that runs, or null between two (and once the child is gone). */
    private ChildInstance current;
    private ChildRestarts restarts;
    /** Completed when the first incarnation's init ends; null when nobody waits for it. */
    private final FirstStart firstStart;

    LocalChild(ChildHost host, String key, ChildSpec spec, String explicitNode, Owner owner, CompletableFuture<Pid> started) {
        this.host = host;
        this.key = key;
        this.id = spec.id();
        this.spec = spec;
        this.explicitNode = explicitNode;
        this.owner = owner;
        this.claimSession = owner.session();
        this.firstStart = new FirstStart(started);
        this.pid = new Pid(host.node(), host.supervisor(), id, new Incarnation(owner.epoch(), owner.restarts()));
    }

    /**
     * Before {@link #begin}: the state a planned move handed over (for the first incarnation's
     * {@code init}) and the messages that waited for this start, queued ahead of any later one.
     */
    void handedOver(Payload state, List<Letter> waiting) {
        handoffIn = state;
        for (Letter l : waiting) {
            mailbox.preload(l);
        }
    }

    /** Starts the first incarnation on a virtual thread (init runs there). */
    void begin() {
        mailbox.schedule();
    }

    /**
     * Starts the first incarnation on the calling thread, for {@code startChild} on this node:
     * its caller waits for init anyway, and a start then costs no thread hand-off. The child holds
     * the scheduling token meanwhile, so messages that arrive during init wait in the mailbox; the
     * token is handed to a virtual thread afterwards if any did.
     */
    void beginInline() {
        if (!mailbox.take()) {
            throw new IllegalStateException("child " + id + " is already scheduled");
        }
        LocalChild outer = CURRENT.get();
        CURRENT.set(this);
        runner = Thread.currentThread();
        boolean alive;
        try {
            alive = startIncarnation();
        } finally {
            runner = null;
            if (outer == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(outer);
            }
        }
        if (alive) {
            mailbox.giveBack(); // a gone child keeps the token: nothing drains it any more
        }
    }

    // ---- what other threads may do ----

    boolean isRunning() {
        return state == RUNNING;
    }

    boolean isDone() {
        return state == DONE;
    }

    Pid currentPid() {
        return pid;
    }

    /** Messages waiting in its mailbox: for the mailbox-depth readings. */
    int waiting() {
        return mailbox.waiting();
    }

    /** The session whose claim this child runs under. */
    long claimSession() {
        return claimSession;
    }

    ChildStatus status() {
        return new ChildStatus(id, pid, spec.type().getName(), spec.restart(), Instant.ofEpochMilli(startedAtMillis),
                pid.incarnation().restarts());
    }

    /** What became of a message offered to a child. */
    enum Offer {
        /** In the mailbox. */
        ACCEPTED,
        /** The child is stopping or stopped: the sender looks again, it may run elsewhere now. */
        GONE,
        /** The mailbox holds {@code mailboxLimit} messages: refused, the sender is told. */
        FULL
    }

    Offer offer(Letter letter) {
        if (state == DONE || stopRequest != null) {
            return Offer.GONE;
        }
        // A barrier is no message to the child: it only marks a place in the queue, so it is not refused.
        if (mailbox.waiting() >= host.options().mailboxLimit() && letter.kind() != Letter.BARRIER) {
            return Offer.FULL;
        }
        mailbox.put(letter);
        if (state == DONE && mailbox.remove(letter)) {
            // It ended between the check and the put, after its last look at the mailbox: the
            // letter would wait there for good. Taken back, it goes where the child went.
            return Offer.GONE;
        }
        return Offer.ACCEPTED;
    }

    /**
     * Asks the child to stop between two messages with {@code reason}; {@code terminate} runs on
     * its thread. The future completes with the reason it stopped for. Only the first request
     * counts.
     */
    synchronized CompletableFuture<ExitReason> requestStop(ExitReason reason) {
        if (stopped == null) {
            stopped = new CompletableFuture<>();
            if (state == DONE) {
                stopped.complete(reason);
                return stopped;
            }
            stopRequest = reason;
            mailbox.put(ChildMailbox.WAKE);
        }
        return stopped;
    }

    /**
     * As {@link #stopAndWait}, for the first stop request only: null when a stop was asked
     * before (by another terminate, a hand-off, a move) or the child already ended by itself,
     * so that concurrent terminations of one child have a single winner.
     */
    ExitReason stopAndWaitIfFirst(ExitReason reason) {
        synchronized (this) {
            if (stopped != null || state == DONE) {
                return null;
            }
            requestStop(reason);
        }
        return stopAndWait(reason);
    }

    /** What a planned move took from the child: why it stopped, its handed-over state, what was still queued. */
    record Moved(ExitReason reason, Object state, List<Letter> queued) {
    }

    /**
     * Stops the child for a planned move ({@link ExitReason#migrated()}): after its last message
     * it hands over its state ({@code Child.handoff}), runs {@code terminate}, and what is still
     * queued is kept, unanswered, for the next node. Null when a stop was asked before or the
     * child ended by itself (that stop finishes it).
     */
    Moved stopForMove() {
        synchronized (this) {
            if (stopped != null || state == DONE) {
                return null;
            }
            moving = true;
            requestStop(ExitReason.migrated());
        }
        ExitReason r = stopAndWait(ExitReason.migrated());
        if (aborted) {
            return new Moved(r, null, List.of());
        }
        return new Moved(r, handoffOut, leftover);
    }

    /**
     * Stops and waits: at most the spec's shutdown timeout for {@code terminate}, then the
     * child's thread is interrupted and the exit is {@link ExitReason#killed()}.
     */
    ExitReason stopAndWait(ExitReason reason) {
        CompletableFuture<ExitReason> f = requestStop(reason);
        long timeout = spec.shutdown().toNanos();
        try {
            return f.get(timeout, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            Thread r = runner;
            if (r != null) {
                r.interrupt();
            }
            LOG.warn("child {} did not stop within its shutdown timeout {}; interrupted", id, spec.shutdown());
            try {
                return f.get(Math.max(timeout, TimeUnit.MILLISECONDS.toNanos(100)), TimeUnit.NANOSECONDS);
            } catch (Exception again) {
                // It ignores interrupts: give up on it; it can process no further message.
                aborted = true;
                markDone();
                return ExitReason.killed();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitReason.killed();
        } catch (java.util.concurrent.ExecutionException e) {
            return ExitReason.error(e.getCause());
        }
    }

    /**
     * Drops this child at once, without {@code terminate}: its node crashed or lost its claims.
     * Queued calls are answered "not here" so callers look again.
     */
    void abort() {
        aborted = true;
        synchronized (this) {
            if (stopRequest == null) {
                stopRequest = ExitReason.nodeDown(host.node());
            }
        }
        mailbox.put(ChildMailbox.WAKE);
    }

    /**
     * {@link #abort()}, unless a stop was asked for already (whoever asked finishes it and reports
     * the exit); true if this call aborted the child.
     */
    synchronized boolean abortUnlessStopping() {
        if (state == DONE || stopRequest != null) {
            return false;
        }
        abort();
        return true;
    }

    /** Starts a thread to drain, unless one runs already (the lease is back). */
    void schedule() {
        mailbox.schedule();
    }

    // ---- the child's own thread ----

    @Override
    public void run() {
        runner = Thread.currentThread();
        CURRENT.set(this);
        try {
            drain();
        } finally {
            CURRENT.remove();
            runner = null;
        }
    }

    private void drain() {
        if (state == DONE) {
            return; // a letter put as it ended: its sender takes it back (see offer)
        }
        if (state == STARTING && stopRequest == null && !startIncarnation()) {
            return;
        }
        for (;;) {
            if (stopRequest != null) {
                finishStop();
                return;
            }
            Object m = mailbox.next();
            if (m == null) {
                return;
            }
            if (m == ChildMailbox.WAKE) {
                continue;
            }
            if (!host.holdsLease()) {
                // Paused by fencing: keep the message and give the thread back until the lease returns.
                mailbox.hold(m);
                host.awaitLease(this);
                return;
            }
            if (!process((Letter) m)) {
                return;
            }
        }
    }

    /** Runs one message; false when this child is gone for good. */
    private boolean process(Letter letter) {
        if (letter.kind() == Letter.BARRIER) {
            answer(letter, BARRIER_PASSED); // everything queued before it was processed
            return true;
        }
        Object payload = letter.payload();
        if (letter.fromWire()) {
            try {
                payload = host.wire().value((Payload) payload);
            } catch (CodecException e) {
                // Refused before anything of it ran: the message is dropped, the child goes on.
                host.refused(letter, e);
                return true;
            }
        }
        Object value;
        try {
            value = current.handle(letter.kind(), payload);
        } catch (Throwable t) {
            Reply crashed = crashed(t);
            // What is queued behind the crashing message is this incarnation's: its calls fail
            // with the crash (as ChildCrashedException documents), the rest is dropped. It is
            // taken before the crash is answered, so whatever a caller sends after seeing the
            // crash is not among it and reaches the next incarnation.
            endQueued(crashed);
            answer(letter, crashed);
            return exit(ExitReason.error(t), true);
        }
        ExitReason r = current.takeSelfStop();
        if (r != null) {
            // Likewise for a stop of its own, before the reply lets the caller go on.
            endQueued(r.isNormal() ? Reply.NOT_HERE
                    : crashed(new IllegalStateException("child " + id + " stopped: " + r)));
            answer(letter, new Reply.Ok(Payload.of(value)));
            return exit(r, true);
        }
        answer(letter, new Reply.Ok(Payload.of(value)));
        return true;
    }

    /** The answer to a barrier that reached the place a child takes its messages from. */
    static final Reply BARRIER_PASSED = new Reply.Ok(Payload.of(null));

    static Reply crashed(Throwable t) {
        return new Reply.Crashed(t.getClass().getName(), t.getMessage(), Payload.of(t));
    }

    private static void answer(Letter letter, Reply reply) {
        if (letter.reply() != null) {
            letter.reply().answer(reply);
        }
    }

    /**
     * Builds and initialises an incarnation. Returns false when the child is gone for good (its
     * first start failed for a waiting caller, or it was given up).
     */
    private boolean startIncarnation() {
        for (;;) {
            startedAtMillis = System.currentTimeMillis();
            current = new ChildInstance(this, pid, takeHandoffIn());
            try {
                current.init();
            } catch (Throwable t) {
                current = null;
                if (firstStart.callerWaits()) {
                    // start_child with a failing init: an error to the caller, nothing left behind.
                    firstStart.failed(t);
                    markDone();
                    host.gone(this, true);
                    endQueued(crashed(t));
                    completeStopped(ExitReason.error(t));
                    return false;
                }
                if (!exit(ExitReason.error(t), false)) {
                    return false;
                }
                continue;
            }
            ExitReason r = current.takeSelfStop();
            if (r != null) {
                host.started(this, pid, startReason());
                state = RUNNING;
                firstStart.started(pid);
                if (!exit(r, true)) {
                    return false;
                }
                continue;
            }
            state = RUNNING;
            firstStart.started(pid);
            host.started(this, pid, startReason());
            return true;
        }
    }

    /** The handed-over state, decoded on this thread, once; null when none (or the codec refused it: logged). */
    private Object takeHandoffIn() {
        Payload in = handoffIn;
        if (in == null) {
            return null;
        }
        handoffIn = null;
        try {
            return host.wire().value(in);
        } catch (CodecException e) {
            LOG.warn("the state handed over to child {} could not be decoded; it starts fresh: {}", id, e.getMessage());
            return null;
        }
    }

    private StartReason startReason() {
        if (pid.incarnation().restarts() > 0) {
            return StartReason.RESTARTED;
        }
        return firstStart.takenOver() ? StartReason.TAKEN_OVER : StartReason.STARTED;
    }

    /** Completes once the first incarnation has run {@code init}, or the child is gone. */
    CompletableFuture<Void> firstStart() {
        return firstStart.future();
    }

    private void markDone() {
        state = DONE;
        firstStart.gone("child " + id + " ended before its first start");
    }

    /**
     * The current incarnation ended by itself (crash or its own stop). Calls {@code terminate}
     * when init had succeeded, then restarts in place per the restart policy and intensity.
     * Returns false when the child is gone. Otherwise, after a failed init the caller's loop
     * starts the next incarnation; after a running incarnation it is started here.
     */
    private boolean exit(ExitReason reason, boolean initDone) {
        Pid old = pid;
        if (initDone && current != null) {
            current.terminate(reason);
        }
        current = null;
        if (stopRequest != null) {
            // Whoever asked for the stop releases the claim and reports the exit.
            markDone();
            endOrKeepQueued();
            completeStopped(reason);
            return false;
        }
        if (restarts == null) {
            restarts = new ChildRestarts(this, host.options(), host.ticker());
        }
        ExitReason end = restarts.afterExit(reason);
        if (end != null) {
            return gone(old, end);
        }
        host.stopped(this, old, reason);
        // What was queued for the incarnation that ended was answered when it ended; what came
        // since is for the next one.
        Owner next = owner.restarted();
        if (!host.recordRestart(key, next)) {
            // The claim is not ours any more (session lost): another node may run it now.
            aborted = true;
            markDone();
            host.gone(this, false);
            endQueued(Reply.NOT_HERE);
            return false;
        }
        owner = next;
        pid = new Pid(old.node(), old.supervisor(), id, new Incarnation(next.epoch(), next.restarts()));
        if (!initDone) {
            return true;
        }
        return startIncarnation();
    }

    private boolean gone(Pid old, ExitReason reason) {
        markDone();
        host.gone(this, true);
        host.stopped(this, old, reason);
        endQueued(Reply.NOT_HERE);
        completeStopped(reason);
        return false;
    }

    private void finishStop() {
        ExitReason reason = stopRequest;
        if (!aborted && current != null) {
            if (moving) {
                handoffOut = current.handoff();
            }
            current.terminate(reason);
        }
        current = null;
        firstStart.gone("stopped before it started: " + reason);
        markDone();
        endOrKeepQueued();
        completeStopped(reason);
    }

    private synchronized void completeStopped(ExitReason reason) {
        if (stopped == null) {
            stopped = new CompletableFuture<>();
        }
        stopped.complete(reason);
    }

    /** At a stop: on a planned move what is queued is kept for the next node, else calls are told "not here". */
    private void endOrKeepQueued() {
        if (!moving) {
            endQueued(Reply.NOT_HERE);
            return;
        }
        List<Letter> kept = new ArrayList<>();
        mailbox.drainTo(m -> {
            if (m instanceof Letter l) {
                kept.add(l);
            }
        });
        leftover = kept;
    }

    /** Ends what is queued for an incarnation that ends: calls get {@code reply}, casts and infos are dropped. */
    private void endQueued(Reply reply) {
        mailbox.drainTo(m -> {
            if (m instanceof Letter l) {
                answer(l, reply);
            }
        });
    }

    Restart restart() {
        return spec.restart();
    }

    @Override
    public String toString() {
        return "LocalChild{" + pid + "}";
    }
}
