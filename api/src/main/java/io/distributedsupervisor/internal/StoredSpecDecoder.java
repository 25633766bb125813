package io.distributedsupervisor.internal;

import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.spi.CodecException;
import io.distributedsupervisor.spi.NodeSession;
import io.distributedsupervisor.spi.SpecRecord;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes the child specs stored in the backend, for the orphans a pass places and for the keys
 * the session inherited: one way for both, so that a spec this node cannot read (the codec's
 * allow-list refuses it) is warned about once, not each pass, and orphan placement skips it until
 * its spec is gone.
 * <p>
 * Used by the reconciliation passes of {@link FailoverCoordinator} only, one at a time on its
 * virtual thread; not thread-safe.
 */
final class StoredSpecDecoder {
    private static final Logger LOG = LoggerFactory.getLogger(StoredSpecDecoder.class);

    private final NodeContext ctx;
    /** Stored specs this node could not decode: warned about once, not each pass. */
    private final Set<String> unreadable = new HashSet<>();

    StoredSpecDecoder(NodeContext ctx) {
        this.ctx = ctx;
    }

    /**
     * The child spec stored under {@code key}, or null if this node cannot read it: warned about
     * once (a pass skips the keys it could not read), not each pass.
     */
    ChildSpec decode(String key, SpecRecord rec) {
        try {
            return ctx.wire().decodeSpec(rec.spec());
        } catch (CodecException x) {
            if (unreadable.add(key)) {
                LOG.warn("node {} ignores the stored spec {}: it cannot be read as a child spec ({}); check the "
                        + "allow-list of the codec", ctx.node, key, x.getMessage());
            }
            return null;
        }
    }

    /** Whether the spec stored under {@code key} could not be read (and is still stored, as far as known). */
    boolean unreadable(String key) {
        return unreadable.contains(key);
    }

    /** Forgets the unreadable specs that {@code s} no longer stores: one stored again is read afresh. */
    void forgetGone(NodeSession s) {
        unreadable.removeIf(key -> !s.hasSpec(key));
    }
}
