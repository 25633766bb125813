package io.distributedsupervisor.internal;

import java.util.concurrent.TimeUnit;

/**
 * How long to wait before attempt {@code n + 1} of an operation whose attempt {@code n} met a
 * passing condition (a child between incarnations, a node not reachable yet): 200 µs doubling
 * up to 50 ms, so a short hand-over costs little and a long one costs no busy loop.
 */
record RetryPolicy(long firstNanos, long maxNanos) {
    static final RetryPolicy DEFAULT = new RetryPolicy(TimeUnit.MICROSECONDS.toNanos(200), TimeUnit.MILLISECONDS.toNanos(50));

    long delayNanos(int attempt) {
        return Math.min(maxNanos, firstNanos << Math.min(attempt, 16));
    }
}
