package io.distributedsupervisor.benchmarks.transport;

import java.time.Duration;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The three measurements of {@link PipelinedEcho} and {@link PipelinedTransport}, shared so that a
 * reference and what it is compared to are measured alike: each warms up for the given duration,
 * then measures for the same duration.
 */
public final class Measure {
    private Measure() {
    }

    /** One request and its reply, on the calling thread. */
    @FunctionalInterface
    public interface RoundTrip {
        void run() throws Exception;
    }

    /** Events per second of {@code counter}, counted by others (say, an event loop) after a warm-up. */
    public static double rate(AtomicLong counter, Duration duration) throws InterruptedException {
        Thread.sleep(duration.toMillis());
        long before = counter.get();
        long start = System.nanoTime();
        Thread.sleep(duration.toMillis());
        long count = counter.get() - before;
        return count / ((System.nanoTime() - start) / 1e9);
    }

    /** The median of {@code roundTrip}'s times, one at a time on this thread, in µs. */
    public static double medianMicros(Duration duration, RoundTrip roundTrip) throws Exception {
        long warm = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < warm) {
            roundTrip.run();
        }
        long[] samples = new long[1 << 16];
        int n = 0;
        long end = System.nanoTime() + duration.toNanos();
        for (long t = System.nanoTime(); t < end; ) {
            roundTrip.run();
            long now = System.nanoTime();
            if (n == samples.length) {
                samples = Arrays.copyOf(samples, n * 2);
            }
            samples[n++] = now - t;
            t = now;
        }
        Arrays.sort(samples, 0, n);
        return samples[n / 2] / 1e3;
    }

    /** Round trips per second from {@code threads} threads, each one at a time. */
    public static double blockingRate(Duration duration, int threads, RoundTrip roundTrip) throws Exception {
        AtomicLong done = new AtomicLong();
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService callers = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> loops = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                loops.add(callers.submit(() -> {
                    while (running.get()) {
                        roundTrip.run();
                        done.incrementAndGet();
                    }
                    return null;
                }));
            }
            double rate = rate(done, duration);
            running.set(false);
            for (Future<?> loop : loops) {
                loop.get(30, TimeUnit.SECONDS);
            }
            return rate;
        } finally {
            callers.shutdownNow();
        }
    }
}
