package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.Scheduler;
import io.distributedsupervisor.spi.Owner;
import io.distributedsupervisor.spi.SessionListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.data.Stat;

/**
 * The owner entries of a {@link SupervisorView}: who holds each key's claim, as the view
 * believes. An entry is put unless the view holds a newer one, and removed when its znode goes
 * (another node's only after the failover margin, or when a new claim replaces it within the
 * margin), telling the listener; an entry read from a znode counts only if {@link MemberProofs}
 * verifies it.
 *
 * <p>Written on ZooKeeper's event thread (events, the answers of reads), and on the writer's own
 * thread for this session's claims, restarts and releases (read-your-writes); read from any
 * thread. The scheduler's thread ends a failover margin.
 */
final class OwnerEntries {
    private final ChildEntries<SpecSlot, Owner>.Part<Owner> owners;
    private final long sessionId;
    /** The supervisor's paths as the raw handle spells them (for the reports of untrusted entries). */
    private final ZnodeLayout paths;
    private final SessionListener listener;
    private final Duration failoverMargin;
    private final Scheduler scheduler;
    private final BooleanSupplier closed;
    private final MemberProofs proofs;
    private final UntrustedEntries untrusted;
    /** One instance of each node name that owner entries name (a few; see {@link #put}). */
    private final ConcurrentHashMap<String, String> nodeNames = new ConcurrentHashMap<>();
    /** This session's entries that it released and dropped at once, until their deletion events come. */
    private final ConcurrentHashMap<String, Owner> releasedHere = new ConcurrentHashMap<>();
    /** Other sessions' entries whose znodes are gone, kept for the failover margin. */
    private final ConcurrentHashMap<String, Owner> keptForMargin = new ConcurrentHashMap<>();

    OwnerEntries(ChildEntries<SpecSlot, Owner>.Part<Owner> owners, long sessionId, ZnodeLayout paths,
                 SessionListener listener, Duration failoverMargin, Scheduler scheduler, BooleanSupplier closed,
                 MemberProofs proofs, UntrustedEntries untrusted) {
        this.owners = owners;
        this.sessionId = sessionId;
        this.paths = paths;
        this.listener = listener;
        this.failoverMargin = failoverMargin;
        this.scheduler = scheduler;
        this.closed = closed;
        this.proofs = proofs;
        this.untrusted = untrusted;
    }

    Owner get(String key) {
        return owners.get(key);
    }

    void forEach(BiConsumer<String, Owner> action) {
        owners.forEach(action);
    }

    boolean anyMatch(Predicate<Owner> test) {
        return owners.anyMatch(test);
    }

    List<String> keys() {
        return owners.keys();
    }

    /** The one instance of {@code name} that the entries use. */
    String nodeName(String name) {
        return nodeNames.computeIfAbsent(name, n -> n);
    }

    /**
     * Puts an entry unless the view already has a newer one for the key. Its node's name is the
     * view's one instance of it: an entry read from a znode comes with a copy of its own, which
     * would cost every child of the cluster some 48 bytes.
     */
    void put(String key, Owner o) {
        String name = nodeName(o.node());
        Owner entry = name == o.node() ? o : new Owner(name, o.epoch(), o.restarts(), o.session());
        Owner now = owners.merge(key, entry, (old, fresh) -> old.epoch() > fresh.epoch()
                || (old.epoch() == fresh.epoch() && old.restarts() > fresh.restarts()) ? old : fresh);
        Owner kept = keptForMargin.get(key);
        if (kept != null && (now.epoch() != kept.epoch() || now.session() != kept.session())
                && keptForMargin.remove(key, kept) && !closed.getAsBoolean()) {
            // A new claim replaced an entry kept for the margin (a planned move's, typically): its
            // removal is told now, as it would have been without a margin, not never.
            listener.onOwnerRemoved(key, kept);
        }
    }

    /** The entry's znode is gone, deleted in {@code zxid} (or unknown: {@link WatchedEvent#NO_ZXID}). */
    void remove(String key, long zxid) {
        Owner previous = owners.get(key);
        if (previous == null) {
            Owner ours = releasedHere.remove(key);
            if (ours != null && !closed.getAsBoolean()) {
                listener.onOwnerRemoved(key, ours);
            }
            return;
        }
        if (zxid != WatchedEvent.NO_ZXID && previous.epoch() > zxid) {
            return; // the deletion of an older claim than the one the view holds
        }
        if (!owners.remove(key, previous)) {
            return;
        }
        releasedHere.remove(key, previous);
        if (previous.session() != sessionId && failoverMargin.toNanos() > 0) {
            // The failover margin: another node's claim stays in this view a while after it
            // vanished, so this node claims it no sooner (a node frozen by a long GC pause may
            // not have noticed its session end yet).
            // A new claim meanwhile replaces the entry, and its removal is told then (put).
            keptForMargin.put(key, previous);
            if (owners.putIfAbsent(key, previous) == null) {
                scheduler.schedule(() -> {
                    if (keptForMargin.remove(key, previous) && owners.remove(key, previous) && !closed.getAsBoolean()) {
                        listener.onOwnerRemoved(key, previous);
                    }
                }, failoverMargin.toNanos(), TimeUnit.NANOSECONDS);
                return;
            }
            if (!keptForMargin.remove(key, previous)) {
                return; // a new claim came between, and put told of this removal
            }
        }
        if (!closed.getAsBoolean()) {
            listener.onOwnerRemoved(key, previous);
        }
    }

    /** This session released its entry of {@code key}: dropped at once, and told when its deletion event comes. */
    void released(String key) {
        Owner o = owners.get(key);
        if (o != null && o.session() == sessionId && owners.remove(key, o)) {
            // Its deletion event still tells the listener, with this entry.
            releasedHere.put(key, o);
        }
    }

    /** Applies {@code owners/<key>} as read: kept if it verifies. */
    void apply(String key, byte[] data, Stat stat) {
        Owner o = trusted(key, data, stat);
        if (o != null) {
            put(key, o);
            return;
        }
        Owner held = owners.get(key);
        // A claim this view believes, whose data someone changed since (only possible with open
        // ACLs): the same znode of the same session, so the claim stands. Anything else is not it.
        if (held != null && (held.epoch() != stat.getCzxid() || held.session() != stat.getEphemeralOwner())) {
            owners.remove(key, held);
        }
    }

    /** The owner entry of {@code owners/<key>} as read, if it verifies; else null, and the entry is reported. */
    private Owner trusted(String key, byte[] data, Stat stat) {
        try {
            return proofs.verifiedOwner(key, data, stat);
        } catch (IllegalArgumentException e) {
            untrusted.report(paths.owner(key), stat.getCzxid(), e.getMessage());
            return null;
        }
    }

    /**
     * The owner entry of {@code owners/<key>} as the session read it itself, if it verifies; else
     * null. Not reported here: the view reads every entry it cannot learn from a claim's events,
     * and reports it from ZooKeeper's event thread, so that the listener hears of it in order.
     */
    Owner verified(String key, byte[] data, Stat stat) {
        try {
            return proofs.verifiedOwner(key, data, stat);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
