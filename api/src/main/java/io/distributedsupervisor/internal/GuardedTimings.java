package io.distributedsupervisor.internal;

import io.distributedsupervisor.spi.Listener;
import io.distributedsupervisor.spi.NodeReadings;
import io.distributedsupervisor.spi.Timings;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Timings} observers a node's listeners handed out, as one: each is told in turn, and
 * one that throws is logged once and does not fail the operation it measures, nor keep the others
 * from hearing of it. {@link #of} answers {@link Timings#NONE} itself when no listener observes,
 * so that the hot paths can skip the measuring with one identity comparison.
 */
final class GuardedTimings implements Timings {
    private static final Logger LOG = LoggerFactory.getLogger(GuardedTimings.class);

    private final Timings[] observers;
    private final String supervisor;
    private volatile boolean warned;

    private GuardedTimings(List<Timings> observers, String supervisor) {
        this.observers = observers.toArray(Timings[]::new);
        this.supervisor = supervisor;
    }

    /** Asks each listener for its observer; {@link Timings#NONE} when none observes. */
    static Timings of(List<Listener> listeners, NodeReadings node) {
        List<Timings> observers = new ArrayList<>();
        for (Listener l : listeners) {
            Timings t;
            try {
                t = l.timings(node);
            } catch (RuntimeException e) {
                LOG.warn("listener {} of supervisor {} threw when asked for its timings; it measures nothing", l,
                        node.supervisor(), e);
                continue;
            }
            if (t != null && t != Timings.NONE) {
                observers.add(t);
            }
        }
        return observers.isEmpty() ? Timings.NONE : new GuardedTimings(observers, node.supervisor());
    }

    @Override
    public void call(boolean remote, boolean ok, long nanos) {
        for (Timings t : observers) {
            try {
                t.call(remote, ok, nanos);
            } catch (RuntimeException e) {
                threw(t, e);
            }
        }
    }

    @Override
    public void start(boolean remote, boolean ok, long nanos) {
        for (Timings t : observers) {
            try {
                t.start(remote, ok, nanos);
            } catch (RuntimeException e) {
                threw(t, e);
            }
        }
    }

    private void threw(Timings t, RuntimeException e) {
        if (!warned) { // a hot path: once, not once per call
            warned = true;
            LOG.warn("timings observer {} of supervisor {} threw; the operation it measured is not affected", t,
                    supervisor, e);
        }
    }
}
