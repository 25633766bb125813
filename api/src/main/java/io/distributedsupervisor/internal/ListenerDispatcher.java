package io.distributedsupervisor.internal;

import io.distributedsupervisor.ChildStatus;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.ExitReason;
import io.distributedsupervisor.MoveCause;
import io.distributedsupervisor.MoveOutcome;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.StartReason;
import io.distributedsupervisor.spi.Listener;
import io.distributedsupervisor.spi.ListenerEvent;
import io.distributedsupervisor.spi.NodeReadings;
import io.distributedsupervisor.spi.Timings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls a supervisor's listeners from one thread of its own, in the order events happened, so
 * a listener never runs on a child's or a caller's thread and a slow or throwing one cannot
 * stall the supervisor. With no listener, posting an event costs nothing.
 */
final class ListenerDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(ListenerDispatcher.class);
    private static final Consumer<Listener> POISON = l -> { };

    private final String supervisor;
    private final String node;
    private final List<Listener> listeners;
    private final LinkedBlockingQueue<Consumer<Listener>> queue = new LinkedBlockingQueue<>();
    private final Thread thread;

    ListenerDispatcher(String supervisor, String node, List<Listener> listeners) {
        this.supervisor = supervisor;
        this.node = node;
        this.listeners = List.copyOf(listeners);
        if (this.listeners.isEmpty()) {
            thread = null;
        } else {
            thread = Thread.ofPlatform().daemon().name("ds-listeners-" + supervisor + "-" + node).unstarted(this::run);
            thread.start();
        }
    }

    /** The listeners' observers of this node's durations, as one; {@link Timings#NONE} when none observes. */
    Timings timings(NodeReadings readings) {
        return GuardedTimings.of(listeners, readings);
    }

    boolean isEmpty() {
        return thread == null;
    }

    private void run() {
        for (;;) {
            Consumer<Listener> event;
            try {
                event = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (event == POISON) {
                return;
            }
            for (Listener l : listeners) {
                try {
                    event.accept(l);
                } catch (Throwable t) {
                    LOG.warn("listener {} of supervisor {} threw; it is skipped for this event", l, supervisor, t);
                }
            }
        }
    }

    private void post(Consumer<Listener> event) {
        if (thread != null) {
            queue.add(event);
        }
    }

    void supervisorStart(DistributedSupervisor ds) {
        post(l -> l.onSupervisorStart(ds));
    }

    void supervisorStop(DistributedSupervisor ds) {
        post(l -> l.onSupervisorStop(ds));
    }

    private void event(ListenerEvent event) {
        post(l -> l.onEvent(event));
    }

    void processStart(Object id, Pid pid, StartReason reason) {
        if (thread != null) {
            event(new ListenerEvent.ProcessStarted(supervisor, node, id, pid, reason));
        }
    }

    void failover(List<String> lostNodes, int children, java.time.Duration took) {
        event(new ListenerEvent.Failover(supervisor, node, lostNodes, children, took));
    }

    void processStop(Object id, Pid pid, ExitReason reason) {
        if (thread != null) {
            event(new ListenerEvent.ProcessStopped(supervisor, node, id, List.of(pid), reason));
        }
    }

    void nodeUp(String joined, Map<String, Object> info) {
        event(new ListenerEvent.NodeUp(supervisor, node, joined, info));
    }

    void nodeDown(String lost, Map<String, Object> info) {
        event(new ListenerEvent.NodeDown(supervisor, node, lost, info));
    }

    void untrusted(String what, String why) {
        event(new ListenerEvent.Untrusted(supervisor, node, what, why));
    }

    void move(Object id, String to, MoveCause cause, MoveOutcome outcome, long startedAtNanos, Duration took) {
        if (thread != null) {
            event(new ListenerEvent.Move(supervisor, node, id, node, to, cause, outcome, startedAtNanos, took));
        }
    }

    void nodeTerminate(String closed, Object reason, List<ChildStatus> statuses) {
        event(new ListenerEvent.NodeTerminated(supervisor, node, closed, reason, statuses));
    }

    /** Delivers what is queued, then stops the thread (waits at most {@code timeoutMillis}). */
    void close(long timeoutMillis) {
        if (thread == null) {
            return;
        }
        queue.add(POISON);
        if (Thread.currentThread() == thread) {
            return;
        }
        try {
            thread.join(timeoutMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("listeners of supervisor {} did not finish within {} ms; interrupting", supervisor, timeoutMillis);
            thread.interrupt();
        }
    }
}
