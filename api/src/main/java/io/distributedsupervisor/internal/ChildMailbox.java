package io.distributedsupervisor.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * A child's mailbox: what was sent to it, in arrival order, drained by at most one thread at a
 * time. The right to drain is a token ({@link #scheduled}): whoever puts a message in and finds
 * it free starts a virtual thread with it, so an idle child holds no thread; the draining thread
 * gives it back when the box is empty, or when it must wait (no lease), keeping the message it
 * was about to process for later.
 *
 * <p>Everything but the queue and the token is touched only by the thread holding the token;
 * handing the token over (a volatile write, then a compare-and-set) publishes it to the next.
 */
final class ChildMailbox {
    /** Wakes the drainer without being a message: a stop or an abort asks to be seen. */
    static final Object WAKE = new Object();

    private static final VarHandle SCHEDULED;
    private static final VarHandle WAITING;

    static {
        try {
            SCHEDULED = MethodHandles.lookup().findVarHandle(ChildMailbox.class, "scheduled", int.class);
            WAITING = MethodHandles.lookup().findVarHandle(ChildMailbox.class, "waiting", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
    private final Runnable drainer;
    @SuppressWarnings("unused") // through SCHEDULED
    private volatile int scheduled;
    /** Puts {@code message} in without starting a thread: before the child begins. */
    void preload(Object message) {
        WAITING.getAndAdd(this, 1);
        queue.offer(message);
    }

    /** Takes {@code message} back out, if no one took it yet: for an offer that raced the child's end. */
    boolean remove(Object message) {
        if (queue.remove(message)) {
            WAITING.getAndAdd(this, -1);
            return true;
        }
        return false;
    }

    /** How many messages wait in the queue: a ConcurrentLinkedQueue counts by walking itself. */
    @SuppressWarnings("unused") // through WAITING
    private volatile int waiting;
    /** The message taken while it could not be processed (no lease): the first one out next time. */
    private Object held;

    /** @param drainer what a thread that takes the token runs */
    ChildMailbox(Runnable drainer) {
        this.drainer = drainer;
    }

    /** Puts {@code message} in and makes sure a thread drains. */
    void put(Object message) {
        WAITING.getAndAdd(this, 1);
        queue.offer(message);
        schedule();
    }

    /** How many messages wait (not counting one held back for want of a lease). */
    int waiting() {
        return waiting;
    }

    private Object poll() {
        Object m = queue.poll();
        if (m != null) {
            WAITING.getAndAdd(this, -1);
        }
        return m;
    }

    /** Starts a thread to drain, unless one holds the token already. */
    void schedule() {
        if (SCHEDULED.compareAndSet(this, 0, 1)) {
            try {
                Thread.startVirtualThread(drainer);
            } catch (RuntimeException | OutOfMemoryError e) {
                scheduled = 0;
                throw e;
            }
        }
    }

    /** Takes the token for the calling thread, which then drains itself; false if another holds it. */
    boolean take() {
        return SCHEDULED.compareAndSet(this, 0, 1);
    }

    /** Gives the token back, and starts a thread if messages came meanwhile. */
    void giveBack() {
        scheduled = 0;
        if (!queue.isEmpty()) {
            schedule();
        }
    }

    /**
     * The next message for the token holder, held one first; null when the box is empty, and
     * then the token is given back (unless a message slipped in meanwhile, which is returned).
     */
    Object next() {
        for (;;) {
            Object m = held;
            if (m != null) {
                held = null;
                return m;
            }
            m = poll();
            if (m != null) {
                return m;
            }
            scheduled = 0;
            if (queue.isEmpty() || !SCHEDULED.compareAndSet(this, 0, 1)) {
                return null;
            }
        }
    }

    /** Keeps {@code message} to be processed first, and gives the token back without starting a thread. */
    void hold(Object message) {
        held = message;
        scheduled = 0;
    }

    /** Empties the box, held message first, into {@code sink}: by the token holder, for an incarnation that ends. */
    void drainTo(Consumer<Object> sink) {
        Object h = held;
        held = null;
        if (h != null) {
            sink.accept(h);
        }
        for (Object m; (m = poll()) != null; ) {
            sink.accept(m);
        }
    }
}
