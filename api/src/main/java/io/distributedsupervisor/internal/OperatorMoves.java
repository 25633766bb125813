package io.distributedsupervisor.internal;

import io.distributedsupervisor.CallTimeoutException;
import io.distributedsupervisor.MessageRefusedException;
import io.distributedsupervisor.NoSuchChildException;
import io.distributedsupervisor.Operation;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.UnknownNodeException;
import io.distributedsupervisor.protocol.Message;
import io.distributedsupervisor.protocol.Reply;
import io.distributedsupervisor.spi.CodecException;
import io.distributedsupervisor.spi.Delivery;
import io.distributedsupervisor.spi.NodeSession;
import io.distributedsupervisor.spi.Owner;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code move(id, node)}: an operator's move of one running child. The node it runs on hands it
 * over ({@link Handoffs}, with its state and its messages) and, in the same write that releases
 * its claim, names {@code node} as the spec's explicit node, so that every node places it there.
 * The caller waits until the registry shows it on {@code node}.
 */
final class OperatorMoves {
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private final NodeContext ctx;

    OperatorMoves(NodeContext ctx) {
        this.ctx = ctx;
    }

    Pid move(Object id, String node, Duration timeout) {
        ctx.lifecycle.requireOpen();
        String key = ChildKey.encode(id);
        if (!ctx.ring.current().contains(node)) {
            throw new UnknownNodeException(node, ctx.ring.current().nodes());
        }
        if (!ctx.options.cacheChildren()) {
            throw new IllegalStateException("move of child " + id + ": a child moves only with its spec stored "
                    + "(cacheChildren is off)");
        }
        Deadline deadline = ctx.deadline(timeout);
        String lastAttempt = null;
        boolean asked = false;
        while (!deadline.passed()) {
            NodeSession s = ctx.session();
            Optional<Owner> owner = s.owner(key);
            if (owner.isEmpty() && !s.hasSpec(key)) {
                owner = s.freshOwner(key);
                if (owner.isEmpty()) {
                    throw new NoSuchChildException(id);
                }
            }
            if (owner.isPresent() && owner.get().node().equals(node)) {
                return ctx.pidOf(id, owner.get());
            }
            if (owner.isPresent() && !asked) {
                Reply r = ask(owner.get().node(), key, node, deadline);
                if (r instanceof Reply.Ok) {
                    asked = true;
                } else if (r instanceof Reply.Refused f) {
                    throw new MessageRefusedException(Operation.MOVE, id, f.node(), f.refusedClass(), f.reason());
                } else {
                    lastAttempt = "node " + owner.get().node() + " answered " + r;
                }
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
        throw new CallTimeoutException(Operation.MOVE, id, timeout, lastAttempt != null ? lastAttempt
                : asked ? "handed over, not yet started on node " + node : null);
    }

    /** Asks {@code holder} (this node or another) to hand the child over; NOT_HERE when it could not. */
    private Reply ask(String holder, String key, String node, Deadline deadline) {
        if (holder.equals(ctx.node)) {
            return moveHere(key, node);
        }
        try {
            Delivery d = ctx.session().request(holder, ctx.wire().encode(new Message.Move(key, node)))
                    .get(Math.max(1, deadline.leftNanos()), TimeUnit.NANOSECONDS);
            return d instanceof Delivery.Replied r ? ctx.wire().decodeReply(r.reply()) : Reply.NOT_HERE;
        } catch (CodecException e) {
            return new Reply.Refused(ctx.node, e.refusedClass().orElse(null), e.getMessage());
        } catch (ExecutionException | TimeoutException e) {
            return Reply.NOT_HERE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Reply.NOT_HERE;
        }
    }

    /** The child of {@code key}, if it runs here, handed to {@code node} and placed there; blocks (virtual thread). */
    Reply moveHere(String key, String node) {
        LocalChild c = ctx.table.get(key);
        if (c == null || !c.isRunning()) {
            return Reply.NOT_HERE;
        }
        Pid pid = c.currentPid();
        LocalChild.Moved m = ctx.handoffs.handOver(c, node, true, ctx.deadline(ctx.options.callTimeout()));
        if (m == null) {
            return Reply.NOT_HERE;
        }
        ctx.events.processStop(c.id, pid, m.reason());
        return new Reply.Ok(io.distributedsupervisor.protocol.Payload.of(null));
    }
}
