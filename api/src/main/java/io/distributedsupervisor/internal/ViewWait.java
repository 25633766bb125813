package io.distributedsupervisor.internal;

import io.distributedsupervisor.spi.Owner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Waits, without a thread, until this node's view of the registry shows what another node just
 * did for this caller (read-your-writes): a view a few milliseconds behind is normal for a
 * backend with a cache. Polls the view on the scheduler, backing off as {@link RetryPolicy} does;
 * at the deadline it gives up silently, the view catches up by itself.
 */
final class ViewWait {
    private static final CompletableFuture<Void> SEEN = CompletableFuture.completedFuture(null);

    private ViewWait() {
    }

    static CompletableFuture<Void> until(NodeContext ctx, String key, Predicate<Owner> seen, Deadline deadline) {
        if (seen.test(ctx.session().owner(key).orElse(null))) {
            return SEEN;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        poll(ctx, key, seen, deadline, done, 0);
        return done;
    }

    private static void poll(NodeContext ctx, String key, Predicate<Owner> seen, Deadline deadline,
                             CompletableFuture<Void> done, int attempt) {
        long left = deadline.leftNanos();
        if (left <= 0) {
            done.complete(null);
            return;
        }
        ctx.scheduler.schedule(() -> {
            if (seen.test(ctx.session().owner(key).orElse(null))) {
                done.complete(null);
            } else {
                poll(ctx, key, seen, deadline, done, attempt + 1);
            }
        }, Math.min(left, RetryPolicy.DEFAULT.delayNanos(attempt)), TimeUnit.NANOSECONDS);
    }
}
