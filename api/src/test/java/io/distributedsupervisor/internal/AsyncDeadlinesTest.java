package io.distributedsupervisor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.distributedsupervisor.Scheduler;
import io.distributedsupervisor.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** {@link AsyncDeadlines} on a clock and timers moved by hand. */
class AsyncDeadlinesTest {
    private final AtomicLong now = new AtomicLong();
    private final Ticker ticker = now::get;
    private final List<Timer> timers = new ArrayList<>();
    private final Scheduler scheduler = (task, delay, unit) -> {
        Timer t = new Timer(now.get() + unit.toNanos(delay), task);
        timers.add(t);
        return t.future;
    };
    private final AsyncDeadlines deadlines = new AsyncDeadlines(scheduler, ticker);
    private final List<String> timedOut = new ArrayList<>();

    private record Timer(long atNanos, Runnable task, CompletableFuture<Void> future) {
        Timer(long atNanos, Runnable task) {
            this(atNanos, task, new CompletableFuture<>());
        }
    }

    /** Moves the clock and runs the timers that are due, in time order, as a scheduler would. */
    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
        for (;;) {
            Timer next = timers.stream().filter(t -> !t.future().isCancelled() && t.atNanos() <= now.get())
                    .min((a, b) -> Long.compare(a.atNanos(), b.atNanos())).orElse(null);
            if (next == null) {
                return;
            }
            timers.remove(next);
            next.task().run();
        }
    }

    private AsyncDeadlines.Registration add(String name, Duration timeout) {
        return deadlines.add(Deadline.after(timeout, ticker), () -> timedOut.add(name));
    }

    private long pendingTimers() {
        return timers.stream().filter(t -> !t.future().isCancelled()).count();
    }

    @Test
    void runsEachTimeoutOnceItsDeadlinePassesWithOneTimerPerTimeout() {
        add("a", Duration.ofSeconds(1));
        advance(Duration.ofMillis(300));
        add("b", Duration.ofSeconds(1));
        add("c", Duration.ofSeconds(2));
        assertThat(pendingTimers()).isEqualTo(2);

        advance(Duration.ofMillis(699));
        assertThat(timedOut).isEmpty();
        advance(Duration.ofMillis(1));
        assertThat(timedOut).containsExactly("a");
        advance(Duration.ofMillis(300));
        assertThat(timedOut).containsExactly("a", "b");
        advance(Duration.ofMillis(1000));
        assertThat(timedOut).containsExactly("a", "b", "c");
        assertThat(pendingTimers()).isZero();
    }

    @Test
    void aCancelledOperationNeverTimesOutAndItsTimerServesTheNext() {
        AsyncDeadlines.Registration first = add("first", Duration.ofSeconds(1));
        advance(Duration.ofMillis(500));
        add("second", Duration.ofSeconds(1));
        first.cancel();
        first.cancel();

        advance(Duration.ofMillis(500)); // the timer set for "first" fires and is set again for "second"
        assertThat(timedOut).isEmpty();
        assertThat(pendingTimers()).isEqualTo(1);
        advance(Duration.ofMillis(500));
        assertThat(timedOut).containsExactly("second");
    }

    @Test
    void anEmptiedLaneRetiresAndANewOneTakesLaterOperations() {
        add("a", Duration.ofSeconds(1)).cancel();
        advance(Duration.ofSeconds(1));
        assertThat(pendingTimers()).isZero();

        add("b", Duration.ofSeconds(1));
        assertThat(pendingTimers()).isEqualTo(1);
        advance(Duration.ofSeconds(1));
        assertThat(timedOut).containsExactly("b");
    }

    @Test
    void pastTheLaneLimitEachOperationHasATimerOfItsOwn() {
        for (int i = 0; i < AsyncDeadlines.MAX_LANES; i++) {
            add("lane-" + i, Duration.ofMillis(1000 + i));
        }
        assertThat(pendingTimers()).isEqualTo(AsyncDeadlines.MAX_LANES);
        AsyncDeadlines.Registration own = add("own", Duration.ofMillis(500));
        add("own-too", Duration.ofMillis(500));
        assertThat(pendingTimers()).isEqualTo(AsyncDeadlines.MAX_LANES + 2);
        own.cancel();
        advance(Duration.ofMillis(500));
        assertThat(timedOut).containsExactly("own-too");
    }

    @Test
    void aTimeoutThatThrowsDoesNotKeepTheOthersFromRunning() {
        deadlines.add(Deadline.after(Duration.ofSeconds(1), ticker), () -> {
            throw new IllegalStateException("boom");
        });
        add("after", Duration.ofSeconds(1));
        advance(Duration.ofSeconds(1));
        assertThat(timedOut).containsExactly("after");
    }

    @Test
    void cancellingAnOperationCancelsNoTimer() {
        AsyncDeadlines.Registration r = add("x", Duration.ofSeconds(1));
        Future<?> timer = timers.get(0).future();
        r.cancel();
        assertThat(timer.isCancelled()).isFalse();
        advance(Duration.ofSeconds(1));
        assertThat(timedOut).isEmpty();
    }
}
