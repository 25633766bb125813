package io.distributedsupervisor.internal;

import io.distributedsupervisor.spi.Backend;
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
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A backend of one node in memory, for tests of how the runtime answers what a backend tells
 * it: the store and the registry are maps, a test writes them as another node or coordination
 * storage would ({@link #inheritWithSpecs}, {@link #inherit}), and every write the runtime makes is
 * recorded. Events go to the listener in order on one thread of the backend, as a real backend's
 * do. There are no other nodes: every message is {@link Delivery.NotSent not sent}.
 */
final class OneNodeBackend implements Backend {
    private final Map<String, SpecRecord> specs = new ConcurrentHashMap<>();
    private final Map<String, Owner> owners = new ConcurrentHashMap<>();
    private final AtomicLong zxid = new AtomicLong(100);
    private final ExecutorService events = Executors.newSingleThreadExecutor(r -> new Thread(r, "one-node-events"));
    private final List<Session> sessions = new CopyOnWriteArrayList<>();
    /** Keys the runtime claimed as stored specs, by {@code claimStored}. */
    final List<String> claimedStored = new CopyOnWriteArrayList<>();
    /** Keys the runtime claimed as new children, by {@code claimNew}. */
    final List<String> claimedNew = new CopyOnWriteArrayList<>();
    /** Keys whose owner entry the runtime released, keeping the spec. */
    final List<String> released = new CopyOnWriteArrayList<>();
    /** How many times the runtime asked for all stored spec keys: once per full scan. */
    final AtomicInteger specKeyScans = new AtomicInteger();
    /** How many reads of specs ({@code specs(keys)}) still fail, as storage that cannot be read. */
    final AtomicInteger failingSpecReads = new AtomicInteger();
    /** How many times {@code specs(keys)} was called. */
    final AtomicInteger specReads = new AtomicInteger();
    /** When set, {@code specs(keys)} answers only once it counts down: storage that is slow to read. */
    volatile CountDownLatch specReadsReturn;

    /**
     * Stored specs whose entries the next session to join holds by succession: it is told so
     * before its join returns, as a backend whose load finds them tells it.
     */
    final Map<String, SpecRecord> inheritedAtJoin = new ConcurrentHashMap<>();
    /** When set, a join that tells of {@link #inheritedAtJoin} returns only once it counts down. */
    volatile CountDownLatch joinReturns;

    @Override
    public NodeSession join(String supervisor, String node, SessionListener listener, MessageHandler handler) {
        Session s = new Session(node, zxid.incrementAndGet(), listener);
        sessions.add(s);
        if (!inheritedAtJoin.isEmpty()) {
            long epoch = zxid.incrementAndGet();
            inheritedAtJoin.forEach((key, spec) -> {
                owners.put(key, new Owner(node, epoch, 0, s.id));
                specs.put(key, spec);
            });
            List<String> told = List.copyOf(inheritedAtJoin.keySet());
            inheritedAtJoin.clear();
            listener.onInherited(told, false);
            passThrough(joinReturns);
        }
        return s;
    }

    /** Returns once {@code gate}, if set, has counted down (at most 10 s): a test holds a call back with it. */
    private static void passThrough(CountDownLatch gate) {
        if (gate == null) {
            return;
        }
        try {
            gate.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The sessions joined so far, oldest first. */
    List<Session> sessions() {
        return List.copyOf(sessions);
    }

    Session current() {
        return sessions.get(sessions.size() - 1);
    }

    /** Stores a spec as another node's start did; its owner entry is left as it is. */
    Optional<Owner> owner(String key) {
        return Optional.ofNullable(owners.get(key));
    }

    /**
     * Gives the current session the entries of {@code keys} as a succession does: each entry
     * becomes this session's with one epoch for all, written by no claim, and the runtime is told.
     */
    /**
     * As {@link #inherit}, for keys whose specs are stored at the same moment: each entry is put
     * before its spec, so that no scan finds the spec without an owner (an orphan to claim).
     */
    long inheritWithSpecs(Map<String, SpecRecord> stored) {
        long epoch = store(stored);
        tellInherited(stored.keySet());
        return epoch;
    }

    /** As {@link #inheritWithSpecs}, without telling: a test tells the keys in parts ({@link #tellInherited(Collection, boolean)}). */
    long store(Map<String, SpecRecord> stored) {
        Session s = current();
        long epoch = zxid.incrementAndGet();
        stored.forEach((key, spec) -> {
            owners.put(key, new Owner(s.node, epoch, 0, s.id));
            specs.put(key, spec);
        });
        return epoch;
    }

    long inherit(Collection<String> keys) {
        Session s = current();
        long epoch = zxid.incrementAndGet();
        for (String key : keys) {
            owners.put(key, new Owner(s.node, epoch, 0, s.id));
        }
        tellInherited(keys);
        return epoch;
    }

    /** Tells the current session that it inherited {@code keys}, writing nothing: a backend's reload tells again. */
    void tellInherited(Collection<String> keys) {
        tellInherited(keys, false);
    }

    /** As {@link #tellInherited(Collection)}, as one part of a succession told in parts ({@code more}: parts follow). */
    void tellInherited(Collection<String> keys, boolean more) {
        Session s = current();
        List<String> told = List.copyOf(keys);
        events.execute(() -> s.listener.onInherited(told, more));
    }

    /**
     * Gives {@code key}'s entry to another session without telling the runtime: as a write whose
     * event a node missed. Only the full pass's check of each local child's claim can see it.
     */
    void takeSilently(String key) {
        owners.put(key, new Owner("n9", zxid.incrementAndGet(), 0, Long.MAX_VALUE));
    }

    /** Ends the current session as an expiry would: its entries go, and the runtime hears LOST. */
    void expire() {
        Session s = current();
        s.open = false;
        owners.values().removeIf(o -> o.session() == s.id);
        events.execute(() -> s.listener.onSessionState(SessionState.LOST));
    }

    @Override
    public void close() {
        for (Session s : sessions) {
            s.close();
        }
        events.shutdown();
        try {
            if (!events.awaitTermination(10, TimeUnit.SECONDS)) {
                events.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            events.shutdownNow();
        }
    }

    final class Session implements NodeSession {
        final String node;
        final long id;
        final SessionListener listener;
        final long joinedAt = System.currentTimeMillis();
        volatile boolean open = true;
        volatile boolean left;
        /** How many times the runtime said its settle time is over. */
        final AtomicInteger settled = new AtomicInteger();
        /** The keys whose specs were asked for through this session. */
        final java.util.Set<String> specKeysRead = ConcurrentHashMap.newKeySet();

        Session(String node, long id, SessionListener listener) {
            this.node = node;
            this.id = id;
            this.listener = listener;
        }

        private void requireOpen() {
            if (!open) {
                throw new BackendException("session " + id + " of node " + node + " is closed");
            }
        }

        private Owner claim(String key) {
            Owner o = new Owner(node, zxid.incrementAndGet(), 0, id);
            owners.put(key, o);
            return o;
        }

        private boolean removeOwn(String key) {
            requireOpen();
            Owner previous = owners.get(key);
            if (previous == null || previous.session() != id || !owners.remove(key, previous)) {
                return false;
            }
            events.execute(() -> listener.onOwnerRemoved(key, previous));
            return true;
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
            return open;
        }

        @Override
        public void settled() {
            settled.incrementAndGet();
        }

        @Override
        public Map<String, Member> members() {
            return left || !open ? Map.of() : Map.of(node, new Member(node, "memory", joinedAt, "test"));
        }

        @Override
        public void leave() {
            left = true;
        }

        @Override
        public boolean hasSpec(String key) {
            return specs.containsKey(key);
        }

        @Override
        public void forEachSpecKey(Consumer<String> action) {
            specKeyScans.incrementAndGet();
            specs.keySet().forEach(action);
        }

        @Override
        public Optional<SpecRecord> spec(String key) {
            return Optional.ofNullable(specs.get(key));
        }

        @Override
        public Map<String, SpecRecord> specs(Collection<String> keys) {
            OneNodeBackend.this.specReads.incrementAndGet();
            specKeysRead.addAll(keys);
            passThrough(specReadsReturn);
            requireOpen(); // as a real backend's: a closed session reads nothing
            if (failingSpecReads.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new BackendException("the specs cannot be read now (as the test asked)");
            }
            return NodeSession.super.specs(keys);
        }

        @Override
        public boolean removeSpec(String key) {
            requireOpen();
            return specs.remove(key) != null;
        }

        @Override
        public Optional<Owner> owner(String key) {
            return Optional.ofNullable(owners.get(key));
        }

        @Override
        public void forEachOwner(BiConsumer<String, Owner> action) {
            owners.forEach(action);
        }

        @Override
        public synchronized Owner claimNew(String key, SpecRecord spec) {
            requireOpen();
            if (owners.containsKey(key) || (spec != null && specs.containsKey(key))) {
                throw new ClaimConflictException(key, owners.get(key));
            }
            if (spec != null) {
                specs.put(key, spec);
            }
            claimedNew.add(key);
            return claim(key);
        }

        @Override
        public synchronized Optional<Owner> claimStored(String key) {
            requireOpen();
            if (owners.containsKey(key)) {
                throw new ClaimConflictException(key, owners.get(key));
            }
            if (!specs.containsKey(key)) {
                return Optional.empty();
            }
            claimedStored.add(key);
            return Optional.of(claim(key));
        }

        @Override
        public boolean updateOwner(String key, Owner owner) {
            requireOpen();
            Owner previous = owners.get(key);
            return previous != null && previous.session() == id && owners.replace(key, previous, owner);
        }

        @Override
        public boolean release(String key) {
            boolean done = removeOwn(key);
            if (done) {
                released.add(key);
            }
            return done;
        }

        @Override
        public boolean releaseAndRemoveSpec(String key) {
            boolean done = removeOwn(key);
            if (done) {
                specs.remove(key);
            }
            return done;
        }

        @Override
        public boolean releaseTo(String key, String node) {
            SpecRecord spec = specs.get(key);
            boolean done = spec != null && removeOwn(key);
            if (done) {
                specs.put(key, new SpecRecord(spec.spec(), node));
            }
            return done;
        }

        @Override
        public CompletableFuture<Delivery> request(String node, byte[] message) {
            return CompletableFuture.completedFuture(new Delivery.NotSent("no node " + node + " in a one-node backend"));
        }

        @Override
        public Delivery send(String node, byte[] message) {
            return new Delivery.NotSent("no node " + node + " in a one-node backend");
        }

        @Override
        public void close() {
            if (!open) {
                return;
            }
            open = false;
            left = true;
            owners.values().removeIf(o -> o.session() == id);
            events.execute(() -> listener.onSessionState(SessionState.CLOSED));
        }
    }
}
