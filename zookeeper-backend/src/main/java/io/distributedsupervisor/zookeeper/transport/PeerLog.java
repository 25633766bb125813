package io.distributedsupervisor.zookeeper.transport;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Rate-limited warnings about bad peers: refused connections, failed handshakes, bad or forged
 * frames. Whoever can reach the port decides how often these happen, so one line per event would
 * let a scanner fill the disk and bury what matters. The first event of a kind from an address is
 * logged at once; further ones within a minute are counted, and the count goes out with the next
 * line about it, or from {@link #flush()} (run every minute) once its minute is over. At most
 * {@code maxAddresses} address-and-kind pairs are remembered (the oldest is forgotten first), and
 * at most {@code maxLinesPerWindow} first lines are logged a minute in all, so that an attacker
 * with many addresses gets no more lines either; what was left out is counted and said.
 *
 * <p>Thread-safe: every transport thread reports here; the lock is held only to count.
 */
final class PeerLog {
    static final long WINDOW_NANOS = TimeUnit.MINUTES.toNanos(1);

    /** The events of one kind from one address since its last line. */
    private static final class Count {
        long lastLineNanos;
        long suppressed;
        String lastSuppressed;
    }

    private final Consumer<String> out;
    private final LongSupplier nanoTime;
    private final int maxLinesPerWindow;
    private final LinkedHashMap<String, Count> entries;
    private long windowStart;
    private int linesInWindow;
    private long overflow;
    private long forgotten;

    PeerLog(Consumer<String> out, LongSupplier nanoTime, int maxAddresses, int maxLinesPerWindow) {
        this.out = out;
        this.nanoTime = nanoTime;
        this.maxLinesPerWindow = maxLinesPerWindow;
        this.windowStart = nanoTime.getAsLong();
        this.entries = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Count> eldest) {
                if (size() <= maxAddresses) {
                    return false;
                }
                forgotten += eldest.getValue().suppressed;
                return true;
            }
        };
    }

    /**
     * Logs {@code line} about {@code address} (a host, without port), or counts it (see the class
     * comment); {@code kind} is plural, e.g. "failed handshakes".
     */
    void warn(String address, String kind, String line) {
        String now;
        synchronized (this) {
            long t = nanoTime.getAsLong();
            String key = kind + " from " + address;
            Count entry = entries.get(key);
            if (entry != null && t - entry.lastLineNanos < WINDOW_NANOS) {
                entry.suppressed++;
                entry.lastSuppressed = line;
                return;
            }
            if (!takeLine(t)) {
                overflow++;
                return;
            }
            if (entry == null) {
                entry = new Count();
                entries.put(key, entry);
            }
            now = entry.suppressed == 0 ? line
                    : line + " (" + entry.suppressed + " more " + key + " before this one, not logged one by one)";
            entry.lastLineNanos = t;
            entry.suppressed = 0;
            entry.lastSuppressed = null;
        }
        out.accept(now);
    }

    /** Says what was counted and not logged, for every pair whose minute is over; called every minute. */
    void flush() {
        List<String> lines = new ArrayList<>();
        synchronized (this) {
            long t = nanoTime.getAsLong();
            for (Iterator<Map.Entry<String, Count>> it = entries.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<String, Count> e = it.next();
                Count entry = e.getValue();
                if (t - entry.lastLineNanos < WINDOW_NANOS) {
                    continue;
                }
                if (entry.suppressed == 0) {
                    it.remove(); // quiet for a minute: the next event is news again
                } else {
                    lines.add(entry.suppressed + " more " + e.getKey() + " in the last minute, not logged one by one; the last: "
                            + entry.lastSuppressed);
                    entry.lastLineNanos = t;
                    entry.suppressed = 0;
                    entry.lastSuppressed = null;
                }
            }
            if (overflow > 0 || forgotten > 0) {
                lines.add((overflow + forgotten) + " more events about bad peers were not logged in the last minute"
                        + " (more peers or lines than this node logs one by one)");
                overflow = 0;
                forgotten = 0;
            }
        }
        lines.forEach(out);
    }

    private boolean takeLine(long t) {
        if (t - windowStart >= WINDOW_NANOS) {
            windowStart = t;
            linesInWindow = 0;
        }
        if (linesInWindow >= maxLinesPerWindow) {
            return false;
        }
        linesInWindow++;
        return true;
    }
}
