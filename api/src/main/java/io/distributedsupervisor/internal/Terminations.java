package io.distributedsupervisor.internal;

import io.distributedsupervisor.ExitReason;
import io.distributedsupervisor.Incarnation;
import io.distributedsupervisor.Operation;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.protocol.Message;
import io.distributedsupervisor.protocol.Reply;
import io.distributedsupervisor.spi.CodecException;
import io.distributedsupervisor.spi.NodeSession;
import io.distributedsupervisor.spi.Owner;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * {@code terminateChild}: stops the child where it runs and removes its spec, so that it is not
 * started again. Between two incarnations (a move, a failover) removing the spec is what stops
 * it; an incarnation claimed just before the spec went is stopped too.
 */
final class Terminations {
    private final NodeContext ctx;

    Terminations(NodeContext ctx) {
        this.ctx = ctx;
    }

    /** @param incarnation only that incarnation, or null for whichever runs */
    boolean terminate(Object id, Incarnation incarnation) {
        String key = ChildKey.encode(id);
        ctx.lifecycle.requireOpen();
        LocalChild self = LocalChild.CURRENT.get();
        if (self != null && self.host == ctx.host && self.key.equals(key)) {
            throw new IllegalStateException("child " + id + " tried to terminate itself through the supervisor, "
                    + "which would wait for its own stop: use ChildContext.stop() instead");
        }
        return new TerminateAttempts(id, key, incarnation).runBlocking();
    }

    /** Stops the child of {@code key} if it runs here (that incarnation only, when given). Blocks up to its shutdown timeout. */
    Reply terminateHere(String key, Incarnation incarnation) {
        LocalChild c = ctx.table.get(key);
        if (c == null) {
            // Not here (any more, or not yet): it is moving or restarting elsewhere; the caller looks again.
            return Reply.NOT_HERE;
        }
        Pid pid = c.currentPid();
        if (incarnation != null && !pid.incarnation().equals(incarnation)) {
            return new Reply.Terminated(false);
        }
        // ExitReason.Kind.NORMAL is documented as "... or was terminated by id or pid".
        ExitReason r = c.isDone() ? null : c.stopAndWaitIfFirst(ExitReason.normal());
        if (r == null) {
            // Another stop won (a move, a hand-off, another terminate): look again, and find the
            // child where it went, or nothing.
            return Reply.NOT_HERE;
        }
        ctx.host.gone(c, true);
        ctx.events.processStop(c.id, pid, r);
        return new Reply.Terminated(true);
    }

    private final class TerminateAttempts extends Attempts<Boolean> {
        private final String key;
        private final Incarnation incarnation;
        private boolean removedSpec;
        private Owner asked;

        TerminateAttempts(Object id, String key, Incarnation incarnation) {
            super(Terminations.this.ctx, Operation.TERMINATE_CHILD, id, Terminations.this.ctx.deadline(Terminations.this.ctx.options.callTimeout()));
            this.key = key;
            this.incarnation = incarnation;
        }

        @Override
        boolean idempotent() {
            return true; // a second stop of the same incarnation finds nothing to stop: harmless
        }

        @Override
        CompletableFuture<Object> attempt() {
            NodeSession session = ctx.session();
            Optional<Owner> owner = session.owner(key);
            if (owner.isEmpty()) {
                // The cache may lag: a child started through another node a moment ago, whose spec
                // it may show already, must not be taken for one between two incarnations.
                owner = session.freshOwner(key);
            }
            if (owner.isEmpty()) {
                if (incarnation != null) {
                    return now(Outcome.done(false));
                }
                if (session.hasSpec(key) && session.removeSpec(key)) {
                    removedSpec = true;
                }
                // Storage, not the cache: a claim made just before the spec went may not be in the
                // cache yet, and that incarnation would live on after this returned true.
                if (session.freshOwner(key).isEmpty()) {
                    return now(Outcome.done(removedSpec));
                }
                return now(Outcome.retry("an incarnation was claimed while its spec was removed"));
            }
            Owner o = owner.get();
            if (incarnation != null && !new Incarnation(o.epoch(), o.restarts()).equals(incarnation)) {
                return now(Outcome.done(false));
            }
            asked = o;
            target = o.node();
            if (o.node().equals(ctx.node)) {
                return CompletableFuture.completedFuture(terminateHere(key, incarnation));
            }
            try {
                return raw(session.request(o.node(), ctx.wire().encode(new Message.Terminate(key, incarnation))));
            } catch (CodecException e) {
                return now(Outcome.failed(refusedToSend(ctx, operation, id, o.node(), e)));
            }
        }

        @Override
        Outcome<Boolean> onAnswer(Reply reply) {
            if (reply instanceof Reply.Terminated t) {
                if (t.stopped()) {
                    Owner o = asked;
                    ViewWait.until(ctx, key, now -> now == null || now.epoch() != o.epoch(), deadline).join();
                }
                return Outcome.done(t.stopped() || removedSpec);
            }
            return Outcome.failed(new IllegalStateException("terminate of child " + id + ": unexpected answer " + reply));
        }
    }
}
