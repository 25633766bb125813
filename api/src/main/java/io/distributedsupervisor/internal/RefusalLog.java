package io.distributedsupervisor.internal;

import io.distributedsupervisor.Operation;
import io.distributedsupervisor.Ticker;
import io.distributedsupervisor.spi.CodecException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs what this node refuses from other nodes: the first refusal of each class in each kind of
 * message from each peer at WARN, later ones of the same kind at most once a minute with a count,
 * so that a peer that keeps sending what this node refuses cannot fill the log.
 */
final class RefusalLog {
    private static final Logger LOG = LoggerFactory.getLogger(RefusalLog.class);
    private static final long QUIET_NANOS = TimeUnit.MINUTES.toNanos(1);
    /** Past this many distinct pairs, new ones share one entry: the map stays bounded whatever peers send. */
    private static final int MAX_PAIRS = 1024;

    private record Pair(String peer, Operation operation, String what) {
    }

    private static final class Seen {
        final AtomicLong lastLogged;
        final AtomicLong suppressed = new AtomicLong();

        Seen(long now) {
            lastLogged = new AtomicLong(now);
        }
    }

    private final String node;
    private final Ticker ticker;
    private final ConcurrentHashMap<Pair, Seen> seen = new ConcurrentHashMap<>();

    RefusalLog(String node, Ticker ticker) {
        this.node = node;
        this.ticker = ticker;
    }

    void log(Operation operation, String peer, CodecException e) {
        log(operation, peer, e.refusedClass().orElse("malformed"), e.getMessage());
    }

    /** A refusal of a kind ({@code what}) other than the codec's; {@code message} says what happened. */
    void log(Operation operation, String peer, String what, String message) {
        Pair pair = seen.size() < MAX_PAIRS ? new Pair(peer, operation, what) : new Pair("*", null, "*");
        long now = ticker.read();
        Seen fresh = new Seen(now);
        Seen s = seen.putIfAbsent(pair, fresh);
        if (s == null) {
            LOG.warn("node {} refused a {} from node {}: {} (further refusals of this kind from that node are logged "
                    + "at most once a minute)", node, operation, peer, message);
            return;
        }
        long last = s.lastLogged.get();
        if (now - last >= QUIET_NANOS && s.lastLogged.compareAndSet(last, now)) {
            LOG.warn("node {} refused {} more messages from node {} in the last minute; the latest, a {}: {}", node,
                    s.suppressed.getAndSet(0) + 1, peer, operation, message);
        } else {
            s.suppressed.incrementAndGet();
        }
    }
}
