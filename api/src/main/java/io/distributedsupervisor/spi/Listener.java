package io.distributedsupervisor.spi;

import io.distributedsupervisor.ChildStatus;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.ExitReason;
import io.distributedsupervisor.MoveCause;
import io.distributedsupervisor.MoveOutcome;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.StartReason;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Receives a supervisor's process and node events (the Elixir library's
 * {@code DistributedSupervisor.Listener}). Every method is an optional no-op.
 *
 * <p>Where each fires: process events on the node where the process lives (and, for a child lost
 * with its node, on the survivor the ring names for the dead node); node up/down on exactly one
 * node, the ring owner of that node's name, and only with {@code monitorNodes(true)}; node
 * terminate on every other node when a node closes gracefully.
 *
 * <p>Calls come, in order, from one dispatcher thread per supervisor: never from a child's thread
 * or a caller's thread. A listener that throws is logged and isolated; the others still get the
 * event. A slow listener delays only later events.
 *
 * <p>Two ways to listen, use either: override the Elixir-named methods ({@link #onProcessStart},
 * {@link #onProcessStop}, {@link #onNodeUp}, ...), or override {@link #onEvent}, which gets every
 * process, node and move event as one {@link ListenerEvent} value naming the node that observed it.
 * The supervisor calls {@link #onEvent}; by default it calls the matching named method.
 *
 * <p>Durations measured on the hot paths (call and start latency) do not go through the
 * dispatcher thread: a listener that wants them hands out a {@link Timings} observer from
 * {@link #timings(NodeReadings)}, which the runtime calls synchronously, and which costs nothing
 * when no listener does.
 *
 * <p>Implementations found by {@link java.util.ServiceLoader} are added to every supervisor
 * unless {@code serviceLoaderListeners(false)}; one whose class is also among the listeners given
 * explicitly is left out, so that a listener configured by hand replaces the discovered one.
 */
public interface Listener {

    /**
     * The supervisor on this node started: the first call this listener gets from it, before any
     * process or node event. Handy for listeners that expose it (e.g. JMX).
     */
    default void onSupervisorStart(DistributedSupervisor supervisor) {
    }

    /**
     * Asked once, on the thread that starts the supervisor and before any other call, for an
     * observer of the durations the runtime measures on its hot paths (see {@link Timings}).
     * The default, {@link Timings#NONE}, measures nothing and costs the runtime one identity
     * comparison per operation.
     *
     * @param node which supervisor and node the observer is for (so that one listener instance
     *             can serve several), and readings of it that no event carries (mailbox depths)
     * @return the observer for this supervisor on this node; never null
     */
    default Timings timings(NodeReadings node) {
        return Timings.NONE;
    }

    /** The supervisor on this node closed or crashed; the last call this listener gets from it. */
    default void onSupervisorStop(DistributedSupervisor supervisor) {
    }

    /**
     * Every process and node event, as a value that names the observing node: what the
     * supervisor calls. By default it calls the matching named method below, so override either
     * this or those.
     */
    default void onEvent(ListenerEvent event) {
        switch (event) {
            case ListenerEvent.ProcessStarted e -> onProcessStart(e.supervisor(), e.id(), e.pid(), e.reason());
            case ListenerEvent.ProcessStopped e -> onProcessStop(e.supervisor(), e.id(), e.pids(), e.reason());
            case ListenerEvent.NodeUp e -> onNodeUp(e.supervisor(), e.joined(), e.info());
            case ListenerEvent.NodeDown e -> onNodeDown(e.supervisor(), e.lost(), e.info());
            case ListenerEvent.NodeTerminated e -> onNodeTerminate(e.supervisor(), e.closed(), e.reason(), e.statuses());
            case ListenerEvent.Failover e -> onFailover(e.supervisor(), e.lostNodes(), e.children(), e.took());
            case ListenerEvent.Untrusted e -> onUntrusted(e.supervisor(), e.what(), e.why());
            case ListenerEvent.Move e -> onMove(e.supervisor(), e.id(), e.from(), e.to(), e.cause(), e.outcome());
        }
    }

    /** A child incarnation started on this node (the Elixir library's {@code on_process_start}). */
    default void onProcessStart(String supervisor, Object id, Pid pid) {
    }

    /**
     * A child incarnation started on this node, and why. By default it calls
     * {@link #onProcessStart(String, Object, Pid)}, so override whichever you need.
     */
    default void onProcessStart(String supervisor, Object id, Pid pid, StartReason reason) {
        onProcessStart(supervisor, id, pid);
    }

    /** A child incarnation stopped; {@code pids} has the incarnation(s) that stopped. */
    default void onProcessStop(String supervisor, Object id, List<Pid> pids, ExitReason reason) {
    }

    /** A node joined the ring. {@code info} has at least {@code "nodes"}: the ring's nodes. */
    default void onNodeUp(String supervisor, String node, Map<String, Object> info) {
    }

    /** A node left the ring without closing gracefully (crash, lost session). */
    default void onNodeDown(String supervisor, String node, Map<String, Object> info) {
    }

    /** A node closed gracefully; {@code statuses} are the children it ran at that moment. */
    default void onNodeTerminate(String supervisor, String node, Object reason, List<ChildStatus> statuses) {
    }

    /**
     * This node took part in a failover: after it saw {@code lostNodes} leave the ring without
     * closing, it claimed and started {@code children} of their children, the last of which had
     * finished {@code init} (or failed it) {@code took} after the loss was seen. Fires on each
     * node that took over at least one child.
     */
    default void onFailover(String supervisor, List<String> lostNodes, int children, Duration took) {
    }

    /**
     * This node ignores an entry of coordination storage it does not trust ({@code what}), for
     * {@code why}: see {@link ListenerEvent.Untrusted}.
     */
    default void onUntrusted(String supervisor, String what, String why) {
    }

    /**
     * A planned move of child {@code id} from {@code from} (this node) to {@code to} for
     * {@code cause} ended with {@code outcome}: one call per move, on the node the child ran on.
     * {@link ListenerEvent.Move} also has when it started, on the node's ticker, and how long it took.
     */
    default void onMove(String supervisor, Object id, String from, String to, MoveCause cause, MoveOutcome outcome) {
    }

    /**
     * A listener that passes on only the process and move events whose id matches {@code ids};
     * node and lifecycle events, and {@link #timings}, all pass.
     */
    static Listener filtered(Listener listener, Predicate<Object> ids) {
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(ids, "ids");
        return new Listener() {
            @Override
            public void onSupervisorStart(DistributedSupervisor supervisor) {
                listener.onSupervisorStart(supervisor);
            }

            @Override
            public void onSupervisorStop(DistributedSupervisor supervisor) {
                listener.onSupervisorStop(supervisor);
            }

            @Override
            public Timings timings(NodeReadings node) {
                return listener.timings(node); // durations name no child: nothing to filter
            }

            @Override
            public void onEvent(ListenerEvent event) {
                switch (event) {
                    case ListenerEvent.ProcessStarted e -> {
                        if (ids.test(e.id())) {
                            listener.onEvent(e);
                        }
                    }
                    case ListenerEvent.ProcessStopped e -> {
                        if (ids.test(e.id())) {
                            listener.onEvent(e);
                        }
                    }
                    case ListenerEvent.Move e -> {
                        if (ids.test(e.id())) {
                            listener.onEvent(e);
                        }
                    }
                    default -> listener.onEvent(event);
                }
            }

            @Override
            public void onProcessStart(String supervisor, Object id, Pid pid) {
                if (ids.test(id)) {
                    listener.onProcessStart(supervisor, id, pid);
                }
            }

            @Override
            public void onProcessStart(String supervisor, Object id, Pid pid, StartReason reason) {
                if (ids.test(id)) {
                    listener.onProcessStart(supervisor, id, pid, reason);
                }
            }

            @Override
            public void onProcessStop(String supervisor, Object id, List<Pid> pids, ExitReason reason) {
                if (ids.test(id)) {
                    listener.onProcessStop(supervisor, id, pids, reason);
                }
            }

            @Override
            public void onNodeUp(String supervisor, String node, Map<String, Object> info) {
                listener.onNodeUp(supervisor, node, info);
            }

            @Override
            public void onNodeDown(String supervisor, String node, Map<String, Object> info) {
                listener.onNodeDown(supervisor, node, info);
            }

            @Override
            public void onNodeTerminate(String supervisor, String node, Object reason, List<ChildStatus> statuses) {
                listener.onNodeTerminate(supervisor, node, reason, statuses);
            }

            @Override
            public void onFailover(String supervisor, List<String> lostNodes, int children, Duration took) {
                listener.onFailover(supervisor, lostNodes, children, took);
            }

            @Override
            public void onUntrusted(String supervisor, String what, String why) {
                listener.onUntrusted(supervisor, what, why);
            }

            @Override
            public void onMove(String supervisor, Object id, String from, String to, MoveCause cause, MoveOutcome outcome) {
                if (ids.test(id)) {
                    listener.onMove(supervisor, id, from, to, cause, outcome);
                }
            }

            @Override
            public String toString() {
                return "filtered(" + listener + ")";
            }
        };
    }
}
