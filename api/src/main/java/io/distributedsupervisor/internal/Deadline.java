package io.distributedsupervisor.internal;

import io.distributedsupervisor.Ticker;
import java.time.Duration;

/** When an operation must be over, on the runtime's {@link Ticker}; and the timeout it came from, for messages. */
record Deadline(long atNanos, Duration timeout, Ticker ticker) {

    static Deadline after(Duration timeout, Ticker ticker) {
        return new Deadline(ticker.read() + timeout.toNanos(), timeout, ticker);
    }

    /** Nanoseconds left; zero or less once passed. */
    long leftNanos() {
        return atNanos - ticker.read();
    }

    boolean passed() {
        return leftNanos() <= 0;
    }
}
