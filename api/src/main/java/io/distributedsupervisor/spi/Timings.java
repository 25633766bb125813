package io.distributedsupervisor.spi;

/**
 * Durations the runtime measures on its hot paths, reported synchronously to an observer that a
 * {@link Listener} hands out through {@link Listener#timings(NodeReadings)}: the latency of
 * {@code call} (local or remote) and of {@code startChild}. The third duration a metrics library
 * wants, a failover's, comes with {@link ListenerEvent.Failover#took()}: a failover is rare, so it
 * travels with the other events.
 *
 * <p>Cost: the runtime asks every listener once, when a supervisor is built, and keeps what it
 * gets in a final field. When every listener answers {@link #NONE} (the default), a call pays one
 * identity comparison with {@link #NONE}: no clock read, no allocation, no dispatch. Otherwise
 * each measured operation reads the supervisor's {@code Ticker} (the one
 * {@code SupervisorOptions.Builder.ticker} sets) when it ends; its start is taken from the
 * operation's deadline, whose reading it already made.
 *
 * <p>Threads: the methods are called on the thread that ends the operation (the caller's, for a
 * blocking call; a transport or scheduler thread, for {@code callAsync} and
 * {@code startChildAsync}), concurrently from many threads. They must be thread-safe, fast and
 * must not block (update a histogram, an atomic counter). One that throws is logged once and
 * never fails the operation it measures.
 *
 * <p>Every method is an optional no-op.
 */
public interface Timings {

    /** Measures nothing: what a {@link Listener} hands out by default, and what the runtime checks for by identity. */
    Timings NONE = new Timings() {
        @Override
        public String toString() {
            return "Timings.NONE";
        }
    };

    /**
     * A {@code call} or {@code callAsync} ended, {@code nanos} after it was made.
     *
     * @param remote whether its last attempt went to a child on another node (false when the
     *               child ran on this node, and when no node was found for it)
     * @param ok     whether it returned a value; false when it threw (the child crashed, a
     *               timeout, no such child, a refusal)
     * @param nanos  from the call to its end, on the supervisor's ticker; includes retries
     */
    default void call(boolean remote, boolean ok, long nanos) {
    }

    /**
     * A {@code startChild} or {@code startChildAsync} ended, {@code nanos} after it was made:
     * the claim, the child's {@code init} and the wait until this node's view shows the child.
     *
     * @param remote whether the child was started on another node
     * @param ok     whether it started; false when it threw (already started, init failed, ...)
     * @param nanos  from the call to its end, on the supervisor's ticker; includes retries
     */
    default void start(boolean remote, boolean ok, long nanos) {
    }
}
