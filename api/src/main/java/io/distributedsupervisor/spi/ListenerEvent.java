package io.distributedsupervisor.spi;

import io.distributedsupervisor.ChildStatus;
import io.distributedsupervisor.ExitReason;
import io.distributedsupervisor.MoveCause;
import io.distributedsupervisor.MoveOutcome;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.StartReason;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A supervisor's process or node event as one value, naming the node that observed it: what
 * {@link Listener#onEvent} gets. Every event has the supervisor's name and {@link #node()}, the
 * node whose supervisor reports it (where the listener is called), so that one listener instance
 * can serve several supervisors and nodes of one JVM without guessing which one is calling.
 * Immutable.
 */
public sealed interface ListenerEvent {

    /** The supervisor's name. */
    String supervisor();

    /** The node that observed and reports the event. */
    String node();

    /** A child incarnation started on {@link #node()}. */
    record ProcessStarted(String supervisor, String node, Object id, Pid pid, StartReason reason) implements ListenerEvent {
        public ProcessStarted {
            Objects.requireNonNull(pid, "pid");
        }
    }

    /**
     * A child incarnation stopped; reported on the node it ran on, or, for a child lost with its
     * node and not started again, on the survivor that the ring gives the lost node's name.
     */
    record ProcessStopped(String supervisor, String node, Object id, List<Pid> pids, ExitReason reason)
            implements ListenerEvent {
        public ProcessStopped {
            pids = List.copyOf(pids);
        }
    }

    /** Node {@code joined} joined the ring (reported by one node, with {@code monitorNodes}). */
    record NodeUp(String supervisor, String node, String joined, Map<String, Object> info) implements ListenerEvent {
        public NodeUp {
            info = Map.copyOf(info);
        }
    }

    /** Node {@code lost} left the ring without closing (reported by one node, with {@code monitorNodes}). */
    record NodeDown(String supervisor, String node, String lost, Map<String, Object> info) implements ListenerEvent {
        public NodeDown {
            info = Map.copyOf(info);
        }
    }

    /** Node {@code closed} closed gracefully; {@code statuses} are the children it ran then. */
    record NodeTerminated(String supervisor, String node, String closed, Object reason, List<ChildStatus> statuses)
            implements ListenerEvent {
        public NodeTerminated {
            statuses = List.copyOf(statuses);
        }
    }

    /**
     * {@link #node()}'s backend found an entry in coordination storage it does not trust and
     * ignores it (a member without a valid proof of the cluster secret, an owner entry of no
     * verified member's session, ...): {@code what} names it, {@code why} says why. Told once per
     * entry; worth an alert, since something wrote where only the cluster should.
     */
    record Untrusted(String supervisor, String node, String what, String why) implements ListenerEvent {
    }

    /**
     * A planned move of child {@code id} from {@code from} (the child's node, which is
     * {@link #node()}) to {@code to} ended with {@code outcome}; one event per move, whatever its
     * outcome, on the node the child ran on.
     *
     * @param cause          why it was moved
     * @param outcome        moved, vetoed, dropped (no longer valid when its turn came) or failed
     * @param startedAtNanos when the move started, on the node's {@code Ticker} (the one
     *                       {@code SupervisorOptions.ticker} sets); for a move that did not start
     *                       (vetoed, dropped unrun), when that was decided. Only differences between
     *                       readings of one node mean something: the rate limit can be checked with them
     * @param took           from the start to the child's hand-over; zero for a move that did not start
     */
    record Move(String supervisor, String node, Object id, String from, String to, MoveCause cause,
                MoveOutcome outcome, long startedAtNanos, Duration took) implements ListenerEvent {
        public Move {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
            Objects.requireNonNull(cause, "cause");
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(took, "took");
        }
    }

    /** {@link #node()} took over {@code children} children of {@code lostNodes}; the last had run init after {@code took}. */
    record Failover(String supervisor, String node, List<String> lostNodes, int children, Duration took)
            implements ListenerEvent {
        public Failover {
            lostNodes = List.copyOf(lostNodes);
        }
    }
}
