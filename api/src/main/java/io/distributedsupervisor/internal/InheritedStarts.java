package io.distributedsupervisor.internal;

import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.Restart;
import io.distributedsupervisor.spi.BackendException;
import io.distributedsupervisor.spi.NodeSession;
import io.distributedsupervisor.spi.SpecRecord;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keys the backend says this session inherited ({@code SessionListener.onInherited}): their
 * owner entries are this session's already, so each starts from its stored spec without a claim,
 * counted in the {@link FailoverReport} like a claimed one; one it will not run (no spec, an
 * unreadable or {@code TEMPORARY} one) is released so that the ring places it again. When the
 * specs cannot be read, the keys wait here and are tried again after a growing pause.
 * <p>
 * {@link #inherited(Collection)} is called from the backend's session events and only queues the
 * keys; {@link #startInherited(long)} runs in the reconciliation passes of
 * {@link FailoverCoordinator}, one at a time on its virtual thread.
 */
final class InheritedStarts {
    private static final Logger LOG = LoggerFactory.getLogger(InheritedStarts.class);

    private final NodeContext ctx;
    private final ChildStarts starts;
    private final FailoverReport report;
    private final StoredSpecDecoder decoder;
    private final long intervalNanos;
    private final ConcurrentLinkedQueue<String> inherited = new ConcurrentLinkedQueue<>();
    /** How long to wait before reading inherited specs again after failed reads in a row (0: none failed); passes only. */
    private long inheritedRetryNanos;

    InheritedStarts(NodeContext ctx, ChildStarts starts, FailoverReport report, StoredSpecDecoder decoder, long intervalNanos) {
        this.ctx = ctx;
        this.starts = starts;
        this.report = report;
        this.decoder = decoder;
        this.intervalNanos = intervalNanos;
    }

    /** See {@code SessionListener.onInherited}: queued for the next pass. */
    void inherited(Collection<String> keys) {
        inherited.addAll(keys);
    }

    /**
     * Starts the inherited keys whose entries are this session's and that do not run here, from
     * their specs read together; gives back those it will not run. A closing node leaves them
     * to its close, which gives them back with the rest of its entries.
     *
     * @return nanoseconds until the next try when the specs could not be read, else -1
     */
    long startInherited(long now) {
        if (inherited.isEmpty() || !ctx.lifecycle.isRunning()) {
            return -1;
        }
        NodeSession s = ctx.session();
        long session = s.sessionId();
        Set<String> keys = new LinkedHashSet<>();
        for (String key; (key = inherited.poll()) != null; ) {
            // Told again, or started meanwhile, or handed on already: nothing to do.
            if (ctx.table.get(key) == null && s.owner(key).filter(o -> o.session() == session).isPresent()) {
                keys.add(key);
            }
        }
        if (keys.isEmpty()) {
            return -1;
        }
        Map<String, SpecRecord> specs;
        long readNanos;
        try {
            long askedAt = ctx.ticker.read();
            specs = s.specs(keys);
            readNanos = ctx.ticker.read() - askedAt;
        } catch (BackendException e) {
            // A full scan does not find them (they have an owner): they wait in the queue.
            // Soon, for a failover waits on it; less often while storage stays unreadable.
            inheritedRetryNanos = inheritedRetryNanos == 0 ? TimeUnit.MILLISECONDS.toNanos(100)
                    : Math.min(2 * inheritedRetryNanos, intervalNanos);
            LOG.warn("node {} could not read the specs of {} children it inherited; trying again in {} ms: {}", ctx.node,
                    keys.size(), inheritedRetryNanos / 1_000_000, e.getMessage());
            inherited.addAll(keys);
            return inheritedRetryNanos;
        }
        inheritedRetryNanos = 0;
        Map<String, ChildStarts.Stored> toStart = new LinkedHashMap<>();
        for (String key : keys) {
            SpecRecord rec = specs.get(key);
            ChildSpec spec = rec == null ? null : decoder.decode(key, rec);
            if (spec != null && spec.restart() != Restart.TEMPORARY) {
                toStart.put(key, new ChildStarts.Stored(spec, rec.node()));
            } else {
                starts.releaseQuietly(key, false); // nothing to run here: placed again, or gone with its spec
            }
        }
        if (toStart.isEmpty()) {
            return -1;
        }
        report.inheritedStarting(now);
        long startedAt = ctx.ticker.read();
        List<LocalChild> started = starts.startInherited(toStart);
        report.taken(started);
        LOG.info("node {} started {} of {} children it inherited (specs read in {} ms, started in {} ms)", ctx.node,
                started.size(), keys.size(), readNanos / 1_000_000, (ctx.ticker.read() - startedAt) / 1_000_000);
        return -1;
    }
}
