package io.distributedsupervisor.spi;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * One node's membership in a supervisor's group. Reads ({@link #members}, {@link #spec},
 * {@link #owner}, the {@code forEach} methods) answer from a local cache and touch no network;
 * writes go to coordination storage and are atomic as documented. Keys are the encoded child
 * ids: non-empty and free of {@code /}.
 *
 * <p>Every method is thread-safe. After {@link #close()} or the session's end, writes throw
 * {@link BackendException} and messages are {@link Delivery.NotSent not sent}. While the session is
 * {@link SessionState#SUSPENDED}, writes may throw {@link BackendException} too.
 */
public interface NodeSession extends AutoCloseable {

    /** This node's name. */
    String node();

    /** This session's id, as it appears in {@link Owner#session()}. */
    long sessionId();

    /**
     * Whether this node may process messages now: true while contact with coordination storage
     * was confirmed recently enough that the session cannot have expired unseen. One volatile
     * read; called before every message a child processes.
     */
    boolean holdsLease();

    /**
     * How long the lease holds from now without another confirmed contact with coordination
     * storage: {@link java.time.Duration#ZERO} when {@link #holdsLease()} is false; empty when the
     * lease does not run out by time (a backend whose lease holds as long as the session is joined
     * and connected). For health reports, not the message path. The default is such a backend.
     */
    default Optional<java.time.Duration> leaseRemaining() {
        return holdsLease() ? Optional.empty() : Optional.of(java.time.Duration.ZERO);
    }

    // ---- membership ----

    /** The live members by node name, this node included (until it {@linkplain #leave() leaves}). */
    Map<String, Member> members();

    /**
     * Removes this node from the live members, so that the others stop placing children here,
     * while its owner entries, its store access and its transport stay: the first step of a
     * graceful close. Idempotent.
     */
    void leave();

    /**
     * The runtime's settle time is over (or it has none; {@code SupervisorOptions.settleTime}):
     * a backend that hands the owner entries of ended sessions to heirs (see
     * {@link SessionListener#onInherited}) may now do so for the sessions that ended before this
     * node joined, as after a restart of the whole cluster, so that the nodes restarting together
     * are among the heirs. Called once per session, after the join and while the node runs,
     * from the runtime's reconciliation (a thread that may block); the default does nothing.
     */
    default void settled() {
    }

    // ---- child store ----

    /**
     * Whether a spec is stored under {@code key}, as the local view has it: no network. A view
     * may hold the keys of the stored specs without their contents, which are read when needed
     * ({@link #spec}, {@link #specs}): a start must not cost every node a read.
     */
    boolean hasSpec(String key);

    /** The keys of the stored specs, as the local view has them: no network. */
    void forEachSpecKey(Consumer<String> action);

    /**
     * The keys of the stored specs that have no owner entry, as the local view has them: no
     * network. These are the orphans a reconciliation places, looked for after every change of
     * members and at every reconcile interval; a view of a million children should answer in one
     * pass. The default asks {@link #owner} for each key of {@link #forEachSpecKey}.
     */
    default void forEachSpecKeyWithoutOwner(Consumer<String> action) {
        forEachSpecKey(key -> {
            if (owner(key).isEmpty()) {
                action.accept(key);
            }
        });
    }

    /**
     * The spec stored under {@code key}. May read coordination storage when the local view holds
     * the key only.
     *
     * @throws BackendException if storage cannot be read
     */
    Optional<SpecRecord> spec(String key);

    /**
     * The specs stored under {@code keys}, read together (a failover reads thousands at once);
     * keys without a stored spec are left out. May read coordination storage.
     *
     * @throws BackendException if storage cannot be read
     */
    default Map<String, SpecRecord> specs(Collection<String> keys) {
        Map<String, SpecRecord> result = new HashMap<>();
        for (String key : keys) {
            spec(key).ifPresent(rec -> result.put(key, rec));
        }
        return result;
    }

    /** Removes a stored spec (any node may); true if there was one. */
    boolean removeSpec(String key);

    /**
     * The explicit node of each spec stored under {@code keys} (empty when the ring places it),
     * which is all a node needs to tell whether an orphan is its own: a failover places thousands
     * of orphans and starts only its share, so a backend should answer this without decoding
     * whole specs where it can. Keys without a stored spec are left out. May read storage.
     *
     * @throws BackendException if storage cannot be read
     */
    default Map<String, Optional<String>> placements(Collection<String> keys) {
        Map<String, Optional<String>> result = new HashMap<>();
        specs(keys).forEach((key, rec) -> result.put(key, Optional.ofNullable(rec.node())));
        return result;
    }

    // ---- owner registry ----

    Optional<Owner> owner(String key);

    /**
     * The owner of {@code key} as coordination storage has it now, not as the local cache last
     * saw it: for the runtime's miss path, when a call, cast, send or terminate names an id the
     * cache does not know (yet: e.g. started through another node a moment ago). May touch the
     * network; never throws: when storage cannot be read (session closed, lost, suspended) it
     * answers from the cache. The default answers from the cache, for backends whose cache is
     * never behind their writes.
     */
    default Optional<Owner> freshOwner(String key) {
        return owner(key);
    }

    void forEachOwner(BiConsumer<String, Owner> action);

    /**
     * Claims a new child: in one atomic step, stores {@code spec} (unless null) and makes this
     * session the owner of {@code key}.
     *
     * @throws ClaimConflictException if the key has an owner, or {@code spec} is given and a spec is stored
     * @throws IllegalArgumentException if this backend cannot store {@code spec} (too large, say): the
     *                                  start is refused, not tried again
     */
    Owner claimNew(String key, SpecRecord spec);

    /**
     * {@link #claimNew} without blocking the caller: many claims may be under way at once, and a
     * backend may write those made together in one step. The future fails with what
     * {@link #claimNew} throws. The default claims on the calling thread.
     */
    default CompletableFuture<Owner> claimNewAsync(String key, SpecRecord spec) {
        try {
            return CompletableFuture.completedFuture(claimNew(key, spec));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Claims a stored spec that has no owner: atomically, if the spec is still stored and no one
     * owns the key, this session becomes the owner.
     *
     * @return the new owner entry, or empty if the spec is gone
     * @throws ClaimConflictException if the key has an owner
     */
    Optional<Owner> claimStored(String key);

    /**
     * Claims many stored specs at once (a failover takes over thousands): each key as
     * {@link #claimStored(String)} would, but a backend may write them together, and claims made
     * together may share one epoch. Keys whose spec is gone or that have an owner are left out.
     * The default claims them one by one.
     *
     * @return the new owner entries, by key
     * @throws BackendException if storage cannot be written
     */
    default Map<String, Owner> claimStored(Collection<String> keys) {
        Map<String, Owner> claimed = new HashMap<>();
        for (String key : keys) {
            try {
                claimStored(key).ifPresent(o -> claimed.put(key, o));
            } catch (ClaimConflictException e) {
                // Owned already: left out.
            }
        }
        return claimed;
    }

    /**
     * Records a local restart: replaces this session's own entry. {@code owner} must keep this
     * session, node and epoch; only {@code restarts} may change.
     *
     * @return false if the entry is not this session's
     * @throws IllegalArgumentException if {@code owner} changes anything but {@code restarts}
     */
    boolean updateOwner(String key, Owner owner);

    /** Removes this session's owner entry; the spec stays. False if the entry is not this session's. */
    boolean release(String key);

    /** Removes this session's owner entry and the stored spec in one atomic step. False if the entry is not this session's. */
    boolean releaseAndRemoveSpec(String key);

    /**
     * Removes this session's owner entry and makes {@code node} the stored spec's explicit node,
     * in one atomic step, so that every node that sees the entry gone places the spec there (an
     * operator's move). False if the entry is not this session's or no spec is stored.
     */
    boolean releaseTo(String key, String node);

    // ---- transport ----

    /**
     * Sends a request, as the runtime encoded it, to a node and reports what became of it (see
     * {@link Delivery}); the future completes with the outcome and never exceptionally. Requests
     * and one-way messages from this node to one peer arrive in the order sent. A node that has
     * {@linkplain #leave() left} but not closed can still be reached, so that calls in flight
     * during a hand-over get answers. A node with no open session, or one that cannot be reached,
     * gives {@link Delivery.NotSent}; requests still waiting when the peer goes down give
     * {@link Delivery.MaybeDelivered}. The backend hands the array over as it is and does not
     * touch it afterwards.
     */
    CompletableFuture<Delivery> request(String node, byte[] message);

    /** Sends a one-way message: {@link Delivery#SENT}, {@link Delivery.NotSent} or {@link Delivery.Refused}. */
    Delivery send(String node, byte[] message);

    /**
     * Whether every node this session reaches runs in this JVM and gets the very arrays this
     * node sends, uncopied: then the runtime may pass messages by reference instead of encoding
     * them (an in-memory backend whose codec is switched off). False for every network backend.
     */
    default boolean passesByReference() {
        return false;
    }

    /**
     * Leaves the group gracefully: this node's membership and owner entries are removed, then
     * the transport is shut. Idempotent.
     */
    @Override
    void close();
}
