package io.distributedsupervisor.it;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The witness outside the nodes: collects the {@code W} lines of every node JVM (each start,
 * processed message and stop of a {@link WitnessedWorker}, with its incarnation, node and a
 * {@link System#nanoTime()} stamp taken in the node) and checks the safety property of
 * docs/ARCHITECTURE.md: once a newer incarnation of an id has started, no older incarnation processes any
 * message. Events are ordered by their stamps, which all node JVMs of one host share.
 *
 * <p>Thread-safe.
 */
public final class Witness {
    /** What a child reported. */
    public enum Kind { START, MESSAGE, STOP }

    /**
     * One event.
     *
     * @param nanos       {@link System#nanoTime()} in the node when it happened
     * @param kind        start, processed message or stop
     * @param id          the child id
     * @param epoch       the incarnation's claim token
     * @param restarts    the incarnation's local restart count
     * @param node        where it ran
     */
    public record Event(long nanos, Kind kind, String id, long epoch, int restarts, String node) {
        /** True when this event's incarnation started after {@code other}'s. */
        boolean newerThan(Event other) {
            return epoch != other.epoch ? epoch > other.epoch : restarts > other.restarts;
        }

        String incarnation() {
            return epoch + "." + restarts;
        }
    }

    private final List<Event> events = new ArrayList<>();

    /** Parses a {@code W <nanos> <kind> <id> <epoch.restarts> <node>} line. */
    public void accept(String line) {
        String[] w = line.split(" ");
        if (w.length != 6 || !w[0].equals("W")) {
            throw new IllegalArgumentException("not a witness line: " + line);
        }
        int dot = w[4].indexOf('.');
        Event e = new Event(Long.parseLong(w[1]), Kind.valueOf(w[2]), w[3], Long.parseLong(w[4].substring(0, dot)),
                Integer.parseInt(w[4].substring(dot + 1)), w[5]);
        synchronized (events) {
            events.add(e);
        }
    }

    /** A copy of every event so far, in the order of their stamps. */
    public List<Event> events() {
        List<Event> copy;
        synchronized (events) {
            copy = new ArrayList<>(events);
        }
        copy.sort(Comparator.comparingLong(Event::nanos));
        return copy;
    }

    /** How many events of this kind were seen. */
    public long count(Kind kind) {
        synchronized (events) {
            return events.stream().filter(e -> e.kind() == kind).count();
        }
    }

    /**
     * Every message processed by an incarnation older than one that had already started, as
     * readable lines; empty when the safety property held.
     */
    public List<String> violations() {
        Map<String, Event> newestStarted = new HashMap<>();
        List<String> violations = new ArrayList<>();
        for (Event e : events()) {
            Event newest = newestStarted.get(e.id());
            if (e.kind() == Kind.START) {
                if (newest == null || e.newerThan(newest)) {
                    newestStarted.put(e.id(), e);
                }
            } else if (e.kind() == Kind.MESSAGE && newest != null && newest.newerThan(e)) {
                violations.add(e.id() + ": incarnation " + e.incarnation() + " on " + e.node()
                        + " processed a message " + (e.nanos() - newest.nanos()) / 1_000_000 + " ms after "
                        + newest.incarnation() + " had started on " + newest.node());
            }
        }
        return violations;
    }

    /** The first start of any child at or after {@code sinceNanos} on a node other than {@code notOn}, if any. */
    public Event firstStartSince(long sinceNanos, String notOn) {
        for (Event e : events()) {
            if (e.kind() == Kind.START && e.nanos() >= sinceNanos && !e.node().equals(notOn)) {
                return e;
            }
        }
        return null;
    }
}
