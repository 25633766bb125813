package io.distributedsupervisor.zookeeper.transport;

import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes a transport's event-loop threads: named, daemons, of a class of their own so that any
 * code can tell it runs on a transport thread (which must never wait), and remembered so that
 * close() can wait until they ended.
 */
final class TransportThreads implements ThreadFactory {
    private final String prefix;
    private final AtomicInteger count = new AtomicInteger();
    private final List<Thread> created = new ArrayList<>();

    TransportThreads(String prefix) {
        this.prefix = prefix;
    }

    /** Whether the current thread is an event-loop thread of any transport in this JVM. */
    static boolean isTransportThread() {
        return Thread.currentThread() instanceof TransportThread;
    }

    @Override
    public synchronized Thread newThread(Runnable task) {
        Thread thread = new TransportThread(task, prefix + count.incrementAndGet());
        thread.setDaemon(true);
        created.add(thread);
        return thread;
    }

    void join(long timeoutMillis) {
        List<Thread> all;
        synchronized (this) {
            all = new ArrayList<>(created);
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        for (Thread thread : all) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                return;
            }
            try {
                thread.join(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static final class TransportThread extends FastThreadLocalThread {
        TransportThread(Runnable task, String name) {
            super(task, name);
        }
    }
}
