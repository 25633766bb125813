package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.spi.Owner;
import io.distributedsupervisor.spi.SessionListener;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.data.Stat;

/**
 * The owner entries of a {@link SupervisorView}: who holds each key's claim, as the view
 * believes. An entry is put unless the view holds a newer one, and removed when its znode goes
 * (only ever by a write of a live owner or an heir: entries outlive their sessions), telling
 * the listener; an entry read from a znode counts only if {@link MemberProofs}
 * verifies it.
 *
 * <p>What it holds is each znode's entry as written (the raw entry); what it answers is the entry
 * that stands for it now: the raw entry, or its heir's once a {@link Successions succession}
 * applies to it. An entry of an ended session whose key has no stored spec has no heir (nothing to
 * start it from): it is answered as no entry, and its heir deletes its znode. When a succession
 * comes, {@link #succeeded} tells this node's listener what changed for it.
 *
 * <p>Written on ZooKeeper's event thread (events, the answers of reads), and on the writer's own
 * thread for this session's claims, restarts and releases (read-your-writes); read from any
 * thread. {@link #succeeded} runs where the view applies a succession.
 */
final class OwnerEntries {
    /** Inherited keys told to the listener together while a succession's scan goes on. */
    static final int INHERITED_TOLD_TOGETHER = 4_096;
    private final ChildEntries<SpecSlot, Owner>.Part<Owner> owners;
    private final long sessionId;
    /** The supervisor's paths as the raw handle spells them (for the reports of untrusted entries). */
    private final ZnodeLayout paths;
    private final SessionListener listener;
    private final BooleanSupplier closed;
    private final MemberProofs proofs;
    private final UntrustedEntries untrusted;
    private final Successions successions;
    /** Whether a spec is stored under a key, as the view has it. */
    private final Predicate<String> hasSpec;
    /** One instance of each node name that owner entries name (a few; see {@link #put}). */
    private final ConcurrentHashMap<String, String> nodeNames = new ConcurrentHashMap<>();
    /** This session's entries that it released and dropped at once, until their deletion events come. */
    private final ConcurrentHashMap<String, Owner> releasedHere = new ConcurrentHashMap<>();

    OwnerEntries(ChildEntries<SpecSlot, Owner>.Part<Owner> owners, long sessionId, ZnodeLayout paths,
                 SessionListener listener, BooleanSupplier closed,
                 MemberProofs proofs, UntrustedEntries untrusted, Successions successions, Predicate<String> hasSpec) {
        this.owners = owners;
        this.sessionId = sessionId;
        this.paths = paths;
        this.listener = listener;
        this.closed = closed;
        this.proofs = proofs;
        this.untrusted = untrusted;
        this.successions = successions;
        this.hasSpec = hasSpec;
    }

    /** The entry that stands for {@code key}'s claim now (see the class comment), or null. */
    Owner get(String key) {
        Owner raw = owners.get(key);
        return raw == null ? null : standing(key, raw);
    }

    /** The entry of {@code key}'s znode as written, or null. */
    Owner raw(String key) {
        return owners.get(key);
    }

    /** The entry that stands for {@code raw}, the entry of {@code key}'s znode; null if none does. */
    Owner standing(String key, Owner raw) {
        return successions.isEmpty() ? raw : successions.standing(key, raw, hasSpec);
    }

    void forEach(BiConsumer<String, Owner> action) {
        if (successions.isEmpty()) {
            owners.forEach(action);
            return;
        }
        owners.forEach((key, raw) -> {
            Owner o = standing(key, raw);
            if (o != null) {
                action.accept(key, o);
            }
        });
    }

    /** Whether any standing entry passes {@code test}. */
    boolean anyMatch(Predicate<Owner> test) {
        if (successions.isEmpty()) {
            return owners.anyMatch(test);
        }
        boolean[] found = {false};
        owners.forEach((key, raw) -> {
            if (!found[0]) {
                Owner o = standing(key, raw);
                found[0] = o != null && test.test(o);
            }
        });
        return found[0];
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
        owners.merge(key, entry, (old, fresh) -> old.epoch() > fresh.epoch()
                || (old.epoch() == fresh.epoch() && old.restarts() > fresh.restarts()) ? old : fresh);
    }

    /** The entry's znode is gone, deleted in {@code zxid} (or unknown: {@link WatchedEvent#NO_ZXID}). */
    void remove(String key, long zxid) {
        Owner raw = owners.get(key);
        if (raw == null) {
            Owner ours = releasedHere.remove(key);
            if (ours != null && !closed.getAsBoolean()) {
                listener.onOwnerRemoved(key, ours);
            }
            return;
        }
        if (zxid != WatchedEvent.NO_ZXID && raw.epoch() > zxid) {
            return; // the deletion of an older claim than the one the view holds
        }
        Owner previous = standing(key, raw);
        if (!owners.remove(key, raw)) {
            return;
        }
        if (previous == null) {
            return; // an entry without heir, told gone when its succession came
        }
        releasedHere.remove(key, previous);
        if (!closed.getAsBoolean()) {
            listener.onOwnerRemoved(key, previous);
        }
    }

    /** This session released its entry of {@code key}: dropped at once, and told when its deletion event comes. */
    void released(String key) {
        Owner raw = owners.get(key);
        Owner o = raw == null ? null : standing(key, raw);
        if (o != null && o.session() == sessionId && owners.remove(key, raw)) {
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
        // A claim this view believes, whose data someone changed since (only possible with open
        // ACLs): the entry it holds stands until a write that verifies replaces it, or a deletion.
    }

    /**
     * A succession came: tells this node's listener what it changes for it, for every entry the
     * succession applies to (directly, or through the successions before it): an entry of this
     * session that it took away (someone ended this session's membership while it ran: its
     * children are dropped here), an entry without heir (no spec: told gone, on every node, and
     * returned when this node is to delete its znode), and the keys this node inherits, told
     * {@value #INHERITED_TOLD_TOGETHER} at a time while the scan goes on: the pass over a million
     * entries takes a second on a busy node, and the runtime reads the first keys' specs meanwhile.
     * The last part says so ({@code more} false), so that the runtime reports one failover.
     *
     * @return the keys this node inherits, and those of the entries without heir whose znodes it deletes
     */
    Succeeded succeeded(Successions.Succession s) {
        List<String> inherited = new java.util.ArrayList<>();
        List<String> sweep = new java.util.ArrayList<>();
        List<java.util.Map.Entry<String, Owner>> gone = new java.util.ArrayList<>();
        int[] told = {0};
        owners.forEach((key, raw) -> {
            Owner before = successions.before(key, raw, s);
            if (before == null) {
                return;
            }
            if (before.session() == sessionId) {
                gone.add(java.util.Map.entry(key, before));
            }
            Owner now = standing(key, raw);
            if (now == null) {
                if (before.session() != sessionId) {
                    gone.add(java.util.Map.entry(key, before));
                }
                if (s.ownerOf(key).session() == sessionId) {
                    sweep.add(key);
                }
            } else if (now.session() == sessionId) {
                inherited.add(key);
                if (inherited.size() - told[0] == INHERITED_TOLD_TOGETHER) {
                    told[0] = tellInheritedFrom(inherited, told[0], true);
                }
            }
        });
        if (!closed.getAsBoolean()) {
            for (java.util.Map.Entry<String, Owner> e : gone) {
                listener.onOwnerRemoved(e.getKey(), e.getValue());
            }
        }
        if (told[0] > 0 || !inherited.isEmpty()) {
            tellInheritedFrom(inherited, told[0], false); // the last part, empty when the scan ended on a full one
        }
        return new Succeeded(inherited, sweep);
    }

    /**
     * Tells the listener the keys of {@code inherited} from {@code from} on ({@code more}: parts
     * of the same succession follow), unless there are none and more follow; returns the count told.
     */
    private int tellInheritedFrom(List<String> inherited, int from, boolean more) {
        if ((from < inherited.size() || !more) && !closed.getAsBoolean()) {
            listener.onInherited(List.copyOf(inherited.subList(from, inherited.size())), more);
        }
        return inherited.size();
    }

    /** What a succession gave this node: keys it inherits, and entries without heir whose znodes it deletes. */
    record Succeeded(List<String> inherited, List<String> withoutHeir) {
    }

    /**
     * Tells this node's listener every key it holds by succession (a standing entry of this
     * session whose znode names another): after a load, which may have read the entries after
     * their succession came, so that {@link #succeeded} did not see them. The runtime leaves
     * alone what runs already.
     *
     * @return the keys told
     */
    List<String> tellInherited() {
        if (successions.isEmpty() || closed.getAsBoolean()) {
            return List.of();
        }
        List<String> inherited = new java.util.ArrayList<>();
        owners.forEach((key, raw) -> {
            if (raw.session() != sessionId) {
                Owner o = standing(key, raw);
                if (o != null && o.session() == sessionId) {
                    inherited.add(key);
                }
            }
        });
        if (!inherited.isEmpty()) {
            tellInheritedFrom(inherited, 0, false);
        }
        return inherited;
    }

    /**
     * The sessions of the successions that some entry's znode still needs: one whose session it
     * names (directly, or through the successions before).
     */
    java.util.Set<Long> successionsInUse() {
        java.util.Set<Long> inUse = new java.util.HashSet<>();
        if (successions.isEmpty()) {
            return inUse;
        }
        owners.forEach((key, raw) -> successions.forEachApplying(key, raw, s -> inUse.add(s.session)));
        return inUse;
    }

    /** The sessions that standing entries name, with a node each names: those a succession may be needed for. */
    java.util.Map<Long, String> sessions() {
        java.util.Map<Long, String> named = new java.util.HashMap<>();
        forEach((key, o) -> named.putIfAbsent(o.session(), o.node()));
        return named;
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
