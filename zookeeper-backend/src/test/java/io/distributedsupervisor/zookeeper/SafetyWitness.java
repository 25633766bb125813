package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.Incarnation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Records, outside the nodes, each start, stop and processed message of every child with its
 * incarnation, in one global order, and checks the safety property of docs/ARCHITECTURE.md: once a newer
 * incarnation of an id has started, no older incarnation processes any message.
 */
final class SafetyWitness {
    enum Kind { START, MESSAGE, STOP }

    record Event(long seq, Object id, Incarnation incarnation, String node, Kind kind) {
    }

    private static final AtomicLong SEQ = new AtomicLong();
    private static final ConcurrentLinkedQueue<Event> EVENTS = new ConcurrentLinkedQueue<>();

    private SafetyWitness() {
    }

    static void record(Object id, Incarnation incarnation, String node, Kind kind) {
        EVENTS.add(new Event(SEQ.incrementAndGet(), id, incarnation, node, kind));
    }

    static void clear() {
        EVENTS.clear();
    }

    static int count(Kind kind) {
        return (int) EVENTS.stream().filter(e -> e.kind() == kind).count();
    }

    /** Every message processed by an incarnation older than one that had already started. */
    static List<String> violations() {
        List<Event> ordered = new ArrayList<>(EVENTS);
        ordered.sort((a, b) -> Long.compare(a.seq(), b.seq()));
        Map<Object, Incarnation> newestStarted = new HashMap<>();
        Map<Object, Event> newestStart = new HashMap<>();
        List<String> violations = new ArrayList<>();
        for (Event e : ordered) {
            Incarnation newest = newestStarted.get(e.id());
            if (e.kind() == Kind.START) {
                if (newest == null || e.incarnation().isNewerThan(newest)) {
                    newestStarted.put(e.id(), e.incarnation());
                    newestStart.put(e.id(), e);
                }
            } else if (e.kind() == Kind.MESSAGE && newest != null && newest.isNewerThan(e.incarnation())) {
                Event started = newestStart.get(e.id());
                violations.add(e.id() + ": incarnation " + e.incarnation() + " on " + e.node()
                        + " processed a message (#" + e.seq() + ") after " + newest + " had started on "
                        + started.node() + " (#" + started.seq() + ")");
            }
        }
        return violations;
    }
}
