package io.distributedsupervisor.inmemory;

import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one session's listener callbacks, in the order they were posted, on one virtual thread of
 * its own: a writer only enqueues, so it never blocks on a listener and a listener never runs
 * inside the writer's call.
 */
final class EventLoop {
    private static final Logger LOG = LoggerFactory.getLogger(EventLoop.class);
    private static final Runnable STOP = () -> {
    };

    private final LinkedBlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
    private final String name;
    private final Runnable onExit;
    private final Thread thread;

    /** @param onExit runs on the loop's thread as its last act, however it ends */
    EventLoop(String name, Runnable onExit) {
        this.name = name;
        this.onExit = onExit;
        this.thread = Thread.ofVirtual().name(name).start(this::run);
    }

    void post(Runnable event) {
        queue.add(event);
    }

    /** Lets the events posted so far run, then ends the thread; later posts are never run. */
    void stop() {
        queue.add(STOP);
    }

    boolean isEventThread() {
        return Thread.currentThread() == thread;
    }

    boolean isAlive() {
        return thread.isAlive();
    }

    /**
     * Waits for the thread to end after {@link #stop()}. A listener that ignores "never block" is
     * interrupted after {@code timeout}, so that closing never hangs on user code.
     */
    void awaitStopped(Duration timeout) {
        if (isEventThread()) {
            return; // a listener that closes its own session: it ends when it returns
        }
        try {
            if (!thread.join(timeout)) {
                LOG.warn("listener thread {} did not finish its events within {}; interrupting it", name, timeout);
                thread.interrupt();
                thread.join(timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            loop();
        } finally {
            onExit.run();
        }
    }

    private void loop() {
        while (true) {
            Runnable event;
            try {
                event = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (event == STOP) {
                return;
            }
            try {
                event.run();
            } catch (Throwable t) {
                // One bad callback must not cost the session its later events.
                LOG.warn("session listener on {} threw; the event is dropped", name, t);
            }
        }
    }
}
