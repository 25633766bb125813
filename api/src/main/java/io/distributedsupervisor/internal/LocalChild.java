package io.distributedsupervisor.internal;

import io.distributedsupervisor.Child;
import io.distributedsupervisor.ChildContext;
import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.ChildStatus;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.ExitReason;
import io.distributedsupervisor.Incarnation;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.Restart;
import io.distributedsupervisor.StartReason;
import io.distributedsupervisor.spi.Owner;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One child id on this node, across its local restarts: its mailbox, its current instance and
 * the loop that feeds the one to the other.
 *
 * <p>The mailbox is drained by a virtual thread started only when a message arrives to an idle
 * child, so an idle child holds no thread. Everything except the {@code volatile} fields is
 * touched only by the draining thread (one at a time, handed over through {@link #scheduled}).
 * Restarts happen in place on that thread; a stop asked from outside ({@link #requestStop}) is
 * honoured between two messages.
 */
final class LocalChild implements ChildContext, Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalChild.class);

    /** The child whose handler runs on this thread, to refuse a call to itself. */
    static final ThreadLocal<LocalChild> CURRENT = new ThreadLocal<>();

    private static final VarHandle SCHEDULED;

    static {
        try {
            SCHEDULED = MethodHandles.lookup().findVarHandle(LocalChild.class, "scheduled", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static final int CALL = 0;
    static final int CAST = 1;
    static final int INFO = 2;

    /** A message in the mailbox; {@code reply} only for calls. */
    record Letter(int kind, Object payload, CompletableFuture<Protocol.Reply> reply) {
    }

    private static final Object WAKE = new Object();

    private static final int STARTING = 0;
    private static final int RUNNING = 1;
    private static final int DONE = 2;

    final SupervisorNode node;
    final String key;
    final Object id;
    final ChildSpec spec;
    /** The node the child was explicitly started on, or null when the ring places it. */
    final String explicitNode;

    private final ConcurrentLinkedQueue<Object> mailbox = new ConcurrentLinkedQueue<>();
    @SuppressWarnings("unused") // through SCHEDULED
    private volatile int scheduled;
    private volatile int state = STARTING;
    private volatile Pid pid;
    private volatile Thread runner;
    private volatile long startedAtMillis;
    private volatile ExitReason stopRequest;
    private volatile CompletableFuture<ExitReason> stopped;
    private volatile boolean aborted;
    private volatile long ownerSession;

    private Owner owner;
    private Child instance;
    private ExitReason selfStop;
    private RestartIntensity intensity;
    /** Completed when the first incarnation's init ends; null when nobody waits for it. */
    private CompletableFuture<Pid> started;
    /** Whether the first incarnation was started by claiming a stored spec (not by startChild). */
    private final boolean takenOver;
    private CompletableFuture<Void> firstStart;

    LocalChild(SupervisorNode node, String key, Object id, ChildSpec spec, String explicitNode, Owner owner,
               CompletableFuture<Pid> started) {
        this.node = node;
        this.key = key;
        this.id = id;
        this.spec = spec;
        this.explicitNode = explicitNode;
        this.owner = owner;
        this.started = started;
        this.takenOver = started == null;
        this.pid = new Pid(node.node(), node.name(), id, new Incarnation(owner.epoch(), owner.restarts()));
    }

    /** Starts the first incarnation on a virtual thread (init runs there). */
    void begin() {
        schedule();
    }

    /**
     * Starts the first incarnation on the calling thread, for {@code startChild}: its caller
     * waits for init anyway, and a start then costs no thread hand-off. The child holds the
     * scheduling token meanwhile, so messages that arrive during init wait in the mailbox; the
     * token is handed to a virtual thread afterwards if any did.
     */
    void beginInline() {
        if (!SCHEDULED.compareAndSet(this, 0, 1)) {
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
        scheduled = 0;
        if (alive && !mailbox.isEmpty()) {
            schedule();
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

    /** Session id of the claim this child runs under. */
    long claimSession() {
        return ownerSession;
    }

    ChildStatus status() {
        return new ChildStatus(id, pid, spec.type().getName(), spec.restart(), Instant.ofEpochMilli(startedAtMillis),
                pid.incarnation().restarts());
    }

    /** Adds a message; false when this child is stopping or stopped (the caller looks again). */
    boolean offer(Letter letter) {
        if (state == DONE || stopRequest != null) {
            return false;
        }
        mailbox.offer(letter);
        schedule();
        return true;
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
            mailbox.offer(WAKE);
            schedule();
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
                stopRequest = ExitReason.nodeDown(node.node());
            }
        }
        mailbox.offer(WAKE);
        schedule();
    }

    private void schedule() {
        if (SCHEDULED.compareAndSet(this, 0, 1)) {
            try {
                Thread.startVirtualThread(this);
            } catch (RuntimeException | OutOfMemoryError e) {
                scheduled = 0;
                throw e;
            }
        }
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
        if (state == STARTING && stopRequest == null && !startIncarnation()) {
            scheduled = 0;
            return;
        }
        for (;;) {
            if (stopRequest != null) {
                finishStop();
                return;
            }
            Object m = mailbox.poll();
            if (m == null) {
                scheduled = 0;
                if ((mailbox.isEmpty() && stopRequest == null) || !SCHEDULED.compareAndSet(this, 0, 1)) {
                    return;
                }
                continue;
            }
            if (m == WAKE) {
                continue;
            }
            if (!awaitLease()) {
                answerNotHere(m);
                continue;
            }
            if (!process((Letter) m)) {
                return;
            }
        }
    }

    /** Waits while the node holds no lease (paused by fencing); false if a stop came meanwhile. */
    private boolean awaitLease() {
        while (!node.holdsLease()) {
            if (stopRequest != null) {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        return stopRequest == null;
    }

    /** Runs one message; false when this child is gone for good. */
    private boolean process(Letter letter) {
        Object value = null;
        try {
            switch (letter.kind) {
                case CALL -> value = instance.handleCall(letter.payload, this);
                case CAST -> instance.handleCast(letter.payload, this);
                default -> instance.handleInfo(letter.payload, this);
            }
        } catch (Throwable t) {
            Protocol.Reply crashed = new Protocol.Crashed(t);
            // What is queued behind the crashing message is this incarnation's: its calls fail
            // with the crash (as ChildCrashedException documents), the rest is dropped. It is
            // taken before the crash is answered, so whatever a caller sends after seeing the
            // crash is not among it and reaches the next incarnation.
            endQueued(crashed);
            if (letter.reply != null) {
                letter.reply.complete(crashed);
            }
            return exit(ExitReason.error(t), true);
        }
        if (selfStop != null) {
            ExitReason r = selfStop;
            selfStop = null;
            // Likewise for a stop of its own, before the reply lets the caller go on.
            endQueued(r.isNormal() ? Protocol.NOT_HERE_REPLY
                    : new Protocol.Crashed(new IllegalStateException("child " + id + " stopped: " + r)));
            if (letter.reply != null) {
                letter.reply.complete(new Protocol.Ok(value));
            }
            return exit(r, true);
        }
        if (letter.reply != null) {
            letter.reply.complete(new Protocol.Ok(value));
        }
        return true;
    }

    /**
     * Builds and initialises an incarnation. Returns false when the child is gone for good (its
     * first start failed for a waiting caller, or it was given up).
     */
    private boolean startIncarnation() {
        for (;;) {
            startedAtMillis = System.currentTimeMillis();
            ownerSession = owner.session();
            Child c;
            try {
                c = ChildFactory.create(spec.type(), spec.arg());
                instance = c;
                c.init(this);
            } catch (Throwable t) {
                instance = null;
                if (started != null) {
                    // start_child with a failing init: an error to the caller, nothing left behind.
                    markDone();
                    node.forget(this, true);
                    drainAfterExit(new Protocol.Crashed(t));
                    started.completeExceptionally(t);
                    started = null;
                    completeStopped(ExitReason.error(t));
                    return false;
                }
                if (!exit(ExitReason.error(t), false)) {
                    return false;
                }
                continue;
            }
            if (selfStop != null) {
                ExitReason r = selfStop;
                selfStop = null;
                node.events().processStart(id, pid, startReason());
                state = RUNNING;
                completeStarted();
                if (!exit(r, true)) {
                    return false;
                }
                continue;
            }
            state = RUNNING;
            completeStarted();
            node.events().processStart(id, pid, startReason());
            return true;
        }
    }

    private StartReason startReason() {
        if (pid.incarnation().restarts() > 0) {
            return StartReason.RESTARTED;
        }
        return takenOver ? StartReason.TAKEN_OVER : StartReason.STARTED;
    }

    /**
     * A future that completes once the first incarnation has run {@code init} (or the child is
     * gone); made on demand, so that children nobody waits for carry none.
     */
    synchronized CompletableFuture<Void> firstStart() {
        if (firstStart == null) {
            firstStart = new CompletableFuture<>();
            if (state != STARTING) {
                firstStart.complete(null);
            }
        }
        return firstStart;
    }

    private void markDone() {
        state = DONE;
        signalFirstStart();
    }

    private void signalFirstStart() {
        CompletableFuture<Void> f;
        synchronized (this) {
            f = firstStart;
        }
        if (f != null) {
            f.complete(null);
        }
    }

    private void completeStarted() {
        signalFirstStart();
        if (started != null) {
            started.complete(pid);
            started = null;
        }
    }

    /**
     * The current incarnation ended by itself (crash or its own stop). Calls {@code terminate}
     * when init had succeeded, then restarts in place per the restart policy and intensity.
     * Returns false when the child is gone. Otherwise, after a failed init the caller's loop
     * starts the next incarnation; after a running incarnation it is started here.
     */
    private boolean exit(ExitReason reason, boolean initDone) {
        Pid old = pid;
        if (initDone) {
            callTerminate(reason);
        }
        instance = null;
        if (stopRequest != null) {
            // Whoever asked for the stop releases the claim and reports the exit.
            markDone();
            drainAfterExit(Protocol.NOT_HERE_REPLY);
            completeStopped(reason);
            return false;
        }
        boolean restart = switch (spec.restart()) {
            case PERMANENT -> true;
            case TRANSIENT -> !reason.isNormal();
            case TEMPORARY -> false;
        };
        if (restart) {
            if (intensity == null) {
                intensity = new RestartIntensity(node.options().maxRestarts());
            }
            if (!intensity.allow(System.nanoTime(), node.options().maxRestarts(),
                    node.options().maxRestartWindow().toNanos())) {
                LOG.error("child {} of supervisor {} crashed more than {} times within {}: given up, spec removed",
                        id, node.name(), node.options().maxRestarts(), node.options().maxRestartWindow(),
                        reason.cause());
                return gone(old, ExitReason.givenUp(reason));
            }
        } else {
            return gone(old, reason);
        }
        node.events().processStop(id, old, reason);
        // What was queued for the incarnation that ended was answered when it ended; what came
        // since is for the next one.
        Owner next = owner.restarted();
        if (!node.updateOwner(key, next)) {
            // The claim is not ours any more (session lost): another node may run it now.
            aborted = true;
            markDone();
            node.forget(this, false);
            drainAfterExit(Protocol.NOT_HERE_REPLY);
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
        node.forget(this, true);
        node.events().processStop(id, old, reason);
        drainAfterExit(Protocol.NOT_HERE_REPLY);
        completeStopped(reason);
        return false;
    }

    private void finishStop() {
        ExitReason reason = stopRequest;
        if (!aborted && instance != null) {
            callTerminate(reason);
        }
        instance = null;
        markDone();
        drainAfterExit(Protocol.NOT_HERE_REPLY);
        if (started != null) {
            started.completeExceptionally(new IllegalStateException("stopped before it started: " + reason));
            started = null;
        }
        completeStopped(reason);
    }

    private synchronized void completeStopped(ExitReason reason) {
        if (stopped == null) {
            stopped = new CompletableFuture<>();
        }
        stopped.complete(reason);
    }

    private void callTerminate(ExitReason reason) {
        Child c = instance;
        if (c == null) {
            return;
        }
        try {
            c.terminate(reason, this);
        } catch (Throwable t) {
            LOG.warn("terminate of child {} threw", id, t);
        }
    }

    /** Ends what is queued for an incarnation that ends: calls get {@code reply}, casts and infos are dropped. */
    private void endQueued(Protocol.Reply reply) {
        for (Object m; (m = mailbox.poll()) != null; ) {
            if (m instanceof Letter l && l.reply != null) {
                l.reply.complete(reply);
            }
        }
    }

    private void drainAfterExit(Protocol.Reply reply) {
        for (Object m; (m = mailbox.poll()) != null; ) {
            if (m instanceof Letter l && l.reply != null) {
                l.reply.complete(reply);
            }
        }
    }

    private static void answerNotHere(Object m) {
        if (m instanceof Letter l && l.reply != null) {
            l.reply.complete(Protocol.NOT_HERE_REPLY);
        }
    }

    // ---- ChildContext ----

    @Override
    public Object id() {
        return id;
    }

    @Override
    public Pid pid() {
        return pid;
    }

    @Override
    public Object arg() {
        return spec.arg();
    }

    @Override
    public DistributedSupervisor supervisor() {
        return node;
    }

    @Override
    public void stop() {
        selfStop = ExitReason.normal();
    }

    @Override
    public void stop(Object reason) {
        selfStop = reason instanceof ExitReason r ? r : ExitReason.custom(reason);
    }

    Restart restart() {
        return spec.restart();
    }

    @Override
    public String toString() {
        return "LocalChild{" + pid + "}";
    }
}
