package io.distributedsupervisor.internal;

import io.distributedsupervisor.Pid;
import java.util.concurrent.CompletableFuture;

/**
 * Who waits for a child's first incarnation to have run {@code init}: the {@code startChild}
 * caller (the pid, or why it failed), and, made on demand, a failover timing the children it took
 * over. Thread-safe: the child's thread answers, a stop that gives up on a child that ignores
 * interrupts may answer from another thread, anyone may ask for {@link #future()}.
 */
final class FirstStart {
    /** The caller of startChild; null when nobody waits (a child taken over), and once answered. */
    private CompletableFuture<Pid> caller;
    private final boolean takenOver;
    private CompletableFuture<Void> done;
    private boolean over;

    FirstStart(CompletableFuture<Pid> caller) {
        this.caller = caller;
        this.takenOver = caller == null;
    }

    /** Whether the child was started by claiming a stored spec rather than by {@code startChild}. */
    boolean takenOver() {
        return takenOver;
    }

    /** Whether a {@code startChild} caller still waits (a failed init then ends the child). */
    synchronized boolean callerWaits() {
        return caller != null;
    }

    /** Completes once the first {@code init} has run, or the child is gone. */
    synchronized CompletableFuture<Void> future() {
        if (over) {
            return CompletableFuture.completedFuture(null);
        }
        if (done == null) {
            done = new CompletableFuture<>();
        }
        return done;
    }

    /** The first incarnation ran {@code init}. */
    void started(Pid pid) {
        CompletableFuture<Pid> c = end();
        if (c != null) {
            c.complete(pid);
        }
    }

    /** The child is gone before or without a successful first {@code init}; a waiting caller learns why. */
    void failed(Throwable why) {
        CompletableFuture<Pid> c = end();
        if (c != null) {
            c.completeExceptionally(why);
        }
    }

    /** The child is gone without a first start; a caller still waiting gets {@code why} (the exception is made only then). */
    void gone(String why) {
        CompletableFuture<Pid> c = end();
        if (c != null) {
            c.completeExceptionally(new IllegalStateException(why));
        }
    }

    /** Marks it over; returns the caller still to answer (at most once), completing outside the lock. */
    private CompletableFuture<Pid> end() {
        CompletableFuture<Void> f;
        CompletableFuture<Pid> c;
        synchronized (this) {
            over = true;
            f = done;
            // Not kept once complete: a child taken over in a failover would hold it as long as it runs.
            done = null;
            c = caller;
            caller = null;
        }
        if (f != null) {
            f.complete(null);
        }
        return c;
    }
}
