package io.distributedsupervisor.benchmarks.zookeeper;

import java.util.Map;

/**
 * Latencies of one window, in nanoseconds. The callers wait for each answer before the next
 * call (a closed loop), so a caller stuck in a slow call makes no calls meanwhile, and the
 * answered calls under-represent slow stretches ("coordinated omission"). {@code p99corrected}
 * adds, as HdrHistogram's {@code recordValueWithExpectedInterval} does, for each call slower than
 * the expected interval (the steady window's mean call time) the calls the caller would have
 * made meanwhile: latencies L - e, L - 2e, ... while at least e.
 */
record DrainCallWindow(long lengthNanos, int calls, long mean, long p50, long p99, long p99corrected, long max,
                       long overSlow, Map<String, Integer> failures) {
    double perSecond() {
        return calls / (lengthNanos / 1e9);
    }

    int failed() {
        return failures.values().stream().mapToInt(Integer::intValue).sum();
    }
}
