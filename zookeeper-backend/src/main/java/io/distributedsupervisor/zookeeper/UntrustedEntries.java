package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.spi.SessionListener;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports the znodes a view ignores (a member without a valid proof, an owner entry of no
 * verified session, a znode it cannot read): once per entry, to the log and to
 * {@link SessionListener#onUntrusted}, however often the entry is read again.
 *
 * <p>Bounded whatever a hostile writer does: an entry is a path and the znode's creation zxid (a
 * znode deleted and made again is a new entry); at most {@value #REMEMBERED} entries are
 * remembered (the oldest forgotten first, and an entry as soon as its znode is deleted), and at
 * most {@value #LINES_PER_MINUTE} WARN lines are written per minute, then one line says how many
 * were left out. Thread-safe.
 */
final class UntrustedEntries {
    private static final Logger LOG = LoggerFactory.getLogger(UntrustedEntries.class);
    static final int REMEMBERED = 10_000;
    static final int LINES_PER_MINUTE = 20;
    private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);

    private final String node;
    private final SessionListener listener;
    private final BooleanSupplier closed;
    private final LongSupplier nanoTime;

    /** Reported entries: path to the creation zxid of the znode reported. Guarded by this. */
    private final Map<String, Long> reported = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > REMEMBERED;
        }
    };
    private long windowStart;
    private int linesInWindow;
    private int leftOut;

    UntrustedEntries(String node, SessionListener listener, BooleanSupplier closed) {
        this(node, listener, closed, System::nanoTime);
    }

    UntrustedEntries(String node, SessionListener listener, BooleanSupplier closed, LongSupplier nanoTime) {
        this.node = node;
        this.listener = listener;
        this.closed = closed;
        this.nanoTime = nanoTime;
        this.windowStart = nanoTime.getAsLong();
    }

    /**
     * Reports {@code path} (created at {@code czxid}) as ignored for {@code why}, unless this
     * entry was reported already. Returns whether it was reported now.
     */
    boolean report(String path, long czxid, String why) {
        String line = null;
        int skipped = 0;
        synchronized (this) {
            Long before = reported.put(path, czxid);
            if (before != null && before == czxid) {
                return false;
            }
            long now = nanoTime.getAsLong();
            if (now - windowStart >= MINUTE) {
                skipped = leftOut;
                windowStart = now;
                linesInWindow = 0;
                leftOut = 0;
            }
            if (linesInWindow < LINES_PER_MINUTE) {
                linesInWindow++;
                line = why;
            } else {
                leftOut++;
            }
        }
        if (skipped > 0) {
            LOG.warn("node {}: {} more untrusted znodes were ignored in the last minute without a log line each",
                    node, skipped);
        }
        if (line != null) {
            LOG.warn("node {}: ignoring {}: {}", node, path, line);
        }
        if (!closed.getAsBoolean()) {
            try {
                listener.onUntrusted(path, why);
            } catch (RuntimeException e) {
                LOG.warn("node {}: a listener failed on an untrusted entry", node, e);
            }
        }
        return true;
    }

    /** The znode at {@code path} is gone: a new one there is a new entry. */
    synchronized void forget(String path) {
        reported.remove(path);
    }

    /** How many entries are remembered now; for tests. */
    synchronized int remembered() {
        return reported.size();
    }
}
