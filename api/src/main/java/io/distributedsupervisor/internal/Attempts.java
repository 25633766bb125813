package io.distributedsupervisor.internal;

import io.distributedsupervisor.CallTimeoutException;
import io.distributedsupervisor.ChildCrashedException;
import io.distributedsupervisor.DistributedSupervisorException;
import io.distributedsupervisor.MailboxFullException;
import io.distributedsupervisor.MessageRefusedException;
import io.distributedsupervisor.Operation;
import io.distributedsupervisor.OutcomeUnknownException;
import io.distributedsupervisor.RemoteChildException;
import io.distributedsupervisor.Scheduler;
import io.distributedsupervisor.protocol.Reply;
import io.distributedsupervisor.spi.CodecException;
import io.distributedsupervisor.spi.Delivery;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * The attempts of one operation on a child until one is final or the deadline passes: the retry
 * loop of {@code call}, {@code startChild} and {@code terminateChild}, written once. A subclass
 * makes one attempt, whose raw result is a {@link Delivery} from the transport, a {@link Reply}
 * from this node, or an {@link Outcome} decided at once, and says what the answers particular to
 * its operation mean ({@link #onAnswer}). What every operation shares is decided here: only what
 * processed nothing is retried (a message not sent, a child not there); a refusal fails at once,
 * naming the node and the class; a request that may have arrived before its connection was lost
 * is never retried.
 *
 * <p>Two drivers: {@link #runBlocking()} waits on the caller's thread (and decodes the answer
 * there); {@link #runAsync()} parks no thread: the transport or the child completes each
 * attempt, the scheduler fires retries and the deadline (the latter through the node's
 * {@link AsyncDeadlines}, few timers for many operations), and answers larger than
 * {@value #INLINE_DECODE_BYTES} bytes are decoded on a virtual thread rather than on the
 * transport thread that delivered them.
 */
abstract class Attempts<T> {
    /** Answers up to this size are decoded on the thread that delivers them: bounded, microseconds. */
    static final int INLINE_DECODE_BYTES = 4096;
    static final Executor VIRTUAL = Thread::startVirtualThread;

    final NodeContext ctx;
    final Operation operation;
    final Object id;
    final Deadline deadline;
    private final Scheduler scheduler;
    private volatile String lastWhy;
    /** The node the current attempt went to. */
    volatile String target;

    Attempts(NodeContext ctx, Operation operation, Object id, Deadline deadline) {
        this.ctx = ctx;
        this.operation = operation;
        this.id = id;
        this.deadline = deadline;
        this.scheduler = ctx.scheduler;
    }

    /** Starts one attempt (setting {@link #target} when it goes to a node); its future completes with a Delivery, a Reply or an Outcome. */
    abstract CompletableFuture<Object> attempt();

    /** Whether the last attempt went to another node: for {@link io.distributedsupervisor.spi.Timings}. */
    final boolean wentElsewhere() {
        String t = target;
        return t != null && !t.equals(ctx.node);
    }

    /** When the operation was made, on the ticker: its deadline's reading, so that timing it reads the clock once more, at its end. */
    final long madeAtNanos() {
        return deadline.atNanos() - deadline.timeout().toNanos();
    }

    /** What an answer particular to this operation means: the others are decided by {@link #interpret}. */
    abstract Outcome<T> onAnswer(Reply reply);

    /** What an attempt's raw result means. */
    @SuppressWarnings("unchecked")
    final Outcome<T> interpret(Object raw) {
        return switch (raw) {
            case Outcome<?> o -> (Outcome<T>) o;
            case Reply r -> answer(r, ctx.node);
            case Delivery.Replied d -> {
                Reply r;
                try {
                    r = ctx.wire().decodeReply(d.reply());
                } catch (CodecException e) {
                    yield Outcome.failed(refusedHere(e, "the answer from node " + target));
                }
                yield answer(r, target);
            }
            case Delivery.NotSent n -> Outcome.retry(n.reason());
            case Delivery.MaybeDelivered m -> idempotent() ? Outcome.retry(m.reason())
                    : Outcome.failed(new OutcomeUnknownException(operation, id, target, m.reason()));
            case Delivery.Refused f -> Outcome.failed(new MessageRefusedException(operation, id, f.node(), null, f.reason()));
            default -> Outcome.failed(new IllegalStateException(operation + " of child " + id + ": unexpected " + raw));
        };
    }

    private Outcome<T> answer(Reply reply, String from) {
        return switch (reply) {
            case Reply.NotHere n -> Outcome.retry("the child was not on node " + from + " (moving, restarting or closing)");
            case Reply.Refused f -> Outcome.failed(new MessageRefusedException(operation, id, f.node(), f.refusedClass(),
                    f.reason()));
            case Reply.Crashed c -> Outcome.failed(new ChildCrashedException(id, cause(c)));
            case Reply.MailboxFull f -> Outcome.failed(new MailboxFullException(id, f.node(), f.limit()));
            default -> onAnswer(reply);
        };
    }

    /** The exception a crash carried; a stand-in when this node's codec will not decode it. */
    Throwable cause(Reply.Crashed crashed) {
        if (crashed.cause() != null) {
            try {
                if (ctx.wire().value(crashed.cause()) instanceof Throwable t) {
                    return t;
                }
            } catch (CodecException e) {
                // The class and message below say what it was.
            }
        }
        return RemoteChildException.of(crashed.className(), crashed.message(), null, null);
    }

    /** A payload this node's codec refused: {@code what} names where it came from. */
    MessageRefusedException refusedHere(CodecException e, String what) {
        return new MessageRefusedException(operation, id, ctx.node, e.refusedClass().orElse(null),
                what + " may not be decoded here: " + e.getMessage(), e);
    }

    final T runBlocking() {
        for (int n = 0; ; n++) {
            Object raw;
            try {
                raw = attempt().get(Math.max(0, deadline.leftNanos()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                throw timeoutException();
            } catch (ExecutionException e) {
                throw unexpected(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DistributedSupervisorException("interrupted during " + operation + " of child " + id, e);
            }
            switch (interpret(raw)) {
                case Outcome.Done<T> d -> {
                    return d.value();
                }
                case Outcome.Failed<T> f -> throw f.error();
                case Outcome.Retry<T> r -> {
                    lastWhy = r.why();
                    long left = deadline.leftNanos();
                    if (left <= 0) {
                        throw timeoutException();
                    }
                    LockSupport.parkNanos(Math.min(RetryPolicy.DEFAULT.delayNanos(n), left));
                }
            }
        }
    }

    final CompletableFuture<T> runAsync() {
        Result result = new Result();
        long left = deadline.leftNanos();
        if (left <= 0) {
            result.completeExceptionally(timeoutException());
            return result;
        }
        result.timer = ctx.deadlines.add(deadline, () -> result.completeExceptionally(timeoutException()));
        next(result, 0);
        if (result.isDone()) {
            result.timer.cancel(); // done before the timer was set: settled() could not cancel it
        }
        return result;
    }

    private void next(Result result, int n) {
        if (result.isDone()) {
            return;
        }
        CompletableFuture<Object> attempt;
        try {
            attempt = attempt();
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
            return;
        }
        attempt.whenComplete((raw, error) -> {
            if (error != null) {
                result.completeExceptionally(unexpected(error));
            } else if (raw instanceof Delivery.Replied r && r.reply().length > INLINE_DECODE_BYTES) {
                VIRTUAL.execute(() -> step(result, n, raw));
            } else {
                step(result, n, raw);
            }
        });
    }

    private void step(Result result, int n, Object raw) {
        Outcome<T> outcome;
        try {
            outcome = interpret(raw);
        } catch (RuntimeException e) {
            outcome = Outcome.failed(e);
        }
        switch (outcome) {
            case Outcome.Done<T> d -> result.complete(d.value());
            case Outcome.Failed<T> f -> result.completeExceptionally(f.error());
            case Outcome.Retry<T> r -> {
                lastWhy = r.why();
                long left = deadline.leftNanos();
                if (left <= 0) {
                    result.completeExceptionally(timeoutException());
                } else {
                    // The next attempt may read storage (a miss): on a thread of its own, not the scheduler's.
                    scheduler.schedule(() -> VIRTUAL.execute(() -> next(result, n + 1)),
                            Math.min(RetryPolicy.DEFAULT.delayNanos(n), left), TimeUnit.NANOSECONDS);
                }
            }
        }
    }

    /** What the operation fails with when its deadline passes. */
    RuntimeException timeoutException() {
        return new CallTimeoutException(operation, id, deadline.timeout(), lastWhy);
    }

    /** Whether a request that may have arrived can be sent again: only for operations whose effect repeats harmlessly. */
    boolean idempotent() {
        return false;
    }

    /** An attempt decided at once, without a message. */
    static CompletableFuture<Object> now(Outcome<?> outcome) {
        return CompletableFuture.completedFuture(outcome);
    }

    /** The future of a Delivery or a Reply, as an attempt's raw result. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static CompletableFuture<Object> raw(CompletableFuture<?> f) {
        return (CompletableFuture) f;
    }

    /** This node's codec would not encode what was to go to {@code node}. */
    static MessageRefusedException refusedToSend(NodeContext ctx, Operation op, Object id, String node, CodecException e) {
        return new MessageRefusedException(op, id, ctx.node, e.refusedClass().orElse(null),
                "may not be sent to node " + node + ": " + e.getMessage(), e);
    }

    private RuntimeException unexpected(Throwable t) {
        return t instanceof RuntimeException r ? r
                : new DistributedSupervisorException(operation + " of child " + id + " failed: " + t, t);
    }

    /** The operation's future; its deadline timer goes with it. */
    private final class Result extends CompletableFuture<T> {
        volatile AsyncDeadlines.Registration timer;

        @Override
        public boolean complete(T value) {
            return settled(super.complete(value));
        }

        @Override
        public boolean completeExceptionally(Throwable ex) {
            return settled(super.completeExceptionally(ex));
        }

        private boolean settled(boolean first) {
            AsyncDeadlines.Registration t = timer;
            if (first && t != null) {
                t.cancel();
            }
            return first;
        }
    }
}
