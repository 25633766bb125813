package io.distributedsupervisor.internal;

import io.distributedsupervisor.protocol.Message;
import io.distributedsupervisor.spi.CodecException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Keeps the order of what this node sends a child across the child's planned move, on the
 * sending side. Messages this node sent the child's old node may still be on their way there, or
 * held there (during the stop) and forwarded later; a message sent straight to the new node, or
 * offered here when the child comes to this node, would overtake them. So, for a while after a
 * child left a node ({@link #left}: its owner entry there went away, or it was handed to this
 * node from there), the first message this node sends it by another path waits for a
 * {@link Message.Barrier} sent through the old node: it travels behind what went there before,
 * is forwarded with it, and is answered where the child takes its messages from.
 *
 * <p>One barrier serves every sender of this node, except one whose message went to the old node
 * after it (a route read a moment before the child left): that message needs a barrier of its own
 * ({@link #sent}), so the next one goes out before anything else is sent elsewhere. No barrier
 * goes through a node lost without a goodbye: what it held is lost, as after any crash. A barrier
 * the old node does not answer within the call timeout (it froze during a drain) counts as
 * passed: what it held is lost or late. Entries live as long as a forward does on the old
 * node ({@code Handoffs}); later, nothing goes through it any more.
 */
final class Departures {
    private final NodeContext ctx;
    private final long holdNanos;
    private final ConcurrentHashMap<String, Departure> byKey = new ConcurrentHashMap<>();
    private final AtomicBoolean sweepArmed = new AtomicBoolean();

    Departures(NodeContext ctx, long holdNanos) {
        this.ctx = ctx;
        this.holdNanos = holdNanos;
    }

    /** The child of {@code key} left node {@code from}: messages this node sent there may still be on their way. */
    void left(String key, String from) {
        if (from.equals(ctx.node)) {
            return; // this node forwards what reaches it itself, in order (Handoffs)
        }
        if (!forwards(from)) {
            return; // lost with its session: a failover of many children keeps no entry for each
        }
        byKey.put(key, new Departure(from, ctx.ticker.read() + holdNanos));
        if (sweepArmed.compareAndSet(false, true)) {
            ctx.scheduler.schedule(this::sweep, holdNanos, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Before a message for {@code key} goes to {@code node} (this node's own name: offered here):
     * the barrier it must wait for, or null when none is due. The wait ends by itself at the latest
     * after the call timeout.
     */
    CompletableFuture<Void> before(String key, String node) {
        Departure d = byKey.get(key);
        if (d == null || d.from.equals(node)) {
            return null;
        }
        if (ctx.ticker.read() - d.until > 0 || !forwards(d.from)) {
            byKey.remove(key, d);
            return null;
        }
        CompletableFuture<Void> b = d.barrier(key);
        return b.isDone() ? null : b;
    }

    /**
     * Whether {@code node} may still forward what it holds: it is a live member (the child moved
     * in a rebalancing) or said goodbye (a drain or a close). A node lost without a goodbye (it
     * crashed, or froze until its session ended) forwards nothing: a barrier through it would only
     * hold the first message to each of its children for the call timeout (a frozen node keeps
     * its connections open). When a route names the child's new owner, the old node's loss is
     * already in the view: its session ended before anyone could claim the child.
     */
    private boolean forwards(String node) {
        return ctx.session().members().containsKey(node) || ctx.membership.saidGoodbye(node);
    }

    /** After a message for {@code key} went to {@code node}: if that is where the child left, the next message elsewhere waits for a new barrier. */
    void sent(String key, String node) {
        Departure d = byKey.get(key);
        if (d != null && d.from.equals(node)) {
            d.again();
        }
    }

    private void sweep() {
        long now = ctx.ticker.read();
        byKey.values().removeIf(d -> now - d.until > 0);
        sweepArmed.set(false);
        if (!byKey.isEmpty() && sweepArmed.compareAndSet(false, true)) {
            ctx.scheduler.schedule(this::sweep, holdNanos, TimeUnit.NANOSECONDS);
        }
    }

    private CompletableFuture<Void> sendBarrier(String key, String through) {
        CompletableFuture<Void> passed = new CompletableFuture<>();
        byte[] bytes;
        try {
            bytes = ctx.wire().encode(new Message.Barrier(key));
        } catch (CodecException impossible) { // no payload
            passed.complete(null);
            return passed;
        }
        // Any outcome will do: answered, not sent (gone), refused (an older peer); only its end counts.
        ctx.session().request(through, bytes).whenComplete((d, e) -> passed.complete(null));
        ctx.scheduler.schedule(() -> passed.complete(null), ctx.options.callTimeout().toNanos(), TimeUnit.NANOSECONDS);
        return passed;
    }

    private final class Departure {
        final String from;
        final long until;
        /** The barrier the next message elsewhere waits for; null: none sent since the last message to {@link #from}. */
        private CompletableFuture<Void> barrier;

        Departure(String from, long until) {
            this.from = from;
            this.until = until;
        }

        CompletableFuture<Void> barrier(String key) {
            CompletableFuture<Void> b;
            synchronized (this) {
                b = barrier;
                if (b != null) {
                    return b;
                }
                b = new CompletableFuture<>();
                barrier = b;
            }
            // Sent outside the lock (an in-JVM backend delivers on this thread); a message to the
            // old node written before it is ahead of it, one written after calls again().
            CompletableFuture<Void> mine = b;
            sendBarrier(key, from).whenComplete((v, e) -> mine.complete(null));
            return b;
        }

        synchronized void again() {
            barrier = null;
        }
    }
}
