package io.distributedsupervisor.inmemory;

import io.distributedsupervisor.spi.BackendException;
import io.distributedsupervisor.spi.ClaimConflictException;
import io.distributedsupervisor.spi.Delivery;
import io.distributedsupervisor.spi.Member;
import io.distributedsupervisor.spi.MessageHandler;
import io.distributedsupervisor.spi.NodeSession;
import io.distributedsupervisor.spi.Owner;
import io.distributedsupervisor.spi.SessionListener;
import io.distributedsupervisor.spi.SessionState;
import io.distributedsupervisor.spi.SpecRecord;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One node's session in one group of an {@link InMemoryCluster}. */
final class InMemorySession implements NodeSession {
    private static final Logger LOG = LoggerFactory.getLogger(InMemorySession.class);
    /** How long a graceful close waits for the session's listener to finish its last events. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    private final Group group;
    private final String node;
    private final long id;
    private final SessionListener listener;
    private final MessageHandler handler;
    private final EventLoop events;
    /** Replies this node still owes; answered "maybe delivered" when it goes down, as a lost connection's would be. */
    private final Set<CompletableFuture<Delivery>> pending = ConcurrentHashMap.newKeySet();
    private final CopyOnWriteArrayList<Runnable> onEnd = new CopyOnWriteArrayList<>();

    private final Object stateLock = new Object();
    /** Null while open; else why it ended ("crashed", "been closed"). */
    private volatile String ended;
    private volatile boolean suspended;
    private volatile boolean lease = true;

    InMemorySession(Group group, String node, long id, SessionListener listener, MessageHandler handler) {
        this.group = group;
        this.node = node;
        this.id = id;
        this.listener = listener;
        this.handler = handler;
        // The cluster tracks a session until its last event ran, so that close() can wait for the
        // thread, and forgets it then, so that a long-lived cluster does not keep dead nodes' runtimes.
        this.events = new EventLoop("inmemory-events-" + group.cluster.name() + "-" + group.name + "-" + node + "#" + id,
                () -> group.cluster.forget(this));
    }

    @Override
    public String node() {
        return node;
    }

    @Override
    public long sessionId() {
        return id;
    }

    @Override
    public boolean holdsLease() {
        return lease;
    }

    InMemoryCluster cluster() {
        return group.cluster;
    }

    boolean isOpen() {
        return ended == null;
    }

    boolean eventThreadAlive() {
        return events.isAlive();
    }

    /** Runs {@code action} when the session ends (at once if it has); idempotent actions only, it may run twice. */
    void onEnd(Runnable action) {
        onEnd.add(action);
        if (!isOpen()) {
            action.run();
        }
    }

    void post(Consumer<SessionListener> event) {
        events.post(() -> event.accept(listener));
    }

    // ---- membership ----

    @Override
    public Map<String, Member> members() {
        return group.members();
    }

    @Override
    public void leave() {
        group.removeMember(this);
    }

    // ---- child store ----

    @Override
    public Optional<SpecRecord> spec(String key) {
        return Optional.ofNullable(group.specs.get(key));
    }

    @Override
    public boolean hasSpec(String key) {
        return group.specs.containsKey(key);
    }

    @Override
    public void forEachSpecKey(Consumer<String> action) {
        group.specs.keySet().forEach(action);
    }

    @Override
    public boolean removeSpec(String key) {
        checkKey(key);
        checkWritable();
        if (group.specs.remove(key) == null) {
            return false;
        }
        group.specRemoved(key);
        return true;
    }

    // ---- owner registry ----

    @Override
    public Optional<Owner> owner(String key) {
        return Optional.ofNullable(group.owners.get(key));
    }

    @Override
    public void forEachOwner(BiConsumer<String, Owner> action) {
        group.owners.forEach(action);
    }

    @Override
    public Owner claimNew(String key, SpecRecord spec) {
        checkKey(key);
        checkWritable();
        ClaimOutcome out = new ClaimOutcome();
        // The spec is stored inside the owner key's compute, so no claimStored/releaseAndRemoveSpec
        // of the same key can run between the owner check and the spec write.
        group.owners.compute(key, (k, existing) -> {
            if (existing != null) {
                out.conflict = existing;
                return existing;
            }
            if (spec != null && group.specs.putIfAbsent(k, spec) != null) {
                return null; // a conflict with no owner to name
            }
            out.claimed = new Owner(node, group.cluster.nextEpoch(), 0, id);
            return out.claimed;
        });
        if (out.claimed == null) {
            throw new ClaimConflictException(key, out.conflict);
        }
        return fenceClaim(key, out.claimed);
    }

    @Override
    public Optional<Owner> claimStored(String key) {
        checkKey(key);
        checkWritable();
        ClaimOutcome out = new ClaimOutcome();
        group.owners.compute(key, (k, existing) -> {
            if (existing != null) {
                out.conflict = existing;
                return existing;
            }
            if (!group.specs.containsKey(k)) {
                return null;
            }
            out.claimed = new Owner(node, group.cluster.nextEpoch(), 0, id);
            return out.claimed;
        });
        if (out.conflict != null) {
            throw new ClaimConflictException(key, out.conflict);
        }
        return out.claimed == null ? Optional.empty() : Optional.of(fenceClaim(key, out.claimed));
    }

    /**
     * A claim that raced this session's end: the end's sweep may have passed the key before the
     * entry appeared, so the entry is removed here and the claim refused. Either this check sees
     * the session ended, or the end (flag, then sweep) started after the entry was in the map and
     * its sweep removes it.
     */
    private Owner fenceClaim(String key, Owner claimed) {
        if (!isOpen()) {
            group.removeOwnerIfSession(key, id);
            throw new BackendException("the session " + id + " of node " + node + " in supervisor " + group.name
                    + " has " + ended + " while claiming key " + key + "; the claim does not hold");
        }
        return claimed;
    }

    @Override
    public boolean updateOwner(String key, Owner owner) {
        checkKey(key);
        Objects.requireNonNull(owner, "owner");
        if (owner.session() != id || !owner.node().equals(node)) {
            throw new IllegalArgumentException("updateOwner of key " + key + " got " + owner
                    + ", which is not an entry of this session (node " + node + ", session " + id + ")");
        }
        checkWritable();
        boolean[] replaced = {false};
        group.owners.computeIfPresent(key, (k, v) -> {
            if (v.session() != id) {
                return v;
            }
            if (v.epoch() != owner.epoch()) {
                // The epoch is the registry's token (ZooKeeper: czxid); no update can change it.
                throw new IllegalArgumentException("updateOwner of key " + key + " would change the claim's epoch from "
                        + v.epoch() + " to " + owner.epoch() + "; only the registry assigns epochs");
            }
            replaced[0] = true;
            return owner;
        });
        return replaced[0];
    }

    @Override
    public boolean release(String key) {
        checkKey(key);
        checkWritable();
        return group.removeOwnerIfSession(key, id) != null;
    }

    @Override
    public boolean releaseTo(String key, String node) {
        checkKey(key);
        checkWritable();
        Objects.requireNonNull(node, "node");
        Owner[] removed = new Owner[1];
        group.owners.computeIfPresent(key, (k, v) -> {
            if (v.session() != id || group.specs.computeIfPresent(k, (sk, spec) -> new SpecRecord(spec.spec(), node)) == null) {
                return v;
            }
            removed[0] = v;
            return null;
        });
        if (removed[0] == null) {
            return false;
        }
        group.ownerRemoved(key, removed[0]);
        return true;
    }

    @Override
    public boolean releaseAndRemoveSpec(String key) {
        checkKey(key);
        checkWritable();
        Owner[] removed = new Owner[1];
        SpecRecord[] spec = new SpecRecord[1];
        group.owners.computeIfPresent(key, (k, v) -> {
            if (v.session() != id) {
                return v;
            }
            removed[0] = v;
            spec[0] = group.specs.remove(k);
            return null;
        });
        if (removed[0] == null) {
            return false;
        }
        group.ownerRemoved(key, removed[0]);
        if (spec[0] != null) {
            group.specRemoved(key);
        }
        return true;
    }

    // ---- transport ----

    @Override
    public boolean passesByReference() {
        return group.cluster.passesByReference();
    }

    @Override
    public CompletableFuture<Delivery> request(String target, byte[] message) {
        Objects.requireNonNull(target, "node");
        Objects.requireNonNull(message, "message");
        if (!isOpen()) {
            return CompletableFuture.completedFuture(new Delivery.NotSent("node " + node + " of supervisor " + group.name
                    + " cannot send a request to " + target + ": its session has " + ended));
        }
        InMemorySession to = group.sessions.get(target);
        if (to == null) {
            return CompletableFuture.completedFuture(new Delivery.NotSent(notReachable(target)));
        }
        return to.deliverRequest(node, message);
    }

    @Override
    public Delivery send(String target, byte[] message) {
        Objects.requireNonNull(target, "node");
        Objects.requireNonNull(message, "message");
        if (!isOpen()) {
            return new Delivery.NotSent("node " + node + " of supervisor " + group.name + " has " + ended);
        }
        InMemorySession to = group.sessions.get(target);
        if (to == null) {
            return new Delivery.NotSent(notReachable(target));
        }
        to.deliverMessage(node, message);
        return Delivery.SENT;
    }

    private String notReachable(String target) {
        return "node " + target + " is not a live node of supervisor " + group.name + " (no open session by that name)";
    }

    /** Runs the handler on the caller's thread: that alone keeps each sender's messages in order. */
    private CompletableFuture<Delivery> deliverRequest(String from, byte[] message) {
        CompletableFuture<Delivery> result = new CompletableFuture<>();
        pending.add(result);
        try {
            handler.onRequest(from, message, reply -> {
                if (pending.remove(result)) {
                    result.complete(new Delivery.Replied(reply));
                }
            });
        } catch (RuntimeException | Error e) {
            pending.remove(result);
            result.complete(new Delivery.Refused(node, "the message handler of node " + node + " threw on a request from "
                    + from + ": " + e));
            return result;
        }
        if (!isOpen()) {
            // Raced this node's end, whose sweep of pending replies may have missed this one.
            failPending(result);
        }
        return result;
    }

    private void deliverMessage(String from, byte[] message) {
        try {
            handler.onMessage(from, message);
        } catch (RuntimeException e) {
            // Delivered; what the receiver does with it is the receiver's business, as on a network.
            LOG.warn("message handler of node {} in supervisor {} threw on a message from {}", node, group.name, from, e);
        }
    }

    private void failPending(CompletableFuture<Delivery> reply) {
        if (pending.remove(reply)) {
            reply.complete(new Delivery.MaybeDelivered("node " + node + " of supervisor " + group.name
                    + " went down (its session has " + ended + ") before replying"));
        }
    }

    // ---- session state ----

    boolean suspend() {
        synchronized (stateLock) {
            if (!isOpen() || suspended) {
                return false;
            }
            suspended = true;
            lease = false;
        }
        post(l -> l.onSessionState(SessionState.SUSPENDED));
        return true;
    }

    boolean resume() {
        synchronized (stateLock) {
            if (!isOpen() || !suspended) {
                return false;
            }
            suspended = false;
            lease = true;
        }
        post(SessionListener::onLeaseRestored);
        post(l -> l.onSessionState(SessionState.RECONNECTED));
        return true;
    }

    /** Abrupt end, as a lost ZooKeeper session: no leave first, no wait for the listener. */
    void crash() {
        if (markEnded("crashed")) {
            finish(false);
        }
    }

    @Override
    public void close() {
        if (!isOpen()) {
            return;
        }
        leave();
        if (markEnded("been closed")) {
            finish(true);
        }
    }

    private boolean markEnded(String reason) {
        synchronized (stateLock) {
            if (ended != null) {
                return false;
            }
            ended = reason;
            lease = false;
        }
        return true;
    }

    /** Runs once per session, after {@link #markEnded}: flag first, then sweeps (see {@link #fenceClaim}). */
    private void finish(boolean awaitListener) {
        group.removeSession(this);
        group.removeOwnersOf(id);
        for (CompletableFuture<Delivery> reply : pending) {
            failPending(reply);
        }
        post(l -> l.onSessionState(SessionState.CLOSED));
        events.stop();
        for (Runnable action : onEnd) {
            action.run();
        }
        if (awaitListener) {
            events.awaitStopped(CLOSE_WAIT);
        }
    }

    /** For the cluster's own close: the thread must be gone even after a crash. */
    void awaitListenerStopped() {
        events.awaitStopped(CLOSE_WAIT);
    }

    private void checkWritable() {
        String why = ended;
        if (why != null) {
            throw new BackendException("the session " + id + " of node " + node + " in supervisor " + group.name
                    + " has " + why + "; writes are refused");
        }
        if (suspended) {
            throw new BackendException("node " + node + " of supervisor " + group.name
                    + " is disconnected from coordination storage (suspended); writes are refused until it reconnects");
        }
    }

    private static void checkKey(String key) {
        Objects.requireNonNull(key, "key");
        if (key.isEmpty() || key.indexOf('/') >= 0) {
            throw new IllegalArgumentException("invalid key '" + key + "': keys are non-empty and free of '/'");
        }
    }

    @Override
    public String toString() {
        return "InMemorySession[" + group.name + "/" + node + "#" + id + (isOpen() ? "" : ", " + ended) + "]";
    }

    private static final class ClaimOutcome {
        Owner conflict;
        Owner claimed;
    }
}
