package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.Scheduler;
import io.distributedsupervisor.spi.BackendException;
import io.distributedsupervisor.spi.Member;
import io.distributedsupervisor.spi.Owner;
import io.distributedsupervisor.spi.SessionListener;
import io.distributedsupervisor.spi.SpecRecord;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's in-memory view of one supervisor's tree ({@code members/}, {@code leaving/},
 * {@code children/}, {@code owners/}, {@code successions/}), fed by persistent recursive watches
 * set through the raw ZooKeeper handle, whose events carry the zxid of the transaction that
 * caused them (Curator's namespace wrapper drops it). {@code children/} is not watched: a start
 * would cost every node two events, and what a view needs of the specs comes with the owner
 * entries' events ({@link SpecSignal}).
 *
 * <p>What it holds, and what that costs:
 * <ul>
 *   <li>Members: name, transport address and session id, read once when a member appears, and
 *       only those that {@link MemberProofs} verifies ({@link TrustedMembers}).</li>
 *   <li>Specs: the keys and where each is placed (by the ring, or pinned to a node), learnt
 *       from the events of the owner entries whose transactions store, move or delete them: how
 *       many times the transaction sets its writer's member znode says which
 *       ({@link SpecSignal}), and a spec pinned to its claimer has its new owner entry set in
 *       that transaction too. A spec's content is read when a node needs it (to start an orphan
 *       it takes over), so that starting a child costs the other nodes no read. With a server
 *       that sends no zxid with its events (before ZooKeeper 3.9), the view cannot tell the
 *       transactions apart, and watches {@code children/} instead, from the first such event
 *       on.</li>
 *   <li>Owners: node, epoch, restarts and session. A claim's multi-op sets the data of the
 *       claimer's own {@code members/<node>} znode before it creates {@code owners/<key>}, so the
 *       watch brings both changes with the same zxid, in that order: every node learns a new
 *       owner entry from the events alone. An entry changed any other way (a restart, a claim by
 *       a member whose session is not known yet, a znode written by hand) is read, and counts
 *       only if {@link MemberProofs} verifies it. Entries outlive their sessions: what an entry
 *       stands for comes through the {@link Successions} of ended sessions
 *       ({@link OwnerEntries}).</li>
 *   <li>Leaving markers and successions: a few, each read when it appears, and counted only if
 *       it verifies. A member's session that ends while it holds entries gets its succession
 *       written ({@link SuccessionZnodes}).</li>
 * </ul>
 *
 * <p>Trust: anything that does not verify is ignored (no member, no owner, no event) and
 * reported once ({@link UntrustedEntries}). Learning an owner from a claim's events trusts that
 * whoever set a verified member's znode in the transaction is that member; only clients that may
 * write {@code members/} can do that, so it is done only when the ZooKeeper ACL keeps other
 * clients out (or nothing is verified anyway, in open mode). With open ACLs and a cluster secret,
 * every new owner entry is read and verified instead, which costs every node a read per start.
 *
 * <p>Order: every change to the view happens on ZooKeeper's event thread, where watch events and
 * the replies to asynchronous reads arrive in the order the server sent them, so a reply never
 * undoes a later event. The node that writes also updates its view at once, from its own thread
 * (read-your-writes); so that such a write and a late event cannot undo each other, an owner
 * entry is never replaced by an older one (smaller epoch, or same epoch and fewer restarts), and
 * a deletion older than the entry it would remove is ignored. A succession, once verified, is
 * applied on a thread of its own ({@link SuccessionZnodes}): it changes no entry, only what the
 * entries of its session stand for, and the runtime checks each key it is told against the view
 * when it acts on it.
 *
 * <p>Connection: watches can miss changes while the client is disconnected, so after a
 * reconnection with the same session the session calls {@link #reload()}, which reads the three
 * trees again and applies the difference. A new session gets a new view.
 *
 * <p>Its parts: the view handles the events and the session's own writes; {@link ClaimEvents}
 * learns the owner entries and specs from the claims' events, {@link MemberEvents}
 * keeps the members and leaving markers, {@link OwnerEntries} the owner entries,
 * {@link SuccessionZnodes} the successions, {@link ViewLoader} reads the trees and the znodes
 * events name, and {@link SpecReads} reads the specs' placements and content on a caller's demand.
 */
final class SupervisorView implements Watcher {
    private static final Logger LOG = LoggerFactory.getLogger(SupervisorView.class);

    private final ZooKeeper zk;
    private final String node;
    /** The supervisor's paths as the raw handle spells them. */
    private final ZnodeLayout paths;
    private final String base;
    /** {@code base + "/"}: every event's path is tested against it. */
    private final String basePrefix;
    private final SessionListener listener;
    private final Duration readTimeout;
    private final BooleanSupplier closed;
    private final MemberProofs proofs;
    private final UntrustedEntries untrusted;
    private final MemberEvents memberEvents;

    private final TrustedMembers members = new TrustedMembers();
    /** Specs and owner entries, one map entry per key for both (a view holds every child of the cluster). */
    private final ChildEntries<SpecSlot, Owner> entries = new ChildEntries<>();
    private final ChildEntries<SpecSlot, Owner>.Part<SpecSlot> specs = entries.specs;
    private final OwnerEntries owners;
    private final SuccessionZnodes successions;
    private final ViewLoader loader;
    private final SpecReads specReads;
    /** The buckets seen in {@code children/} and in {@code owners/}: a claim needs both ({@link Buckets}). */
    private final Set<String> specBuckets = ConcurrentHashMap.newKeySet();
    private final Set<String> ownerBuckets = ConcurrentHashMap.newKeySet();
    /** What the claims' transactions' events tell of owner entries and specs. */
    private final ClaimEvents claims;
    /** Whether the server sends no zxid with its events: then {@code children/} is watched too. Event thread only, after a start. */
    private volatile boolean specsWatched;

    /** How a view tells what to believe. */
    record Trust(MemberProofs proofs, UntrustedEntries untrusted, boolean ownersFromEvents, Runnable ownMemberDeleted) {
    }

    /**
     * @param zk        the session's handle; its {@code chroot} applies, Curator's namespace does not
     * @param paths     the supervisor's paths as the raw handle sees them (namespace included)
     */
    SupervisorView(ZooKeeper zk, String node, long sessionId, ZnodeLayout paths, SessionListener listener,
                   Duration failoverMargin, Scheduler scheduler, Duration readTimeout, Duration sessionTimeout,
                   BooleanSupplier closed, Trust trust, List<ACL> acl) {
        this.zk = zk;
        this.node = node;
        this.paths = paths;
        this.base = paths.supervisor();
        this.basePrefix = base + "/";
        this.listener = listener;
        this.readTimeout = readTimeout;
        this.closed = closed;
        this.proofs = trust.proofs();
        this.untrusted = trust.untrusted();
        this.loader = new ViewLoader(zk, paths, listener, closed, untrusted);
        this.specReads = new SpecReads(specs, loader, paths, untrusted, readTimeout);
        Successions known = new Successions();
        this.owners = new OwnerEntries(entries.owners, sessionId, paths, listener, closed, proofs, untrusted,
                known, specs::containsKey);
        this.successions = new SuccessionZnodes(zk, paths, node, sessionId, proofs, acl, known, owners,
                new SuccessionZnodes.Context(members::heirs, members::sessions, untrusted, failoverMargin, scheduler,
                        closed, readTimeout, sessionTimeout));
        this.memberEvents = new MemberEvents(members, loader, paths, node, sessionId, trust, listener, closed,
                successions);
        this.claims = new ClaimEvents(paths, specs, owners, members, loader, untrusted, listener, closed,
                trust.ownersFromEvents());
    }

    /**
     * Sets the watch, then reads the trees; returns once the view holds them. A large tree takes
     * as long as it takes (a million owner entries, read by several nodes restarting at once, take
     * longer than any timeout set for one answer): the load fails only when no answer came for
     * the read timeout.
     */
    void start() throws Exception {
        for (String folder : WATCHED) {
            zk.addWatch(base + "/" + folder, this, AddWatchMode.PERSISTENT_RECURSIVE);
        }
        CompletableFuture<Void> loaded = reload();
        long seen = -1;
        while (true) {
            try {
                loaded.get(readTimeout.toMillis(), TimeUnit.MILLISECONDS);
                return;
            } catch (java.util.concurrent.TimeoutException e) {
                long now = loader.answers();
                if (now == seen) {
                    throw new BackendException("the view of " + base + " stopped loading: no answer from ZooKeeper "
                            + "within " + readTimeout);
                }
                seen = now;
            }
        }
    }

    /** The folders whose znodes a view watches: all but {@code children/} (see the class comment) and {@code requests/}. */
    private static final List<String> WATCHED = List.of("members", "leaving", "owners", "successions");

    /** Stops the watches; the view keeps what it holds. */
    void stop() {
        List<String> watched = new java.util.ArrayList<>(WATCHED);
        if (specsWatched) {
            watched.add("children");
        }
        for (String folder : watched) {
            try {
                zk.removeAllWatches(base + "/" + folder, WatcherType.Any, true);
            } catch (Exception e) {
                // Closing the handle ends the watch anyway.
                LOG.debug("removing the watch of {}/{} failed: {}", base, folder, e.toString());
            }
        }
    }

    /**
     * An event without a zxid: the server is older than ZooKeeper 3.9, and the owner entries'
     * events say nothing of the specs. From now on {@code children/} is watched too, and read
     * again for what the view may have missed.
     */
    private void watchSpecs() {
        specsWatched = true;
        LOG.info("node {}: ZooKeeper sends no zxid with its events (a server before 3.9): watching the specs of {}"
                + " too", node, base);
        zk.addWatch(paths.children(), this, AddWatchMode.PERSISTENT_RECURSIVE, (rc, path, ctx) -> {
            if (rc == 0) {
                loader.loadSpecs(specs, specBuckets);
            } else {
                LOG.warn("node {}: could not watch the specs of {}: {}", node, base, KeeperException.Code.get(rc));
            }
        }, null);
    }

    // ---- reads, for the session ----

    Map<String, Member> members() {
        return members.members();
    }

    String addressOf(String member) {
        return members.addressOf(member);
    }

    /**
     * The verified transport address of {@code node}: a live member whose znode carries a valid
     * proof, or one that has left and whose session still holds owner entries (a graceful close
     * releases its children after its member znode went). Empty for any other name: the node a
     * transport peer claims to be must be one of these. For a node that left, this scans the
     * owner entries (the transport asks once per connection, not per message).
     */
    Optional<String> verifiedMember(String node) {
        return members.verifiedMember(node, session -> owners.anyMatch(o -> o.session() == session));
    }

    Owner owner(String key) {
        return owners.get(key);
    }

    void forEachOwner(BiConsumer<String, Owner> action) {
        owners.forEach(action);
    }

    /**
     * Whether the view has seen {@code bucket}'s folder in both trees: a folder of specs made after
     * the view loaded is not seen (a view does not watch {@code children/}), and {@link Buckets}
     * makes it again once, which finds it there.
     */
    boolean hasBucket(String bucket) {
        return specBuckets.contains(bucket) && ownerBuckets.contains(bucket);
    }

    boolean hasSpec(String key) {
        return specs.containsKey(key);
    }

    void forEachSpecKey(Consumer<String> action) {
        specs.forEachKey(action);
    }

    /** As the entries keep them apart, without a pass over the others; a stored spec's key always has a standing entry when it has one at all. */
    void forEachSpecKeyWithoutOwner(Consumer<String> action) {
        entries.forEachSpecWithoutOwner(action);
    }

    /** The explicit nodes of the specs under {@code keys} that the view knows (see {@link SpecReads#placements}). */
    Map<String, Optional<String>> placements(Collection<String> keys) {
        return specReads.placements(keys);
    }

    /** The specs under {@code keys} that the view knows (see {@link SpecReads#specs}). */
    Map<String, SpecRecord> specs(Collection<String> keys) {
        return specReads.specs(keys);
    }

    // ---- the writer's own changes (read-your-writes) ----

    /**
     * This session's new claim; {@code spec} when it stored one (created by the claim's
     * transaction). The spec's content is not kept: the child has it, and its node reads it only
     * to take over another node's child. What the claim's events brought first, equal to this,
     * stays (its instance is shared by the batch).
     */
    void claimed(String key, Owner owner, SpecRecord spec) {
        owners.put(key, owner);
        if (spec != null) {
            specs.merge(key, new SpecSlot(owner.epoch(), true, spec.node()),
                    (old, fresh) -> old.equals(fresh) ? old : fresh);
        }
    }

    void updated(String key, Owner owner) {
        owners.put(key, owner);
    }

    /** This session's release of its entry; {@code specBefore}: what {@link #specMark} gave before the spec's removal, if it went too. */
    void released(String key, Object specBefore) {
        owners.released(key);
        if (specBefore != null) {
            specRemoved(key, specBefore);
        }
    }

    /**
     * What the view holds for the spec of {@code key} now (opaque, may be null): taken before a
     * write that deletes the spec, and handed to {@link #specRemoved} after it.
     */
    Object specMark(String key) {
        return specs.get(key);
    }

    /**
     * This session deleted the spec that the view held as {@code before}. Only that one is
     * dropped: by the time the deletion's answer comes, the event thread may have seen the
     * deletion and a new spec under the same key (another node's claim), which must stay.
     */
    void specRemoved(String key, Object before) {
        if (before != null && specs.remove(key, before)) {
            claims.removedHere(key); // its deletion's event still tells the listener
        }
    }

    /** This node is leaving the members on purpose: no live member any more, and its member znode's deletion is no attack. */
    void left() {
        memberEvents.left();
    }

    /** Whether this node has left the members (it claims nothing more). */
    boolean leaving() {
        return memberEvents.leaving();
    }

    /**
     * The runtime's settle window is over: the sessions that ended before this node joined are
     * succeeded from now on ({@link SuccessionZnodes#settled}).
     */
    void settled() {
        successions.settled();
    }

    // ---- events ----

    @Override
    public void process(WatchedEvent event) {
        if (event.getType() == Event.EventType.None || event.getPath() == null || closed.getAsBoolean()) {
            return; // connection states are the session's business
        }
        String path = event.getPath();
        if (!path.startsWith(basePrefix)) {
            return;
        }
        if (event.getZxid() == WatchedEvent.NO_ZXID && !specsWatched) {
            watchSpecs();
        }
        String rest = path.substring(basePrefix.length());
        int slash = rest.indexOf('/');
        if (slash < 0) {
            return; // the folders themselves, or the layout marker
        }
        String folder = rest.substring(0, slash);
        String name = rest.substring(slash + 1);
        int inBucket = name.indexOf('/');
        try {
            switch (folder) {
                case "members" -> {
                    if (inBucket < 0) {
                        onMemberEvent(event.getType(), name, event.getZxid());
                    }
                }
                case "leaving" -> {
                    if (inBucket < 0) {
                        memberEvents.onLeavingEvent(event.getType(), name);
                    }
                }
                case "successions" -> {
                    if (inBucket < 0 && event.getType() == Event.EventType.NodeCreated) {
                        loader.readOne(paths.successions() + "/" + name, name, successions::apply);
                    }
                }
                case "children", "owners" -> {
                    boolean specs = folder.equals("children");
                    if (inBucket < 0) {
                        onBucketEvent(event.getType(), specs, name, path);
                    } else if (ZnodeLayout.isBucket(name.substring(0, inBucket))) {
                        int below = name.indexOf('/', inBucket + 1);
                        String key = name.substring(inBucket + 1, below < 0 ? name.length() : below);
                        if (below >= 0) {
                            if (!specs) {
                                claims.onBelowEntry(event.getType(), key, event.getZxid());
                            } // else a spec's payload
                        } else if (specs) {
                            claims.onSpecEvent(event.getType(), key);
                        } else {
                            claims.onOwnerEvent(event.getType(), key, event.getZxid());
                        }
                    }
                }
                default -> {
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("node {}: handling {} {} failed", node, event.getType(), path, e);
        }
    }

    /**
     * A bucket folder made (claims may use it without making it), or an entry of the first
     * release's flat layout, which no node of this one reads: a node of that release is running
     * beside this one (reported once; {@link LayoutCheck} refuses to start beside one).
     */
    private void onBucketEvent(Event.EventType type, boolean specs, String name, String path) {
        if (type != Event.EventType.NodeCreated) {
            return;
        }
        if (ZnodeLayout.isBucket(name)) {
            (specs ? specBuckets : ownerBuckets).add(name);
        } else {
            untrusted.report(path, 0, LayoutCheck.FLAT_ENTRY_IGNORED);
        }
    }

    private void onMemberEvent(Event.EventType type, String name, long zxid) {
        if (type == Event.EventType.NodeDataChanged) {
            claims.memberTouched(name, zxid);
        }
        memberEvents.onMemberEvent(type, name);
    }

    /**
     * The owner entry of {@code owners/<key>} as the session read it itself, if it verifies; else
     * null (see {@link OwnerEntries#verified}).
     */
    Owner verifiedOwner(String key, byte[] data, Stat stat) {
        return owners.verified(key, data, stat);
    }

    /** The entry that stands for {@code raw}, an entry of {@code owners/<key>} as read (see {@link OwnerEntries}); null if none. */
    Owner standing(String key, Owner raw) {
        return owners.standing(key, raw);
    }

    // ---- loading ----

    /**
     * Reads the three trees and applies the difference to the view; the future completes once
     * every read is answered. Entries that a list does not show are dropped only when they are
     * older than the list ({@code pzxid} of their bucket), so a change made after the list is
     * never undone. The buckets are listed {@link ViewLoader#LISTINGS_IN_FLIGHT} at a time, and
     * each answer is applied as it comes: no answer is larger than a bucket, and a join's memory
     * is the view it builds.
     */
    CompletableFuture<Void> reload() {
        return CompletableFuture.allOf(memberEvents.reload(), loader.loadSpecs(specs, specBuckets),
                        loader.loadOwners(owners, ownerBuckets))
                .thenCompose(v -> loader.loadAll(paths.successions(), name -> paths.successions() + "/" + name,
                        ViewLoader.SUCCESSION_READ_BATCH, successions::apply))
                .thenRun(() -> {
                    successions.rewrite(owners.tellInherited());
                    successions.orphanedSessions();
                    successions.scheduleCleanUp();
                });
    }
}
