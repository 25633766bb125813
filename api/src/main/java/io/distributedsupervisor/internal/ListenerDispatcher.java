package io.distributedsupervisor.internal;

import io.distributedsupervisor.ChildStatus;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.ExitReason;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.StartReason;
import io.distributedsupervisor.spi.Listener;
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
    private final List<Listener> listeners;
    private final LinkedBlockingQueue<Consumer<Listener>> queue = new LinkedBlockingQueue<>();
    private final Thread thread;

    ListenerDispatcher(String supervisor, String node, List<Listener> listeners) {
        this.supervisor = supervisor;
        this.listeners = List.copyOf(listeners);
        if (this.listeners.isEmpty()) {
            thread = null;
        } else {
            thread = Thread.ofPlatform().daemon().name("ds-listeners-" + supervisor + "-" + node).unstarted(this::run);
            thread.start();
        }
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

    void processStart(Object id, Pid pid, StartReason reason) {
        post(l -> l.onProcessStart(supervisor, id, pid, reason));
    }

    void failover(List<String> lostNodes, int children, java.time.Duration took) {
        post(l -> l.onFailover(supervisor, lostNodes, children, took));
    }

    void processStop(Object id, Pid pid, ExitReason reason) {
        post(l -> l.onProcessStop(supervisor, id, List.of(pid), reason));
    }

    void nodeUp(String node, Map<String, Object> info) {
        post(l -> l.onNodeUp(supervisor, node, info));
    }

    void nodeDown(String node, Map<String, Object> info) {
        post(l -> l.onNodeDown(supervisor, node, info));
    }

    void nodeTerminate(String node, Object reason, List<ChildStatus> statuses) {
        post(l -> l.onNodeTerminate(supervisor, node, reason, statuses));
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
