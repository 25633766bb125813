package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.spi.Owner;
import io.distributedsupervisor.spi.Placement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The successions of ended sessions, as one view knows them: who holds the owner entries that a
 * session left behind. Owner entries are persistent znodes that name their session; when a
 * member's session ends, one survivor writes {@code successions/<session>} naming the members
 * live then (the heirs, with their sessions). From then on, every entry of that session older
 * than the succession belongs to the heir that the ring over the heirs names for its key, with
 * the succession's {@code czxid} as its epoch: every view derives that, and nobody writes per
 * child. A failover of a node holding any number of children is one write.
 *
 * <p>The rules, the same on every node:
 * <ul>
 *   <li>A succession is final: once written it is never changed, and never written again
 *       differently (a lost race to create it reads the winner's).</li>
 *   <li>It applies to an entry of its session whose epoch is older than it. An entry its session
 *       wrote later (a node whose member znode someone else deleted, and that joined again with
 *       the same session) is that session's own.</li>
 *   <li>An heir's session may have ended too: its succession then applies to what it inherited
 *       (its epoch, the first succession's {@code czxid}, is older than the second). Each step
 *       takes a strictly greater epoch, so following them ends.</li>
 *   <li>The ring alone places an heir's share (not a spec's explicit node): a child pinned to a
 *       node whose session ended goes to the ring's heir, as today when that node is not live.</li>
 * </ul>
 *
 * <p>One per session that ended holding entries, until its heirs have rewritten them and it is
 * deleted ({@link SuccessionZnodes}): held in an array sorted by session and copied on write, read without
 * a lock on every owner lookup (a call's routing), which costs one volatile read when there is
 * none and a binary search otherwise.
 */
final class Successions {

    /** One succession: the ended session, its node, the succession's czxid and the heirs' entries. */
    static final class Succession {
        final long session;
        final String node;
        final long czxid;
        final List<ZnodeData.Heir> heirs;
        /** When this view learnt of it ({@link System#nanoTime}). */
        final long knownSince = System.nanoTime();
        private final UnaryOperator<String> ring;
        /** The entry each heir holds by this succession, by heir name: one instance each, shared by its keys. */
        private final java.util.Map<String, Owner> owners;

        Succession(long session, String node, long czxid, List<ZnodeData.Heir> heirs) {
            this.session = session;
            this.node = node;
            this.czxid = czxid;
            this.heirs = List.copyOf(heirs);
            List<String> names = new ArrayList<>(heirs.size());
            java.util.Map<String, Owner> byName = new java.util.HashMap<>();
            for (ZnodeData.Heir h : heirs) {
                names.add(h.node());
                byName.put(h.node(), new Owner(h.node(), czxid, 0, h.session()));
            }
            this.ring = Placement.ring(names);
            this.owners = byName;
        }

        /** The entry that the heir of {@code key} holds by this succession. */
        Owner ownerOf(String key) {
            return owners.get(ring.apply(key));
        }

        /** Whether this succession applies to {@code entry}: of its session, and older than it. */
        boolean appliesTo(Owner entry) {
            return entry.session() == session && entry.epoch() < czxid;
        }

        @Override
        public String toString() {
            return "succession of session 0x" + Long.toHexString(session) + " (node " + node + ", czxid 0x"
                    + Long.toHexString(czxid) + ") to " + heirs;
        }
    }

    private static final Succession[] NONE = new Succession[0];
    /** Sorted by session. */
    private volatile Succession[] known = NONE;

    /** Adds a succession the view read; false if it knew one of that session already (a succession is final). */
    synchronized boolean add(Succession s) {
        Succession[] all = known;
        int at = indexOf(all, s.session);
        if (at >= 0) {
            return false;
        }
        int insert = -at - 1;
        Succession[] more = new Succession[all.length + 1];
        System.arraycopy(all, 0, more, 0, insert);
        more[insert] = s;
        System.arraycopy(all, insert, more, insert + 1, all.length - insert);
        known = more;
        return true;
    }

    /** The succession of {@code session}, or null. */
    Succession of(long session) {
        Succession[] all = known;
        int at = indexOf(all, session);
        return at >= 0 ? all[at] : null;
    }

    /** Where {@code session} is in {@code all}, or {@code -(insertion point) - 1}. */
    private static int indexOf(Succession[] all, long session) {
        int low = 0;
        int high = all.length - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            long at = all[mid].session;
            if (at < session) {
                low = mid + 1;
            } else if (at > session) {
                high = mid - 1;
            } else {
                return mid;
            }
        }
        return -(low + 1);
    }

    boolean isEmpty() {
        return known.length == 0;
    }

    /** The entry that {@code entry} of {@code key} stands for now: itself, or its heir's after every succession that applies. */
    Owner resolve(String key, Owner entry) {
        Succession[] all = known;
        if (all.length == 0) {
            return entry;
        }
        Owner o = entry;
        for (Succession s = find(all, o); s != null; s = find(all, o)) {
            o = s.ownerOf(key);
        }
        return o;
    }

    /**
     * The entry that stands for {@code entry} of {@code key} now: itself, or its heir's after
     * every succession that applies; null when a succession applies and no spec is
     * {@code stored} under the key (nothing to start it from: no heir, and its heir deletes it).
     * The one rule for the nodes' views and for tools that read the tree. {@code stored} is asked
     * only when a succession applies: a view asks it of a map of every child of the cluster.
     */
    Owner standing(String key, Owner entry, java.util.function.Predicate<String> stored) {
        Owner o = resolve(key, entry);
        return o == entry || stored.test(key) ? o : null;
    }

    /**
     * The entry that {@code entry} of {@code key} stood for just before {@code step} applied to
     * it, or null if {@code step} is not among the successions that apply to it.
     */
    Owner before(String key, Owner entry, Succession step) {
        Succession[] all = known;
        Owner o = entry;
        for (Succession s = find(all, o); s != null; s = find(all, o)) {
            if (s == step) {
                return o;
            }
            o = s.ownerOf(key);
        }
        return null;
    }

    /** Tells {@code action} each succession that applies to {@code entry} of {@code key}, in order. */
    void forEachApplying(String key, Owner entry, java.util.function.Consumer<Succession> action) {
        Succession[] all = known;
        Owner o = entry;
        for (Succession s = find(all, o); s != null; s = find(all, o)) {
            action.accept(s);
            o = s.ownerOf(key);
        }
    }

    /** Every succession known, by session. */
    List<Succession> all() {
        return List.of(known);
    }

    private static Succession find(Succession[] all, Owner o) {
        int at = indexOf(all, o.session());
        return at >= 0 && all[at].appliesTo(o) ? all[at] : null;
    }
}
