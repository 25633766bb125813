package io.distributedsupervisor.admin.http;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One client of {@code /api/events}: a bounded queue of server-sent-event messages that the
 * supervisors' listener threads and the page's ticker fill without ever waiting, and that the
 * client's own HTTP thread empties onto its connection. When the client does not keep up, the
 * oldest queued message is dropped to make room, and the client is told how many it missed.
 */
final class EventStream {
    /** A comment line this often, so that a client gone away is noticed and proxies keep the connection. */
    static final long KEEP_ALIVE_MILLIS = 15_000;

    private final int capacity;
    private final ArrayDeque<String> queue;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition ready = lock.newCondition();
    private long dropped;
    private long droppedTold;
    private boolean closed;

    EventStream(int capacity) {
        this.capacity = capacity;
        this.queue = new ArrayDeque<>(capacity);
    }

    /** Queues one message ({@code event} is its SSE event name, {@code json} its data on one line); never blocks. */
    void offer(String event, String json) {
        String message = "event: " + event + "\ndata: " + json + "\n\n";
        lock.lock();
        try {
            if (closed) {
                return;
            }
            if (queue.size() == capacity) {
                queue.removeFirst();
                dropped++;
            }
            queue.addLast(message);
            ready.signal();
        } finally {
            lock.unlock();
        }
    }

    /** How many messages were dropped for this client so far. */
    long dropped() {
        lock.lock();
        try {
            return dropped;
        } finally {
            lock.unlock();
        }
    }

    void close() {
        lock.lock();
        try {
            closed = true;
            ready.signal();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Writes queued messages to {@code out} until {@link #close()} or the client goes away. Runs on
     * the client's HTTP thread.
     */
    void pump(OutputStream out) throws IOException {
        while (true) {
            String message;
            long missed;
            lock.lock();
            try {
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(KEEP_ALIVE_MILLIS);
                while (queue.isEmpty() && !closed) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    ready.awaitNanos(left);
                }
                if (closed) {
                    return;
                }
                message = queue.pollFirst();
                missed = dropped - droppedTold;
                droppedTold = dropped;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                lock.unlock();
            }
            if (missed > 0) {
                out.write(("event: dropped\ndata: {\"dropped\":" + missed + "}\n\n").getBytes(StandardCharsets.UTF_8));
            }
            out.write((message != null ? message : ": keep-alive\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }
}
