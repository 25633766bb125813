package io.distributedsupervisor.internal;

import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.Incarnation;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.Scheduler;
import io.distributedsupervisor.SupervisorOptions;
import io.distributedsupervisor.Ticker;
import io.distributedsupervisor.spi.NodeSession;
import io.distributedsupervisor.spi.Owner;
import io.distributedsupervisor.spi.Timings;

/**
 * What the parts of one node share: its names and options, its clock, its state, and the
 * current session with its wire and ring. It holds references only; each part owns its own job
 * (see the package comment for which thread runs what).
 */
final class NodeContext {
    final SupervisorOptions options;
    final String name;
    final String node;
    final Ticker ticker;
    final Scheduler scheduler;
    final AsyncDeadlines deadlines;
    final Lifecycle lifecycle;
    final ListenerDispatcher events;
    /** The listeners' observer of call and start latency; {@link Timings#NONE} (checked by identity) when none observes. */
    final Timings timings;
    final ChildTable table = new ChildTable();
    final RingView ring;
    final MembershipWatch membership;
    final RefusalLog refusals;
    final LeaseGate leaseGate;
    final ChildHost host;
    final Handoffs handoffs;
    /** Children that left a node a moment ago: what this node sends them keeps its order ({@link Departures}). */
    final Departures departures;
    /** The public face of this node, for children ({@code ChildContext.supervisor()}) and listeners. */
    final DistributedSupervisor api;
    /** Every planned move of a local child passes through it: pause, rate and in-flight limits, the veto. */
    final MoveGate moves;

    private volatile NodeSession session;
    private volatile Wire wire;

    NodeContext(SupervisorOptions options, ListenerDispatcher events, DistributedSupervisor api) {
        this.options = options;
        this.name = options.name();
        this.node = options.nodeName();
        this.ticker = options.ticker();
        this.scheduler = options.scheduler();
        this.deadlines = new AsyncDeadlines(scheduler, ticker);
        this.lifecycle = new Lifecycle(name, node);
        this.events = events;
        this.timings = events.timings(new LocalReadings(this));
        this.ring = new RingView(name, options.nodes());
        this.membership = new MembershipWatch(this);
        this.refusals = new RefusalLog(node, ticker);
        this.leaseGate = new LeaseGate(() -> session().holdsLease());
        this.host = new ChildHost(this);
        this.handoffs = new Handoffs(this);
        this.departures = new Departures(this, handoffs.holdNanos());
        this.api = api;
        this.moves = new MoveGate(this);
    }

    NodeSession session() {
        return session;
    }

    Wire wire() {
        return wire;
    }

    /** The session this node works with from now on (the first one, or one joined after a loss). */
    void use(NodeSession session, Wire wire) {
        this.wire = wire;
        this.session = session;
    }

    /** Rebuilds the ring from the session's members; returns the members it was built from. */
    java.util.Set<String> refreshRing() {
        NodeSession s = session;
        return ring.refresh(() -> s.members().keySet(), membership::observe);
    }

    /** Whether a message for {@code key} could be taken here: a child in the table, or a planned move of it. */
    boolean mayTakeHere(String key) {
        return table.get(key) != null || handoffs.involves(key);
    }

    /**
     * Offers a message to the child of {@code key} on this node: the one in the table, else the
     * planned move it is part of (forwarded to where it went, or kept until it starts here).
     */
    LocalChild.Offer offerHere(String key, Letter letter) {
        LocalChild c = table.get(key);
        if (c != null) {
            LocalChild.Offer o = c.offer(letter);
            if (o != LocalChild.Offer.GONE) {
                return o;
            }
        }
        return handoffs.offer(key, letter);
    }

    Pid pidOf(Object id, Owner o) {
        return new Pid(o.node(), name, id, new Incarnation(o.epoch(), o.restarts()));
    }

    Deadline deadline(java.time.Duration timeout) {
        return Deadline.after(timeout, ticker);
    }
}
