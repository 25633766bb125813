package io.distributedsupervisor.internal;

import io.distributedsupervisor.MailboxFullException;
import io.distributedsupervisor.MessageRefusedException;
import io.distributedsupervisor.NoSuchChildException;
import io.distributedsupervisor.Operation;
import io.distributedsupervisor.protocol.Message;
import io.distributedsupervisor.protocol.Payload;
import io.distributedsupervisor.protocol.Reply;
import io.distributedsupervisor.spi.CodecException;
import io.distributedsupervisor.spi.Delivery;
import io.distributedsupervisor.spi.NodeSession;
import io.distributedsupervisor.spi.Owner;
import io.distributedsupervisor.spi.Timings;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;

/**
 * Takes {@code call}, {@code cast} and {@code send} to the child: into its mailbox when it runs
 * here, else to the node the registry names, through the backend. A call is retried (until its
 * deadline) only while nothing was processed: the child is between incarnations or moving, or
 * its node could not be reached yet. Its request is encoded once, however many attempts it takes.
 */
final class Router {
    /** How often a cast looks again for a child between two nodes: a move or a failover takes milliseconds. */
    private static final long BETWEEN_NODES_POLL_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(1);

    private final NodeContext ctx;

    Router(NodeContext ctx) {
        this.ctx = ctx;
    }

    Object call(Object id, Object request, Duration timeout) {
        CallAttempts attempts = new CallAttempts(id, request, timeout);
        Timings timings = ctx.timings;
        if (timings == Timings.NONE) {
            return attempts.runBlocking();
        }
        boolean ok = false;
        try {
            Object answer = attempts.runBlocking();
            ok = true;
            return answer;
        } finally {
            timings.call(attempts.wentElsewhere(), ok, ctx.ticker.read() - attempts.madeAtNanos());
        }
    }

    CompletableFuture<Object> callAsync(Object id, Object request, Duration timeout) {
        CallAttempts attempts = new CallAttempts(id, request, timeout);
        CompletableFuture<Object> answer = attempts.runAsync();
        Timings timings = ctx.timings;
        if (timings != Timings.NONE) {
            answer.whenComplete((v, e) -> timings.call(attempts.wentElsewhere(), e == null,
                    ctx.ticker.read() - attempts.madeAtNanos()));
        }
        return answer;
    }

    /**
     * {@code cast} and {@code send}: false when no child has the id, or its node could not be
     * reached within the call timeout. A child between two nodes (a move, a failover under way:
     * its spec is stored, no node holds it yet), or whose node did not take the message, is
     * looked up again until then, as a call would be.
     */
    boolean deliver(Object id, Object message, int kind) {
        String key = ChildKey.encode(id);
        ctx.lifecycle.requireOpen();
        Deadline deadline = null;
        for (;;) {
            if (ctx.mayTakeHere(key)) {
                CompletableFuture<Void> barrier = ctx.departures.before(key, ctx.node);
                if (barrier != null) {
                    deadline = deadline != null ? deadline : ctx.deadline(ctx.options.callTimeout());
                    if (!passed(barrier, deadline)) {
                        return false;
                    }
                    continue; // look again: the child may have moved on meanwhile
                }
                switch (ctx.offerHere(key, Letter.local(kind, message, null))) {
                    case ACCEPTED -> {
                        return true;
                    }
                    case FULL -> throw new MailboxFullException(id, ctx.node, ctx.options.mailboxLimit());
                    case GONE -> {
                        // stopping: it may run elsewhere now; the registry says
                    }
                }
            }
            NodeSession session = ctx.session();
            Optional<Owner> owner = session.owner(key);
            boolean between = owner.isEmpty() ? session.hasSpec(key) : owner.get().node().equals(ctx.node);
            if (!between && owner.isEmpty()) {
                owner = session.freshOwner(key); // a child started through another node a moment ago?
                if (owner.isEmpty() || owner.get().node().equals(ctx.node)) {
                    return false;
                }
            }
            CompletableFuture<Void> barrier = between ? null : ctx.departures.before(key, owner.get().node());
            if (barrier != null) {
                deadline = deadline != null ? deadline : ctx.deadline(ctx.options.callTimeout());
                if (!passed(barrier, deadline)) {
                    return false;
                }
                continue;
            }
            // Not sent (its node left the ring, or cannot be reached yet): nothing was delivered, so
            // it is safe to look again, as a call does.
            if (between || !sendTo(owner.get().node(), id, key, message, kind, session)) {
                deadline = deadline != null ? deadline : ctx.deadline(ctx.options.callTimeout());
                if (deadline.passed() || !ctx.lifecycle.isRunning()) {
                    return false;
                }
                LockSupport.parkNanos(BETWEEN_NODES_POLL_NANOS);
                continue;
            }
            return true;
        }
    }

    /**
     * Waits for a barrier through the node a child just left ({@link Departures}), before a
     * message goes to it by another path; false when the deadline passed first (or the node
     * closes), and the message is not sent.
     */
    private boolean passed(CompletableFuture<Void> barrier, Deadline deadline) {
        try {
            barrier.get(Math.max(1, deadline.leftNanos()), java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return ctx.lifecycle.isRunning();
    }

    /** False when it was not sent (nothing delivered); true when sent, or possibly delivered. */
    private boolean sendTo(String node, Object id, String key, Object message, int kind, NodeSession session) {
        Operation op = kind == Letter.CAST ? Operation.CAST : Operation.SEND;
        Message m = kind == Letter.CAST ? new Message.Cast(key, Payload.of(message)) : new Message.Info(key, Payload.of(message));
        byte[] bytes;
        try {
            bytes = ctx.wire().encode(m);
        } catch (CodecException e) {
            throw Attempts.refusedToSend(ctx, op, id, node, e);
        }
        return switch (session.send(node, bytes)) {
            case Delivery.Refused r -> throw new MessageRefusedException(op, id, r.node(), null, r.reason());
            case Delivery.NotSent n -> false;
            default -> {
                ctx.departures.sent(key, node);
                yield true;
            }
        };
    }

    private final class CallAttempts extends Attempts<Object> {
        private final String key;
        private final Object request;
        private byte[] encoded;

        CallAttempts(Object id, Object request, Duration timeout) {
            super(Router.this.ctx, Operation.CALL, id, Router.this.ctx.deadline(timeout));
            this.key = ChildKey.encode(id);
            this.request = request;
            ctx.lifecycle.requireOpen();
            LocalChild self = LocalChild.CURRENT.get();
            if (self != null && self.host == ctx.host && self.key.equals(key)) {
                throw new IllegalStateException("child " + id + " called itself: it would wait for its own reply forever");
            }
        }

        @Override
        CompletableFuture<Object> attempt() {
            ctx.lifecycle.requireOpen();
            if (ctx.mayTakeHere(key)) { // a remote call allocates no letter
                CompletableFuture<Void> barrier = ctx.departures.before(key, ctx.node);
                if (barrier != null) {
                    return afterwards(barrier);
                }
                ReplyTo.Local answer = new ReplyTo.Local();
                switch (ctx.offerHere(key, Letter.local(Letter.CALL, request, answer))) {
                    case ACCEPTED -> {
                        target = ctx.node;
                        return answer;
                    }
                    case FULL -> {
                        return now(Outcome.failed(new MailboxFullException(id, ctx.node, ctx.options.mailboxLimit())));
                    }
                    case GONE -> {
                        // stopping: it may run elsewhere now; the registry says
                    }
                }
            }
            NodeSession session = ctx.session();
            Optional<Owner> owner = session.owner(key);
            if (owner.isEmpty()) {
                if (session.hasSpec(key)) {
                    return now(Outcome.retry("the child is between two incarnations"));
                }
                // The cache may not show a child started through another node a moment ago: ask storage.
                owner = session.freshOwner(key);
                if (owner.isEmpty()) {
                    return now(Outcome.failed(new NoSuchChildException(id)));
                }
            }
            String node = owner.get().node();
            if (node.equals(ctx.node)) {
                return now(Outcome.retry("the child is restarting on this node"));
            }
            CompletableFuture<Void> barrier = ctx.departures.before(key, node);
            if (barrier != null) {
                return afterwards(barrier);
            }
            if (encoded == null) {
                try {
                    encoded = ctx.wire().encode(new Message.Call(key, Payload.of(request)));
                } catch (CodecException e) {
                    return now(Outcome.failed(refusedToSend(ctx, Operation.CALL, id, node, e)));
                }
            }
            target = node;
            CompletableFuture<Object> sent = raw(session.request(node, encoded));
            ctx.departures.sent(key, node);
            return sent;
        }

        /** This attempt, made again once {@code barrier} passed (on a thread of its own: it may read storage). */
        private CompletableFuture<Object> afterwards(CompletableFuture<Void> barrier) {
            return barrier.thenComposeAsync(v -> attempt(), Attempts.VIRTUAL);
        }

        @Override
        Outcome<Object> onAnswer(Reply reply) {
            if (reply instanceof Reply.Ok ok) {
                try {
                    return Outcome.done(ctx.wire().value(ok.value()));
                } catch (CodecException e) {
                    return Outcome.failed(refusedHere(e, "the reply from node " + target));
                }
            }
            return Outcome.failed(new IllegalStateException("call of child " + id + ": unexpected answer " + reply));
        }
    }

}
