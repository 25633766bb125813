package io.distributedsupervisor;

import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a task after a delay: what the supervisor waits with, instead of parking a thread (call
 * retries and deadlines, the reconciliation timer, the failover margin). Tasks are short and
 * never block; one that has to block hands its work to a thread of its own. Inject a manual one
 * in tests ({@code SupervisorOptions.Builder.scheduler}) to fire timers by hand.
 */
@FunctionalInterface
public interface Scheduler {

    /**
     * Runs {@code task} once, no sooner than {@code delay} from now.
     *
     * @return a handle whose {@link Future#cancel} keeps the task from running if it has not yet
     */
    Future<?> schedule(Runnable task, long delay, TimeUnit unit);

    /**
     * The JVM-wide default: one daemon platform thread ({@code ds-scheduler}) shared by every
     * supervisor, started on first use. Cancelled tasks are removed at once, so deadlines that
     * are met cost no memory.
     */
    static Scheduler system() {
        return SystemScheduler.INSTANCE::schedule;
    }
}

/** The single timer thread behind {@link Scheduler#system()}. */
final class SystemScheduler {
    static final ScheduledThreadPoolExecutor INSTANCE = create();

    private SystemScheduler() {
    }

    private static ScheduledThreadPoolExecutor create() {
        AtomicInteger count = new AtomicInteger();
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, task -> {
            Thread t = new Thread(task, "ds-scheduler-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }
}
