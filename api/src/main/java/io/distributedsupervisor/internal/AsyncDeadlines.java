package io.distributedsupervisor.internal;

import io.distributedsupervisor.Scheduler;
import io.distributedsupervisor.Ticker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deadlines of one node's asynchronous operations, on its {@link Scheduler} but with few
 * timers: operations with the same timeout wait in one lane, in the order they started, which is
 * the order of their deadlines; each lane keeps at most one timer, set for its earliest deadline.
 * An operation that ends in time leaves its lane in constant time and cancels nothing. A timer
 * per operation cost the thread that issues calls (say, a transport thread that issues the next
 * call when one completes) a lock, a heap insertion and a heap removal in the scheduler's queue
 * each time.
 *
 * <p>Trade-off: two operations that start at the same moment on two threads may enter their lane
 * in the opposite order of their deadlines, so the later-placed one times out when the other
 * does, later than its own deadline by the width of that race (never sooner). Past
 * {@value #MAX_LANES} timeouts in use at once, further ones get a timer each, as before.
 */
final class AsyncDeadlines {
    private static final Logger LOG = LoggerFactory.getLogger(AsyncDeadlines.class);
    static final int MAX_LANES = 16;

    private final Scheduler scheduler;
    private final Ticker ticker;
    private final ConcurrentHashMap<Long, Lane> lanes = new ConcurrentHashMap<>();
    /** The lane used last: most operations have the timeout of the one before, and skip the map. */
    private volatile Lane recent;

    AsyncDeadlines(Scheduler scheduler, Ticker ticker) {
        this.scheduler = scheduler;
        this.ticker = ticker;
    }

    /** What {@link #add} returns: cancelling it keeps the timeout from running if it has not yet. */
    interface Registration {
        void cancel();
    }

    /** Runs {@code onTimeout} once {@code deadline} has passed, unless cancelled first. */
    Registration add(Deadline deadline, Runnable onTimeout) {
        long timeout = deadline.timeout().toNanos();
        Lane last = recent;
        if (last != null && last.timeout == timeout) {
            Entry entry = last.add(deadline.atNanos(), onTimeout);
            if (entry != null) {
                return entry;
            }
        }
        for (;;) {
            Lane lane = lanes.get(timeout);
            if (lane == null) {
                if (lanes.size() >= MAX_LANES) {
                    Future<?> timer = scheduler.schedule(onTimeout, Math.max(0, deadline.leftNanos()), TimeUnit.NANOSECONDS);
                    return () -> timer.cancel(false);
                }
                lane = lanes.computeIfAbsent(timeout, t -> new Lane(t));
            }
            Entry entry = lane.add(deadline.atNanos(), onTimeout);
            if (entry != null) {
                recent = lane;
                return entry;
            }
            // The lane emptied and retired meanwhile: take (or make) the current one.
        }
    }

    /** One operation waiting in a lane; its links are guarded by the lane. */
    private static final class Entry implements Registration {
        final Lane lane;
        final long atNanos;
        final Runnable onTimeout;
        Entry prev;
        Entry next;
        boolean linked;

        Entry(Lane lane, long atNanos, Runnable onTimeout) {
            this.lane = lane;
            this.atNanos = atNanos;
            this.onTimeout = onTimeout;
        }

        @Override
        public void cancel() {
            lane.remove(this);
        }
    }

    /** The operations with one timeout, earliest deadline first. */
    private final class Lane {
        private final long timeout;
        private Entry head;
        private Entry tail;
        /** A timer is set, for the deadline the head had when it was set: no later than the current head's. */
        private boolean armed;
        /** Empty and out of the map: adds go to a new lane. */
        private boolean retired;

        Lane(long timeout) {
            this.timeout = timeout;
        }

        /** Null when this lane has retired. */
        synchronized Entry add(long atNanos, Runnable onTimeout) {
            if (retired) {
                return null;
            }
            Entry e = new Entry(this, atNanos, onTimeout);
            e.linked = true;
            e.prev = tail;
            if (tail == null) {
                head = e;
            } else {
                tail.next = e;
            }
            tail = e;
            if (!armed) {
                arm(atNanos - ticker.read());
            }
            return e;
        }

        synchronized void remove(Entry e) {
            if (!e.linked) {
                return;
            }
            e.linked = false;
            if (e.prev == null) {
                head = e.next;
            } else {
                e.prev.next = e.next;
            }
            if (e.next == null) {
                tail = e.prev;
            } else {
                e.next.prev = e.prev;
            }
            e.prev = null;
            e.next = null;
            // The timer stays set: when it fires it finds the new head and is set again for it.
        }

        /** The timer: runs what is due, and is set again for the rest; an empty lane retires. */
        private void fire() {
            List<Runnable> due = new ArrayList<>();
            synchronized (this) {
                armed = false;
                long now = ticker.read();
                for (Entry e = head; e != null && e.atNanos - now <= 0; e = head) {
                    due.add(e.onTimeout);
                    remove(e);
                }
                if (head != null) {
                    arm(head.atNanos - now);
                } else {
                    retired = true;
                    lanes.remove(timeout, this);
                }
            }
            for (Runnable r : due) {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    // One timeout's failure must not keep the others from running.
                    LOG.error("an operation's timeout failed", e);
                }
            }
        }

        private void arm(long delayNanos) {
            scheduler.schedule(this::fire, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
            armed = true; // after schedule: if it throws, the next add tries again
        }
    }
}
