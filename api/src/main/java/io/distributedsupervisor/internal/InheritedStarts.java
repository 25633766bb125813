package io.distributedsupervisor.internal;

import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.Restart;
import io.distributedsupervisor.spi.BackendException;
import io.distributedsupervisor.spi.NodeSession;
import io.distributedsupervisor.spi.SpecRecord;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * specs cannot be read, the keys wait here and are read again after a growing pause.
 * <p>
 * The specs are read in chunks of {@value #READ_CHUNK} keys, each on a virtual thread of its own
 * (a backend's read blocks its caller), at most {@value #READS_AHEAD} chunks ahead of the starts;
 * the passes start each chunk's children once its specs are in, in the order told. So a
 * failover's heir starts its first children while the backend still reads the rest, a backend
 * that tells a large share in parts (while it scans its view) has the first parts read while it
 * goes on, and an heir holds at most that many chunks of specs read and not started yet, not
 * its whole share: reads are faster than starts, and a share of half a million children read at
 * once held all their specs until each had started, while the collector copied them.
 * <p>
 * {@link #inherited(Collection, boolean, boolean)} is called from the backend's session events and only starts the
 * reads; {@link #startInherited(long)} runs in the reconciliation passes of
 * {@link FailoverCoordinator}, one at a time on its virtual thread.
 */
final class InheritedStarts {
    /** Keys whose specs one request to the backend asks for. */
    static final int READ_CHUNK = 2_048;
    /** Chunks whose reads are asked for and whose starts have not begun, at most. */
    static final int READS_AHEAD = 16;
    private static final Logger LOG = LoggerFactory.getLogger(InheritedStarts.class);

    private final NodeContext ctx;
    private final ChildStarts starts;
    private final FailoverReport report;
    private final StoredSpecDecoder decoder;
    private final long intervalNanos;
    /** Chunks told whose reads wait for room ahead of the starts, in the order told. */
    private final ConcurrentLinkedQueue<List<String>> toRead = new ConcurrentLinkedQueue<>();
    /** The chunks whose reads were asked for and that no pass took yet, in the order asked; added to under {@code this}. */
    private final ConcurrentLinkedQueue<CompletableFuture<Chunk>> reads = new ConcurrentLinkedQueue<>();
    /** Keys told by a session whose join had not returned yet: read in the next pass, with that session. */
    private final ConcurrentLinkedQueue<List<String>> toldWhileJoining = new ConcurrentLinkedQueue<>();
    /** Whether the last part the backend told said that more parts of its succession follow. */
    private volatile boolean moreToCome;
    /** When the backend last told inherited keys, on the ticker. */
    private volatile long lastToldAt;
    /** Keys whose specs could not be read, until their next read; passes only. */
    private final List<String> unread = new ArrayList<>();
    /** When {@link #unread} is read again, on the ticker; passes only. */
    private long retryAt;
    /** How long to wait before reading inherited specs again after failed reads in a row (0: none failed); passes only. */
    private long inheritedRetryNanos;

    /** The keys of a chunk that do not run here (each start checks that its entry is still this session's), and their specs as read. */
    private record Chunk(List<String> keys, Map<String, SpecRecord> specs) {
    }

    /** A chunk whose read failed: its keys wait for the next try. */
    private static final class ChunkUnread extends RuntimeException {
        final List<String> keys;

        ChunkUnread(List<String> keys, RuntimeException cause) {
            super(cause instanceof BackendException b ? b.getMessage() : String.valueOf(cause), cause, false, false);
            this.keys = keys;
        }
    }

    InheritedStarts(NodeContext ctx, ChildStarts starts, FailoverReport report, StoredSpecDecoder decoder, long intervalNanos) {
        this.ctx = ctx;
        this.starts = starts;
        this.report = report;
        this.decoder = decoder;
        this.intervalNanos = intervalNanos;
    }

    /**
     * See {@code SessionListener.onInherited}: the reads of their specs start now, the starts in
     * the next pass. Keys told by a session still joining ({@code joined} false: the node's session
     * is not that one yet) are read in the next pass, which runs once the join has returned.
     */
    void inherited(Collection<String> keys, boolean more, boolean joined) {
        lastToldAt = ctx.ticker.read();
        if (!joined) {
            toldWhileJoining.add(List.copyOf(keys));
        } else {
            queue(keys);
        }
        // After the keys are queued: toldUntil reads this first, then the queues.
        moreToCome = more;
    }

    /** Queues the reads of {@code keys}' specs, in chunks, and asks for those there is room for. */
    private void queue(Collection<String> keys) {
        List<String> told = List.copyOf(keys);
        for (int from = 0; from < told.size(); from += READ_CHUNK) {
            toRead.add(told.subList(from, Math.min(told.size(), from + READ_CHUNK)));
        }
        askReads();
    }

    /**
     * Until when, on the ticker, a failover's window waits for what the backend tells: while keys
     * are told and not taken by a pass yet, or the backend said more parts follow, a reconcile
     * interval after the last telling at most (a session lost mid-scan tells no last part); empty
     * when nothing is awaited.
     */
    java.util.OptionalLong toldUntil() {
        boolean awaited = moreToCome || !toldWhileJoining.isEmpty() || !toRead.isEmpty() || !reads.isEmpty();
        return awaited ? java.util.OptionalLong.of(lastToldAt + intervalNanos) : java.util.OptionalLong.empty();
    }

    /**
     * Asks for the reads of the next chunks told, while fewer than {@value #READS_AHEAD} are asked
     * for and not taken by a pass (a pass that takes one calls this again, so that the next read
     * starts while it waits for that one).
     */
    private synchronized void askReads() {
        while (reads.size() < READS_AHEAD) {
            List<String> chunk = toRead.poll();
            if (chunk == null) {
                return;
            }
            reads.add(read(chunk));
        }
    }

    /** Reads the specs of the keys of {@code chunk} that are still to start here, on a virtual thread. */
    private CompletableFuture<Chunk> read(List<String> chunk) {
        CompletableFuture<Chunk> read = new CompletableFuture<>();
        Thread.ofVirtual().name("ds-inherited-specs-" + ctx.node).start(() -> {
            List<String> wanted = List.of();
            try {
                NodeSession s = ctx.session();
                // Told again (a backend's reload tells all) or started meanwhile: nothing to read. The
                // owner is checked where the child starts (ChildStarts.startInherited), not here too:
                // a key handed on meanwhile is rare, and this second lookup per key was about 7% of
                // the heirs' CPU samples in a failover of 256,687 children.
                wanted = chunk.stream().filter(key -> ctx.table.get(key) == null).toList();
                read.complete(new Chunk(wanted, wanted.isEmpty() ? Map.of() : s.specs(wanted)));
            } catch (RuntimeException e) {
                read.completeExceptionally(new ChunkUnread(wanted.isEmpty() ? chunk : wanted, e));
            }
        });
        return read;
    }

    /**
     * Starts the chunks whose specs were asked for, in the order told, each once its specs are
     * in; gives back the keys it will not run. A closing node leaves them to its close, which
     * gives them back with the rest of its entries.
     *
     * @return nanoseconds until the next try when some specs could not be read, else -1
     */
    long startInherited(long now) {
        if (!ctx.lifecycle.isRunning()) {
            return -1;
        }
        for (List<String> told; (told = toldWhileJoining.poll()) != null; ) {
            queue(told);
        }
        if (!unread.isEmpty() && now - retryAt >= 0) {
            queue(unread);
            unread.clear();
        }
        String failure = null;
        int told = 0;
        int started = 0;
        long waitedNanos = 0;
        long startNanos = 0;
        for (CompletableFuture<Chunk> read; (read = reads.poll()) != null; ) {
            askReads();
            Chunk chunk;
            long askedAt = ctx.ticker.read();
            try {
                chunk = read.join();
            } catch (CompletionException e) {
                // A full scan does not find them (they have an owner): they wait here.
                ChunkUnread u = (ChunkUnread) e.getCause();
                unread.addAll(u.keys);
                failure = u.getMessage();
                continue;
            } finally {
                waitedNanos += ctx.ticker.read() - askedAt;
            }
            long startedAt = ctx.ticker.read();
            told += chunk.keys().size();
            started += start(chunk.keys(), chunk.specs(), now);
            startNanos += ctx.ticker.read() - startedAt;
        }
        if (started > 0) {
            LOG.info("node {} started {} of {} children it inherited (waited {} ms for their specs, started in {} ms)",
                    ctx.node, started, told, waitedNanos / 1_000_000, startNanos / 1_000_000);
        }
        if (unread.isEmpty()) {
            inheritedRetryNanos = 0;
            return -1;
        }
        if (failure != null) {
            // Soon, for a failover waits on it; less often while storage stays unreadable.
            inheritedRetryNanos = inheritedRetryNanos == 0 ? TimeUnit.MILLISECONDS.toNanos(100)
                    : Math.min(2 * inheritedRetryNanos, intervalNanos);
            retryAt = now + inheritedRetryNanos;
            LOG.warn("node {} could not read the specs of {} children it inherited; trying again in {} ms: {}", ctx.node,
                    unread.size(), inheritedRetryNanos / 1_000_000, failure);
        }
        return Math.max(0, retryAt - now);
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
