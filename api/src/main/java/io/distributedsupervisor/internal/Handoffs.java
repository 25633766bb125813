package io.distributedsupervisor.internal;

import io.distributedsupervisor.protocol.Message;
import io.distributedsupervisor.protocol.Payload;
import io.distributedsupervisor.protocol.Reply;
import io.distributedsupervisor.spi.CodecException;
import io.distributedsupervisor.spi.Delivery;
import io.distributedsupervisor.spi.NodeSession;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Planned moves of a child, at both ends, so that callers see no failure and no message is lost.
 *
 * <p>The node a child leaves ({@link #handOver}) stops it for the move (after its last message;
 * its {@code handoff} state taken, what is still queued kept), sends the state ahead
 * ({@link Message.Handoff}, acknowledged), sends on what was still queued and what came during
 * the stop, then releases its claim, so the node the ring names claims and starts it. From then
 * on and for a while, whatever reaches the old node for that key is forwarded to the new one, in
 * the order it arrived, after what was still queued: over one connection, so per sender the
 * order holds for everything sent through the old node; a barrier ({@link Letter#BARRIER}) is
 * forwarded likewise, so a sender that goes on by another path waits for it first
 * ({@link Departures}).
 *
 * <p>The node it goes to keeps the state and every message that arrives for the key before its
 * start ({@link #keep}), and gives both to the first incarnation it starts under its claim
 * ({@link #attach}): the state to {@code init}, the messages queued ahead of any later one. What
 * waits longer than {@link #holdNanos} (another node claimed the child after all) is given up:
 * calls are told "not here" and look again, casts are dropped and logged.
 */
final class Handoffs {
    private static final Logger LOG = LoggerFactory.getLogger(Handoffs.class);

    private final NodeContext ctx;
    /** Keys that left this node: where their messages go now. */
    private static final long QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final ConcurrentHashMap<String, Forward> forwards = new ConcurrentHashMap<>();
    /** Keys handed to this node and not started yet. */
    private final ConcurrentHashMap<String, Waiting> waiting = new ConcurrentHashMap<>();
    private final long holdNanos;
    /** When this node last handed a child over or forwarded a message; 0: never. */
    private volatile long lastForward;

    Handoffs(NodeContext ctx) {
        this.ctx = ctx;
        this.holdNanos = Math.max(TimeUnit.SECONDS.toNanos(10), 2 * ctx.options.callTimeout().toNanos());
    }

    /** How long a forward lasts on the node a child left, and what waits for a child on its way here. */
    long holdNanos() {
        return holdNanos;
    }

    /**
     * Where a message for {@code key} goes when no child of this node takes it: forwarded if the
     * child left for another node, kept if it is on its way here; GONE if neither.
     */
    LocalChild.Offer offer(String key, Letter letter) {
        Forward f = forwards.get(key);
        if (f != null) {
            return f.offer(letter);
        }
        Waiting w = waiting.get(key);
        return w == null ? LocalChild.Offer.GONE : w.offer(letter);
    }

    /** Whether {@code key} left this node a moment ago or is on its way here. */
    boolean involves(String key) {
        return forwards.containsKey(key) || waiting.containsKey(key);
    }

    // ---- the node a child leaves ----

    /**
     * Hands {@code c} over to {@code target}; blocks (call it on a virtual thread) at most until
     * {@code deadline} for the acknowledgement of the state. Returns what the move took from the
     * child, or null when another stop got there first (that stop finishes it). The claim is
     * released here; the caller reports the stop.
     */
    LocalChild.Moved handOver(LocalChild c, String target, Deadline deadline) {
        return handOver(c, target, false, deadline);
    }

    /** As {@link #handOver(LocalChild, String, Deadline)}; {@code pin}: the spec names {@code target} from now on. */
    LocalChild.Moved handOver(LocalChild c, String target, boolean pin, Deadline deadline) {
        Forward forward = expect(c.key, target);
        if (!forward.take()) {
            return null; // another move of this child is under way
        }
        LocalChild.Moved moved = c.stopForMove();
        if (moved == null) {
            forwards.remove(c.key, forward);
            forward.giveUp();
            return null;
        }
        lastForward = ctx.ticker.read();
        sendState(c, target, moved.state(), deadline);
        // What waited here goes on before the claim is released: no other node can route to the
        // new one (and overtake it) before the claim there, which follows the release.
        forward.open(moved.queued());
        if (pin) {
            ctx.host.goneTo(c, target);
        } else {
            ctx.host.gone(c, false);
        }
        ctx.scheduler.schedule(() -> {
            if (forwards.remove(c.key, forward)) {
                forward.close();
            }
        }, holdNanos, TimeUnit.NANOSECONDS);
        return moved;
    }

    /**
     * Before the session of a node that handed children over closes (and once its view shows their
     * new owners): waits until nothing was forwarded for {@link #QUIET_NANOS}, for what senders
     * sent before they learnt of the new owners, at most until {@code deadline}; at once when
     * nothing was handed over.
     */
    void awaitForwarded(Deadline deadline) {
        if (lastForward == 0) {
            return;
        }
        while (!deadline.passed() && ctx.ticker.read() - lastForward < QUIET_NANOS) {
            java.util.concurrent.locks.LockSupport.parkNanos(QUIET_NANOS / 4);
        }
    }

    /**
     * From now on, messages for {@code key} that no child of this node takes (it is stopping for
     * its move) wait for its move to {@code target}; a drain announces all its moves at its start.
     * Returns the forward the move then uses.
     */
    Forward expect(String key, String target) {
        return forwards.compute(key, (k, f) -> {
            if (f != null && !f.isClosed() && (f.inProgress() || !f.isOpen() && f.target.equals(target))) {
                return f; // announced for this move, or another move of it under way (which keeps it)
            }
            if (f != null) {
                f.close();
            }
            return new Forward(k, target);
        });
    }

    /** The move of {@code key} will not happen (a drain ran out of time): what waited for it looks again. */
    void cancel(String key) {
        Forward f = forwards.remove(key);
        if (f != null) {
            f.giveUp();
        }
    }

    private void sendState(LocalChild c, String target, Object state, Deadline deadline) {
        byte[] bytes;
        try {
            bytes = ctx.wire().encode(new Message.Handoff(c.key, Payload.of(state), spec(c)));
        } catch (CodecException e) {
            LOG.warn("node {}: the handoff state of child {} cannot be encoded ({}); it starts fresh on node {}",
                    ctx.node, c.id, e.getMessage(), target);
            try {
                bytes = ctx.wire().encode(new Message.Handoff(c.key, Payload.of(null), spec(c)));
            } catch (CodecException impossible) {
                return;
            }
        }
        Delivery d;
        try {
            d = ctx.session().request(target, bytes).get(Math.max(1, deadline.leftNanos()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (ExecutionException | TimeoutException e) {
            d = new Delivery.NotSent(e.toString());
        }
        if (!(d instanceof Delivery.Replied)) {
            LOG.warn("node {}: node {} did not take the handoff of child {} ({}); it starts there fresh, messages may be lost",
                    ctx.node, target, c.id, d);
        }
    }

    private static Payload spec(LocalChild c) {
        return Payload.of(io.distributedsupervisor.protocol.WireFormat.specForm(c.spec));
    }

    /** What reaches the old node for a key that left: held until its state was handed over, then sent on in order. */
    final class Forward {
        private final String key;
        private final String target;
        private List<Letter> early = new ArrayList<>();
        private boolean open;
        private boolean closed;
        private boolean taken;

        Forward(String key, String target) {
            this.key = key;
            this.target = target;
        }

        synchronized LocalChild.Offer offer(Letter letter) {
            if (closed) {
                return LocalChild.Offer.GONE;
            }
            if (!open) {
                if (early.size() >= ctx.options.mailboxLimit() && letter.kind() != Letter.BARRIER) {
                    return LocalChild.Offer.FULL;
                }
                early.add(letter);
            } else {
                send(letter);
            }
            return LocalChild.Offer.ACCEPTED;
        }

        /** For the one move that uses this forward; false when another took it. */
        synchronized boolean take() {
            if (taken) {
                return false;
            }
            taken = true;
            return true;
        }

        /** What the child left queued goes first, then what came during its stop; then everything at once. */
        synchronized void open(List<Letter> queued) {
            queued.forEach(this::send);
            if (early != null) { // null: given up meanwhile (its drain ran out of time), calls told to look again
                early.forEach(this::send);
                early = null;
            }
            open = true;
        }

        /** The move did not happen: calls look again, the rest is dropped (the child was stopping anyway). */
        synchronized void giveUp() {
            closed = true;
            if (early != null) {
                early.forEach(Handoffs::lookAgain);
                early = null;
            }
        }

        synchronized void close() {
            closed = true;
        }

        synchronized boolean isClosed() {
            return closed;
        }

        synchronized boolean isOpen() {
            return open;
        }

        /** Taken by a move that has not released the claim yet. */
        synchronized boolean inProgress() {
            return taken && !open;
        }

        private void send(Letter l) {
            if (l.kind() != Letter.BARRIER) {
                // A barrier comes from a sender that knows of the move already: the end of a drain
                // need not wait for it (once this node closed, it passes at once, with nothing held here).
                lastForward = ctx.ticker.read();
            }
            Payload p = l.kind() == Letter.BARRIER ? null : l.fromWire() ? (Payload) l.payload() : Payload.of(l.payload());
            Message m = switch (l.kind()) {
                case Letter.CALL -> new Message.Call(key, p);
                case Letter.CAST -> new Message.Cast(key, p);
                case Letter.BARRIER -> new Message.Barrier(key);
                default -> new Message.Info(key, p);
            };
            NodeSession s = ctx.session();
            byte[] bytes;
            try {
                bytes = ctx.wire().encode(m);
            } catch (CodecException e) {
                if (l.reply() != null) {
                    l.reply().answer(new Reply.Refused(ctx.node, e.refusedClass().orElse(null), e.getMessage()));
                }
                return;
            }
            if (l.reply() == null) {
                s.send(target, bytes);
                return;
            }
            s.request(target, bytes).whenComplete((d, e) -> {
                Reply r = Reply.NOT_HERE;
                if (d instanceof Delivery.Replied replied) {
                    try {
                        r = ctx.wire().decodeReply(replied.reply());
                    } catch (CodecException bad) {
                        r = new Reply.Refused(ctx.node, bad.refusedClass().orElse(null), bad.getMessage());
                    }
                }
                l.reply().answer(r);
            });
        }
    }

    // ---- the node a child goes to ----

    /** A handoff arrived: keep its state and the messages that follow it until the child starts here. */
    void keep(Message.Handoff h, String fromNode) {
        // This node's own senders may have messages for the key on their way through fromNode.
        ctx.departures.left(h.key(), fromNode);
        Waiting w = new Waiting(h.key(), h.state(), h.spec());
        Waiting before = waiting.put(h.key(), w);
        if (before != null) {
            before.expire();
        }
        ctx.scheduler.schedule(() -> {
            if (waiting.remove(h.key(), w)) {
                w.expire();
            }
        }, holdNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * The spec of a child handed to this node and not started yet, as its old node sent it (the
     * stored one): no read of it is needed to start it. Null if none, or unreadable.
     */
    io.distributedsupervisor.ChildSpec handedSpec(String key) {
        Waiting w = waiting.get(key);
        if (w == null) {
            return null;
        }
        try {
            return ctx.wire().decodeSpec(w.spec);
        } catch (CodecException e) {
            return null; // read from the store, as any other
        }
    }

    /**
     * Before {@code c}, the first child of a claim just taken here, is added to the table: gives
     * it what was handed over for its key, if anything. Call {@link #attached} once it is in the
     * table.
     */
    void attach(LocalChild c) {
        Waiting w = waiting.get(c.key);
        if (w != null) {
            w.attach(c);
        }
    }

    /** {@code c} is in the table: messages find it there from now on. */
    void attached(LocalChild c) {
        Waiting w = waiting.get(c.key);
        if (w != null && w.child == c) {
            waiting.remove(c.key, w);
        }
    }

    private final class Waiting {
        private final String key;
        private final Payload state;
        private final Payload spec;
        private List<Letter> letters = new ArrayList<>();
        private volatile LocalChild child;
        private boolean expired;

        Waiting(String key, Payload state, Payload spec) {
            this.key = key;
            this.state = state;
            this.spec = spec;
        }

        synchronized LocalChild.Offer offer(Letter letter) {
            if (child != null) {
                return child.offer(letter);
            }
            if (expired) {
                return LocalChild.Offer.GONE;
            }
            if (letter.kind() == Letter.BARRIER) {
                // What came before it on its path waits here already, ahead of anything later.
                letter.reply().answer(LocalChild.BARRIER_PASSED);
                return LocalChild.Offer.ACCEPTED;
            }
            if (letters.size() >= ctx.options.mailboxLimit()) {
                return LocalChild.Offer.FULL;
            }
            letters.add(letter);
            return LocalChild.Offer.ACCEPTED;
        }

        synchronized void attach(LocalChild c) {
            if (child != null || expired) {
                return;
            }
            c.handedOver(state, letters);
            letters = null;
            child = c;
        }

        synchronized void expire() {
            if (child != null || expired) {
                return;
            }
            expired = true;
            if (!letters.isEmpty()) {
                LOG.warn("node {}: child {} was handed here but not started here in time; {} messages that waited for it "
                        + "are given up (calls look again)", ctx.node, key, letters.size());
            }
            letters.forEach(Handoffs::lookAgain);
            letters = null;
        }
    }

    /** A call is told "not here" (its caller looks again); a cast or send is dropped. */
    private static void lookAgain(Letter l) {
        if (l.reply() != null) {
            l.reply().answer(Reply.NOT_HERE);
        }
    }
}
