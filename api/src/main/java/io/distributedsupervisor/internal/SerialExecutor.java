package io.distributedsupervisor.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs tasks one at a time, in the order submitted, on the submitting threads: a thread that
 * finds the executor idle runs what is queued (its own task first), one that finds it busy
 * leaves its task to the thread that is running. So an uncontended task costs no thread
 * hand-off, and tasks never run concurrently. Tasks must be short and must not block.
 */
final class SerialExecutor {
    private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean();

    void execute(Runnable task) {
        queue.add(task);
        // Loop: a task queued just after the running thread saw the queue empty is taken here.
        while (!queue.isEmpty() && running.compareAndSet(false, true)) {
            try {
                for (Runnable r; (r = queue.poll()) != null; ) {
                    r.run();
                }
            } finally {
                running.set(false);
            }
        }
    }
}
