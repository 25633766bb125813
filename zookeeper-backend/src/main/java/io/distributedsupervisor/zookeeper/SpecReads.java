package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.spi.BackendException;
import io.distributedsupervisor.spi.Owner;
import io.distributedsupervisor.spi.SpecRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The spec reads of a {@link SupervisorView}: the explicit node or the content of the specs it
 * knows. A view learns most specs' placements from the claims' events; what it lacks is read
 * here, many specs per request. A read's explicit node is kept in the key's slot, so that it is
 * read once; the content never is: the node that asked for it starts a child that holds its spec,
 * and a copy in the view would cost each child an heir inherits some 300 bytes for as long as it
 * runs (and the heir's collector a copy of each during the failover).
 *
 * <p>Called on the caller's thread (a reconciliation pass, a start, a take-over), which waits for
 * the answers; they arrive on ZooKeeper's event thread ({@link ViewLoader#readAll}).
 */
final class SpecReads {
    /**
     * Spec znodes read together in one {@code multiRead}: one request instead of many (ten times
     * faster on the server). ZooKeeper's client drops the connection on an answer over its
     * {@code jute.maxbuffer} (1 MiB by default, kept), and a spec znode holds at most
     * {@link ZnodeData#MAX_INLINE_SPEC_BYTES}: so many of the largest, with a result's framing, fit.
     */
    static final int SPEC_READ_BATCH = (1_000_000 - 1024) / (ZnodeData.MAX_INLINE_SPEC_BYTES + 256);
    /** The codec bytes of large specs ({@link ZnodeLayout#specPayload}) read together: up to {@link ZnodeData#MAX_SPEC_BYTES} each. */
    static final int PAYLOAD_READ_BATCH = (1_000_000 - 1024) / (ZnodeData.MAX_SPEC_BYTES + 256);

    private final ChildEntries<SpecSlot, Owner>.Part<SpecSlot> specs;
    private final ViewLoader loader;
    /** The supervisor's paths as the raw handle spells them. */
    private final ZnodeLayout paths;
    private final UntrustedEntries untrusted;
    private final Duration readTimeout;

    SpecReads(ChildEntries<SpecSlot, Owner>.Part<SpecSlot> specs, ViewLoader loader, ZnodeLayout paths,
              UntrustedEntries untrusted, Duration readTimeout) {
        this.specs = specs;
        this.loader = loader;
        this.paths = paths;
        this.untrusted = untrusted;
        this.readTimeout = readTimeout;
    }

    /**
     * The explicit nodes of the specs under {@code keys} that the view knows: read from the first
     * lines of the znodes (see {@link ZnodeData#spec}), the specs themselves are not decoded.
     */
    Map<String, Optional<String>> placements(Collection<String> keys) {
        Map<String, Optional<String>> result = new HashMap<>();
        List<String> toRead = new ArrayList<>();
        for (String key : keys) {
            SpecSlot slot = specs.get(key);
            if (slot == null || slot.unreadable()) {
                continue;
            }
            if (slot.placed()) {
                result.put(key, Optional.ofNullable(slot.node()));
            } else {
                toRead.add(key);
            }
        }
        for (Read r : read(toRead)) {
            String explicit;
            try {
                explicit = ZnodeData.specNode(r.key(), r.data());
            } catch (IllegalArgumentException e) {
                unreadable(r, e);
                continue;
            }
            result.put(r.key(), Optional.ofNullable(explicit));
            remember(r, explicit);
        }
        return result;
    }

    /** The specs under {@code keys} that the view knows, read together. */
    Map<String, SpecRecord> specs(Collection<String> keys) {
        Map<String, SpecRecord> result = new HashMap<>();
        List<String> toRead = new ArrayList<>();
        for (String key : keys) {
            SpecSlot slot = specs.get(key);
            if (slot != null && !slot.unreadable()) {
                toRead.add(key);
            }
        }
        List<Read> apart = new ArrayList<>();
        for (Read r : read(toRead)) {
            SpecRecord rec;
            try {
                int offset = ZnodeData.specPayloadOffset(r.key(), r.data());
                if (offset == r.data().length) {
                    apart.add(r);
                    continue;
                }
                rec = new SpecRecord(java.util.Arrays.copyOfRange(r.data(), offset, r.data().length),
                        ZnodeData.specNode(r.key(), r.data()));
            } catch (IllegalArgumentException e) {
                unreadable(r, e);
                continue;
            }
            result.put(r.key(), rec);
            remember(r, rec.node());
        }
        if (!apart.isEmpty()) {
            // Written in the spec's own transaction: a payload of another czxid belongs to
            // another spec, stored under the same key after this one's read.
            Map<String, Read> payloads = read(paths::specPayload, apart.stream().map(Read::key).toList(),
                    PAYLOAD_READ_BATCH);
            for (Read r : apart) {
                Read payload = payloads.get(r.key());
                if (payload == null || payload.czxid() != r.czxid() || payload.data().length == 0) {
                    // Only a spec that is still the one read is marked (see unreadable).
                    unreadable(r, new IllegalArgumentException("spec " + r.key() + ": no codec bytes, neither in the "
                            + "znode nor in its payload child"));
                    continue;
                }
                SpecRecord rec = new SpecRecord(payload.data(), ZnodeData.specNode(r.key(), r.data()));
                result.put(r.key(), rec);
                remember(r, rec.node());
            }
        }
        return result;
    }

    /** A spec znode whose head this node cannot read: reported once, and not read again until it changes. */
    private void unreadable(Read r, IllegalArgumentException e) {
        untrusted.report(paths.spec(r.key()), r.czxid(), e.getMessage());
        specs.computeIfPresent(r.key(), (k, slot) -> slot.czxid() == -1 || slot.czxid() == r.czxid()
                ? new SpecSlot(r.czxid(), true, null, true) : slot);
    }

    /**
     * Keeps the explicit node a read told, unless the key went, or came back as another znode,
     * meanwhile. A slot that says so already stays: it may be the one instance that a batch of
     * claims shares.
     */
    private void remember(Read r, String explicit) {
        specs.computeIfPresent(r.key(), (k, slot) -> {
            if (slot.czxid() != -1 && slot.czxid() != r.czxid()) {
                return slot;
            }
            if (slot.czxid() == r.czxid() && slot.placed() && !slot.unreadable()
                    && java.util.Objects.equals(slot.node(), explicit)) {
                return slot;
            }
            if (slot.czxid() == -1 && explicit == null) {
                return SpecSlot.RING_PLACED;
            }
            return new SpecSlot(r.czxid(), true, explicit);
        });
    }

    private record Read(String key, byte[] data, long czxid) {
    }

    /** Reads the spec znode of every key, {@link #SPEC_READ_BATCH} per request; waits for all answers. */
    private Collection<Read> read(List<String> keys) {
        return read(paths::spec, keys, SPEC_READ_BATCH).values();
    }

    /** Reads the znode {@code pathOf} names for every key, {@code perRead} per request; waits for all answers. */
    private Map<String, Read> read(java.util.function.UnaryOperator<String> pathOf, List<String> keys, int perRead) {
        ConcurrentHashMap<String, Read> reads = new ConcurrentHashMap<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        loader.readAll(pathOf, keys, perRead, (key, data, stat) -> reads.put(key, new Read(key, data, stat.getCzxid())),
                done);
        try {
            done.get(readTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new BackendException("reading " + keys.size() + " specs of " + paths.supervisor() + " took longer than "
                    + readTimeout);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof BackendException b ? b : new BackendException("could not read specs", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendException("interrupted while reading specs", e);
        }
        return reads;
    }
}
