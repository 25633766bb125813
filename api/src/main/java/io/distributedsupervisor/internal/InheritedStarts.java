package io.distributedsupervisor.internal;

import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.Restart;
import io.distributedsupervisor.spi.BackendException;
import io.distributedsupervisor.spi.NodeSession;
import io.distributedsupervisor.spi.SpecRecord;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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
    /** Keys whose specs one request to the backend asks for. */
    static final int READ_CHUNK = 2_048;
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
     * their specs; gives back those it will not run. A closing node leaves them to its close,
     * which gives them back with the rest of its entries.
     *
     * <p>The specs are asked for in chunks of {@value #READ_CHUNK}, all at once (each on a virtual
     * thread of its own, as a backend's read blocks its caller), and each chunk's children start
     * as soon as its specs are in: a failover's heir starts its first children while the backend
     * still reads the rest, rather than after reading a hundred thousand specs.
     *
     * @return nanoseconds until the next try when some specs could not be read, else -1
     */
    long startInherited(long now) {
        if (inherited.isEmpty() || !ctx.lifecycle.isRunning()) {
            return -1;
        }
        NodeSession s = ctx.session();
        long session = s.sessionId();
        Set<String> wanted = new LinkedHashSet<>();
        for (String key; (key = inherited.poll()) != null; ) {
            // Told again, or started meanwhile, or handed on already: nothing to do.
            if (ctx.table.get(key) == null && s.owner(key).filter(o -> o.session() == session).isPresent()) {
                wanted.add(key);
            }
        }
        if (wanted.isEmpty()) {
            return -1;
        }
        List<String> keys = List.copyOf(wanted);
        List<CompletableFuture<Map<String, SpecRecord>>> reads = new ArrayList<>();
        for (int from = 0; from < keys.size(); from += READ_CHUNK) {
            List<String> chunk = keys.subList(from, Math.min(keys.size(), from + READ_CHUNK));
            CompletableFuture<Map<String, SpecRecord>> read = new CompletableFuture<>();
            Thread.ofVirtual().name("ds-inherited-specs-" + ctx.node).start(() -> {
                try {
                    read.complete(s.specs(chunk));
                } catch (RuntimeException e) {
                    read.completeExceptionally(e);
                }
            });
            reads.add(read);
        }
        List<String> unread = new ArrayList<>();
        String failure = null;
        int started = 0;
        long waitedNanos = 0;
        long startNanos = 0;
        for (int i = 0; i < reads.size(); i++) {
            List<String> chunk = keys.subList(i * READ_CHUNK, Math.min(keys.size(), (i + 1) * READ_CHUNK));
            Map<String, SpecRecord> specs;
            long askedAt = ctx.ticker.read();
            try {
                specs = reads.get(i).join();
            } catch (CompletionException e) {
                // A full scan does not find them (they have an owner): they wait in the queue.
                unread.addAll(chunk);
                failure = e.getCause() instanceof BackendException b ? b.getMessage() : String.valueOf(e.getCause());
                continue;
            } finally {
                waitedNanos += ctx.ticker.read() - askedAt;
            }
            long startedAt = ctx.ticker.read();
            started += start(chunk, specs, now);
            startNanos += ctx.ticker.read() - startedAt;
        }
        if (started > 0) {
            LOG.info("node {} started {} of {} children it inherited (waited {} ms for their specs, started in {} ms)",
                    ctx.node, started, keys.size(), waitedNanos / 1_000_000, startNanos / 1_000_000);
        }
        if (unread.isEmpty()) {
            inheritedRetryNanos = 0;
            return -1;
        }
        // Soon, for a failover waits on it; less often while storage stays unreadable.
        inheritedRetryNanos = inheritedRetryNanos == 0 ? TimeUnit.MILLISECONDS.toNanos(100)
                : Math.min(2 * inheritedRetryNanos, intervalNanos);
        LOG.warn("node {} could not read the specs of {} children it inherited; trying again in {} ms: {}", ctx.node,
                unread.size(), inheritedRetryNanos / 1_000_000, failure);
        inherited.addAll(unread);
        return inheritedRetryNanos;
    }

    /** Starts the keys of one chunk from their specs, or gives them back; how many started. */
    private int start(List<String> chunk, Map<String, SpecRecord> specs, long now) {
        Map<String, ChildStarts.Stored> toStart = new LinkedHashMap<>();
        for (String key : chunk) {
            SpecRecord rec = specs.get(key);
            ChildSpec spec = rec == null ? null : decoder.decode(key, rec);
            if (spec != null && spec.restart() != Restart.TEMPORARY) {
                toStart.put(key, new ChildStarts.Stored(spec, rec.node()));
            } else {
                starts.releaseQuietly(key, false); // nothing to run here: placed again, or gone with its spec
            }
        }
        if (toStart.isEmpty()) {
            return 0;
        }
        report.inheritedStarting(now);
        List<LocalChild> started = starts.startInherited(toStart);
        report.taken(started);
        return started.size();
    }
}
