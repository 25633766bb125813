package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.spi.Owner;
import io.distributedsupervisor.spi.SessionListener;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;

/**
 * What a {@link SupervisorView} learns from the events of the transactions that claim, release,
 * move and remove children: the owner entries, from the member touch ahead of a claim's creations
 * (whose zxid they share), and the specs, from how many touches there are ({@link SpecSignal}),
 * without a read. What the events do not tell (an entry changed any other way, a claim by a member
 * not known yet, an entry learnt from events where the ACL lets anyone touch a member znode) is
 * read. A view whose server sends no zxid watches the specs themselves ({@link #onSpecEvent}).
 *
 * <p>Runs on ZooKeeper's event thread, like the view's other event handling, but for
 * {@link #removedHere}, which the session's own writer calls.
 */
final class ClaimEvents {
    private final ZnodeLayout paths;
    private final ChildEntries<SpecSlot, Owner>.Part<SpecSlot> specs;
    private final OwnerEntries owners;
    private final TrustedMembers members;
    private final ViewLoader loader;
    private final UntrustedEntries untrusted;
    private final SessionListener listener;
    private final BooleanSupplier closed;
    /** Whether owner entries may be learnt from claim events without a read (see {@link SupervisorView}). */
    private final boolean ownersFromEvents;
    /** Specs this session removed and dropped at once, until their deletion events come. */
    private final Set<String> specsRemovedHere = ConcurrentHashMap.newKeySet();

    // The last transaction seen to touch a member znode: its zxid, that member, and how many times
    // it touched it (SpecSignal).
    private long claimZxid = WatchedEvent.NO_ZXID;
    private String claimNode;
    private int claimTouches;
    // What the last claim's events made: the claims of one batch share a zxid, so its spec slots
    // and owner entries are equal values, and one instance of each serves them all (immutable).
    private SpecSlot claimSlot;
    private Owner claimOwner;

    ClaimEvents(ZnodeLayout paths, ChildEntries<SpecSlot, Owner>.Part<SpecSlot> specs, OwnerEntries owners,
                TrustedMembers members, ViewLoader loader, UntrustedEntries untrusted, SessionListener listener,
                BooleanSupplier closed, boolean ownersFromEvents) {
        this.paths = paths;
        this.specs = specs;
        this.owners = owners;
        this.members = members;
        this.loader = loader;
        this.untrusted = untrusted;
        this.listener = listener;
        this.closed = closed;
        this.ownersFromEvents = ownersFromEvents;
    }

    /** {@code members/<name>} was set in {@code zxid}: a claim or release by that member, whose owner entries' events follow. */
    void memberTouched(String name, long zxid) {
        if (zxid != WatchedEvent.NO_ZXID && zxid == claimZxid && name.equals(claimNode)) {
            claimTouches++;
        } else {
            claimZxid = zxid;
            claimNode = owners.nodeName(name);
            claimTouches = 1;
        }
    }

    /** This session deleted a spec and dropped it from the view: its deletion's event still tells the listener. */
    void removedHere(String key) {
        specsRemovedHere.add(key);
    }

    /** An event under the owner entry of {@code key}: the signal of its spec's removal ({@link ZnodeLayout#specRemovedSignal}). */
    void onBelowEntry(Watcher.Event.EventType type, String key, long zxid) {
        if (type == Watcher.Event.EventType.NodeDeleted && signal(zxid, false) == SpecSignal.SPEC_REMOVED) {
            specDeleted(key);
        }
    }

    /** What the transaction of {@code zxid} says of the specs of the owner entries it creates or deletes; null for nothing. */
    private SpecSignal signal(long zxid, boolean creation) {
        return ofClaim(zxid) ? SpecSignal.of(claimTouches, creation) : null;
    }

    /**
     * Whether an event comes from the claim whose member touch was seen last. Servers before
     * ZooKeeper 3.9 send no zxid with events: then nothing is learnt this way, and the view reads.
     */
    private boolean ofClaim(long zxid) {
        return zxid != WatchedEvent.NO_ZXID && zxid == claimZxid;
    }

    /**
     * An event of a spec, which only a view whose server sends no zxid watches ({@code SupervisorView#watchSpecs}):
     * nothing tells whose transaction it comes from, so a new or changed spec's placement is read
     * when it is needed.
     */
    void onSpecEvent(Watcher.Event.EventType type, String key) {
        switch (type) {
            case NodeCreated -> specs.put(key, SpecSlot.LISTED);
            case NodeDataChanged -> specs.computeIfPresent(key, (k, slot) -> SpecSlot.unread(slot.czxid()));
            case NodeDeleted -> specDeleted(key);
            default -> {
            }
        }
    }

    private void specDeleted(String key) {
        untrusted.forget(paths.spec(key));
        boolean known = specs.remove(key) != null;
        if ((specsRemovedHere.remove(key) || known) && !closed.getAsBoolean()) {
            listener.onSpecRemoved(key);
        }
    }

    /** A ring-placed spec created by the claim of {@code zxid}: the instance its batch shares. */
    private SpecSlot claimSlot(long zxid) {
        SpecSlot slot = claimSlot;
        if (slot == null || slot.czxid() != zxid) {
            slot = claimSlot = new SpecSlot(zxid, true, null);
        }
        return slot;
    }

    /** The owner entry of a new claim of {@code zxid} by {@link #claimNode}: the instance its batch shares. */
    private Owner claimOwner(long zxid, long session) {
        Owner o = claimOwner;
        if (o == null || o.epoch() != zxid || o.session() != session || !o.node().equals(claimNode)) {
            o = claimOwner = new Owner(claimNode, zxid, 0, session);
        }
        return o;
    }

    void onOwnerEvent(Watcher.Event.EventType type, String key, long zxid) {
        switch (type) {
            case NodeCreated -> {
                Long session = ownersFromEvents && ofClaim(zxid) ? members.session(claimNode) : null;
                if (session != null) {
                    owners.put(key, claimOwner(zxid, session));
                } else {
                    loader.readOne(paths.owner(key), key, owners::apply);
                }
                SpecSignal signal = signal(zxid, true);
                if (signal == SpecSignal.STORED_NOW) {
                    // Placed by the ring, unless the transaction sets this entry too (below).
                    specs.merge(key, claimSlot(zxid), (old, fresh) -> old.czxid() == zxid ? old : fresh);
                } else if (signal == SpecSignal.STORED_BEFORE) {
                    specs.putIfAbsent(key, SpecSlot.LISTED); // known already, but for a view that missed it
                }
            }
            case NodeDataChanged -> {
                if (signal(zxid, true) != SpecSignal.STORED_NOW || !pinnedByClaim(key, zxid)) {
                    loader.readOne(paths.owner(key), key, owners::apply);
                }
            }
            case NodeDeleted -> {
                untrusted.forget(paths.owner(key));
                SpecSignal signal = signal(zxid, false);
                if (signal == SpecSignal.SPEC_MOVED) {
                    // Before the entry goes: the listener told of it looks at the spec's placement.
                    specs.computeIfPresent(key, (k, slot) -> SpecSlot.unread(slot.czxid()));
                }
                owners.remove(key, zxid);
                if (signal == SpecSignal.SPEC_REMOVED) {
                    specDeleted(key); // after, as the transaction deleted them: entry, then spec
                }
            }
            default -> {
            }
        }
    }

    /**
     * Pins the spec of {@code key} to the claimer of {@code zxid} if that transaction stored it:
     * it sets the owner entry it creates with the spec (see {@code OwnerZnodes#claimNewAsync}).
     * Whether it did.
     */
    private boolean pinnedByClaim(String key, long zxid) {
        boolean[] pinned = {false};
        specs.computeIfPresent(key, (k, slot) -> {
            if (slot.czxid() != zxid) {
                return slot;
            }
            pinned[0] = true;
            return new SpecSlot(zxid, true, claimNode);
        });
        return pinned[0];
    }
}
