package io.distributedsupervisor;

/**
 * A source of monotonic time in nanoseconds, as {@link System#nanoTime()}: what the supervisor
 * measures restart windows, call deadlines and retries with. Inject a fake one in tests
 * ({@code SupervisorOptions.Builder.ticker}) to move time by hand; with {@link Scheduler} it is
 * the whole time seam of the runtime (the Caffeine pattern).
 */
@FunctionalInterface
public interface Ticker {

    /** Nanoseconds since an arbitrary origin; only differences mean something. */
    long read();

    /** {@link System#nanoTime()}. */
    static Ticker system() {
        return System::nanoTime;
    }
}
