package io.distributedsupervisor.zookeeper;

import java.time.Duration;
import org.apache.curator.RetryPolicy;
import org.apache.curator.retry.ExponentialBackoffRetry;

/**
 * The default retry policy's settings: exponential back-off from {@code baseSleep} up to
 * {@code maxSleep}, at most {@code maxRetries} retries. Equal settings are equal, so that
 * backends left at the default (or given the same values) share their connections
 * ({@link ConnectionKey}).
 *
 * <p>Immutable; made on the thread that calls {@link ZooKeeperBackend.Builder#build()}.
 */
record DefaultRetry(Duration baseSleep, int maxRetries, Duration maxSleep) {
    /** The settings given, each null one at its default: 100 ms, 10 retries, 2 s. */
    static DefaultRetry of(Duration baseSleep, Integer maxRetries, Duration maxSleep) {
        return new DefaultRetry(baseSleep != null ? baseSleep : Duration.ofMillis(100),
                maxRetries != null ? maxRetries : 10, maxSleep != null ? maxSleep : Duration.ofSeconds(2));
    }

    /** Curator's policy of these settings. */
    RetryPolicy policy() {
        return new ExponentialBackoffRetry((int) Math.min(Integer.MAX_VALUE, baseSleep.toMillis()), maxRetries,
                (int) Math.min(Integer.MAX_VALUE, maxSleep.toMillis()));
    }
}
