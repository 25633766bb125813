package io.distributedsupervisor.internal;

import io.distributedsupervisor.CallTimeoutException;
import io.distributedsupervisor.ChildAlreadyStartedException;
import io.distributedsupervisor.ChildCrashedException;
import io.distributedsupervisor.ChildRef;
import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.ChildStatus;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.DistributedSupervisorException;
import io.distributedsupervisor.ExitReason;
import io.distributedsupervisor.Incarnation;
import io.distributedsupervisor.NoSuchChildException;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.Restart;
import io.distributedsupervisor.StartResult;
import io.distributedsupervisor.SupervisorClosedException;
import io.distributedsupervisor.SupervisorOptions;
import io.distributedsupervisor.UnknownNodeException;
import io.distributedsupervisor.spi.Backend;
import io.distributedsupervisor.spi.BackendException;
import io.distributedsupervisor.spi.BackendProvider;
import io.distributedsupervisor.spi.ClaimConflictException;
import io.distributedsupervisor.spi.Listener;
import io.distributedsupervisor.spi.MessageHandler;
import io.distributedsupervisor.spi.NodeSession;
import io.distributedsupervisor.spi.Owner;
import io.distributedsupervisor.spi.SessionListener;
import io.distributedsupervisor.spi.SessionState;
import io.distributedsupervisor.spi.SpecRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node of a distributed supervisor: the implementation behind {@link DistributedSupervisor}.
 * It routes calls, casts and starts to the node that owns (or is to own) an id, runs the local
 * children ({@link LocalChild}), answers other nodes through the backend's transport, and hands
 * failover to its {@link FailoverCoordinator}.
 *
 * <p>Connection states, as the backend reports them: {@code SUSPENDED} needs nothing here (the
 * lease check pauses every child); {@code RECONNECTED} likewise; {@code LOST} makes the
 * coordinator drop every local child without {@code terminate} (its claims are gone) and join
 * again with a new session; {@code CLOSED} means this node is down: children are dropped and the
 * supervisor is closed.
 */
public final class SupervisorNode implements DistributedSupervisor {
    private static final Logger LOG = LoggerFactory.getLogger(SupervisorNode.class);
    private static final CompletableFuture<Protocol.Reply> RETRY =
            CompletableFuture.completedFuture(Protocol.NOT_HERE_REPLY);

    private static final int RUNNING = 0;
    private static final int CLOSING = 1;
    private static final int CLOSED = 2;

    private final SupervisorOptions options;
    private final String name;
    private final String nodeName;
    private final Backend backend;
    private final boolean ownsBackend;
    private final ListenerDispatcher events;
    private final ConcurrentHashMap<String, LocalChild> local = new ConcurrentHashMap<>();
    private final FailoverCoordinator failover;
    /** Which session's events count: those of an older, lost session are stale. */
    private volatile int sessionGeneration;
    private final Inbound inbound = new Inbound();
    private final Set<String> ringFilter;

    private volatile NodeSession session;
    private volatile HashRing ring = HashRing.of(List.of());
    private volatile int lifecycle = RUNNING;

    private SupervisorNode(SupervisorOptions options, Backend backend, boolean ownsBackend, List<Listener> listeners) {
        this.options = options;
        this.name = options.name();
        this.nodeName = options.nodeName();
        this.backend = backend;
        this.ownsBackend = ownsBackend;
        this.events = new ListenerDispatcher(name, nodeName, listeners);
        this.ringFilter = options.nodes().isEmpty() ? null : Set.copyOf(options.nodes());
        this.failover = new FailoverCoordinator(this);
    }

    /** See {@link DistributedSupervisor#start}. */
    public static DistributedSupervisor start(SupervisorOptions options) {
        Objects.requireNonNull(options, "options");
        Backend backend = options.backend().orElse(null);
        boolean owns = backend == null;
        if (backend == null) {
            backend = provider(options).create(options.backendConfig());
        }
        List<Listener> listeners = new ArrayList<>(options.listeners());
        if (options.serviceLoaderListeners()) {
            ServiceLoader.load(Listener.class).forEach(listeners::add);
        }
        SupervisorNode node = new SupervisorNode(options, backend, owns, listeners);
        try {
            node.session = backend.join(node.name, node.nodeName, node.new SessionEvents(0), node.inbound);
        } catch (RuntimeException e) {
            node.events.close(1000);
            if (owns) {
                backend.close();
            }
            throw e;
        }
        node.refreshRing();
        // Listeners hear of the supervisor before any event of it (its own join, children it takes over).
        node.events.supervisorStart(node);
        node.failover.start(node.session.members().keySet());
        LOG.info("supervisor {} started on node {}; ring {}", node.name, node.nodeName, node.ring.nodes());
        return node;
    }

    private static BackendProvider provider(SupervisorOptions options) {
        List<BackendProvider> found = new ArrayList<>();
        ServiceLoader.load(BackendProvider.class).forEach(found::add);
        if (options.backendName().isPresent()) {
            String wanted = options.backendName().get();
            return found.stream().filter(p -> p.name().equals(wanted)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no BackendProvider named '" + wanted
                            + "' on the class path; found: " + found.stream().map(BackendProvider::name).toList()));
        }
        if (found.size() == 1) {
            return found.get(0);
        }
        if (found.isEmpty()) {
            throw new IllegalArgumentException("no BackendProvider on the class path: add distributed-supervisor-inmemory "
                    + "or distributed-supervisor-zookeeper, or pass SupervisorOptions.Builder.backend(...)");
        }
        throw new IllegalArgumentException("several BackendProviders on the class path "
                + found.stream().map(BackendProvider::name).toList() + ": choose one with backend(name, config)");
    }

    // ---- for LocalChild and FailoverCoordinator ----

    SupervisorOptions options() {
        return options;
    }

    ListenerDispatcher events() {
        return events;
    }

    NodeSession session() {
        return session;
    }

    HashRing ring() {
        return ring;
    }

    boolean holdsLease() {
        return session.holdsLease();
    }

    boolean isClosing() {
        return lifecycle != RUNNING;
    }

    Map<String, LocalChild> localChildrenByKey() {
        return local;
    }

    /** Rebuilds the ring from the live members (restricted to the {@code nodes} option). */
    void refreshRing() {
        // Two threads refresh it (the backend's event thread and the coordinator): without the lock
        // one that read the members earlier could write its older ring last.
        synchronized (ringLock) {
            refreshRingLocked();
        }
    }

    private final Object ringLock = new Object();

    private void refreshRingLocked() {
        Set<String> live = new HashSet<>(session.members().keySet());
        if (ringFilter != null) {
            live.retainAll(ringFilter);
        }
        ring = HashRing.of(live);
    }

    /** A child left this node for good: drop it here and release its claim (and its spec). */
    void forget(LocalChild c, boolean removeSpec) {
        local.remove(c.key, c);
        try {
            if (removeSpec) {
                session.releaseAndRemoveSpec(c.key);
            } else {
                session.release(c.key);
            }
        } catch (BackendException e) {
            LOG.debug("could not release {} (session gone): {}", c.key, e.getMessage());
        }
    }

    boolean updateOwner(String key, Owner owner) {
        try {
            return session.updateOwner(key, owner);
        } catch (BackendException e) {
            return false;
        }
    }

    Pid pidOf(Object id, Owner o) {
        return new Pid(o.node(), name, id, new Incarnation(o.epoch(), o.restarts()));
    }

    /**
     * Claims stored specs without owner, all at once, and starts here each one claimed (failover,
     * or a move); returns the children started.
     */
    List<LocalChild> startClaimed(Map<String, SpecRecord> specs) {
        if (isClosing()) {
            return List.of();
        }
        List<String> keys = new ArrayList<>(specs.size());
        for (String key : specs.keySet()) {
            if (!local.containsKey(key)) {
                keys.add(key);
            }
        }
        List<LocalChild> started = new ArrayList<>();
        for (Map.Entry<String, Owner> claim : session.claimStored(keys).entrySet()) {
            String key = claim.getKey();
            SpecRecord rec = specs.get(key);
            LocalChild c = new LocalChild(this, key, rec.spec().id(), rec.spec(), rec.node(), claim.getValue(), null);
            local.put(key, c);
            if (isClosing()) {
                // Closing raced this claim: give it back so that another node starts it.
                forget(c, false);
                continue;
            }
            c.firstStart();
            c.begin();
            started.add(c);
        }
        return started;
    }

    /** Stops a local child so that the node the ring names starts it (ACTIVE rebalance). */
    void migrate(LocalChild c) {
        ExitReason r = c.stopAndWaitIfFirst(ExitReason.migrated());
        if (r == null) {
            return; // stopped meanwhile for another reason (terminate, close): that stop finishes it
        }
        local.remove(c.key, c);
        try {
            session.release(c.key);
        } catch (BackendException e) {
            LOG.debug("release of {} failed: {}", c.key, e.getMessage());
        }
        events.processStop(c.id, c.currentPid(), r);
    }

    /** The session expired: drop the local children (their claims are gone) and join again. */
    void recoverSession() {
        LOG.warn("supervisor {} on node {} lost its session: dropping {} local children and joining again",
                name, nodeName, local.size());
        abortLocalChildren();
        NodeSession old = session;
        sessionGeneration++;
        try {
            old.close();
        } catch (RuntimeException e) {
            LOG.debug("closing the lost session failed: {}", e.getMessage());
        }
        long backoff = 10;
        while (!isClosing()) {
            try {
                session = backend.join(name, nodeName, new SessionEvents(sessionGeneration), inbound);
                refreshRing();
                LOG.info("supervisor {} node {} joined again", name, nodeName);
                return;
            } catch (RuntimeException e) {
                LOG.warn("rejoin of node {} failed, retrying in {} ms: {}", nodeName, backoff, e.getMessage());
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(backoff));
                backoff = Math.min(backoff * 2, 2000);
            }
        }
    }

    private void abortLocalChildren() {
        for (LocalChild c : local.values()) {
            c.abort();
            events.processStop(c.id, c.currentPid(), ExitReason.nodeDown(nodeName));
        }
        local.clear();
    }

    /** The session ended for good: this node is down. */
    private void crashed() {
        synchronized (this) {
            // A graceful close ends its session too: that CLOSED is no crash.
            if (lifecycle != RUNNING) {
                return;
            }
            lifecycle = CLOSED;
        }
        LOG.warn("supervisor {} on node {}: session closed, node is down; dropping {} local children",
                name, nodeName, local.size());
        failover.stop();
        for (LocalChild c : local.values()) {
            c.abort();
        }
        local.clear();
        finishClose();
    }

    private void finishClose() {
        events.supervisorStop(this);
        events.close(5000);
        if (ownsBackend) {
            try {
                backend.close();
            } catch (RuntimeException e) {
                LOG.warn("closing the backend failed", e);
            }
        }
    }

    private void requireOpen() {
        if (lifecycle == CLOSED) {
            throw new SupervisorClosedException(name, nodeName);
        }
    }

    // ---- starting ----

    @Override
    public StartResult startChild(ChildSpec spec) {
        return start(spec, null);
    }

    @Override
    public StartResult startChild(ChildSpec spec, String node) {
        Objects.requireNonNull(node, "node");
        return start(spec, node);
    }

    private StartResult start(ChildSpec spec, String explicitNode) {
        Objects.requireNonNull(spec, "spec");
        requireOpen();
        Object id = spec.id() != null ? spec.id() : UUID.randomUUID();
        ChildSpec withId = spec.id() != null ? spec : spec.withId(id);
        String key = ChildKey.encode(id);
        if (explicitNode != null && !ring.contains(explicitNode)) {
            throw new UnknownNodeException(explicitNode, ring.nodes());
        }
        Duration timeout = options.callTimeout();
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int attempt = 0; ; attempt++) {
            String target;
            if (explicitNode != null) {
                if (!ring.contains(explicitNode)) {
                    throw new UnknownNodeException(explicitNode, ring.nodes());
                }
                target = explicitNode;
            } else {
                target = ringNodeFor(key);
            }
            Protocol.Reply reply;
            if (target.equals(nodeName)) {
                reply = startLocal(withId, explicitNode, deadline);
            } else {
                reply = await(requestSafely(target, new Protocol.Start(withId, explicitNode)), deadline);
            }
            switch (reply) {
                case Protocol.Ok ok -> {
                    Pid pid = (Pid) ok.value();
                    awaitView(key, o -> o != null && o.epoch() >= pid.incarnation().epoch(), deadline);
                    return new StartResult(pid, id);
                }
                case Protocol.AlreadyStarted a -> throw new ChildAlreadyStartedException(id, a.pid());
                case Protocol.Crashed c -> throw new ChildCrashedException(id, c.cause());
                case Protocol.NotHere n -> {
                    if (reply == TIMED_OUT || !backoff(attempt, deadline)) {
                        throw new CallTimeoutException(id, timeout);
                    }
                }
            }
        }
    }

    /** Claims, then starts; waits for init until {@code deadline}. Never throws for the child's sake. */
    Protocol.Reply startLocal(ChildSpec spec, String explicitNode, long deadline) {
        if (isClosing()) {
            return Protocol.NOT_HERE_REPLY;
        }
        Object id = spec.id();
        String key = ChildKey.encode(id);
        SpecRecord rec = options.cacheChildren() && spec.restart() != Restart.TEMPORARY
                ? new SpecRecord(spec, explicitNode) : null;
        Owner owner;
        try {
            owner = session.claimNew(key, rec);
        } catch (ClaimConflictException e) {
            Pid running = e.existing().map(o -> pidOf(id, o)).orElseGet(() -> whereis(id).orElse(null));
            return new Protocol.AlreadyStarted(running);
        } catch (BackendException e) {
            LOG.debug("claim of {} failed: {}", key, e.getMessage());
            return Protocol.NOT_HERE_REPLY;
        }
        CompletableFuture<Pid> started = new CompletableFuture<>();
        LocalChild c = new LocalChild(this, key, id, spec, explicitNode, owner, started);
        local.put(key, c);
        c.beginInline();
        try {
            return new Protocol.Ok(started.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
        } catch (ExecutionException e) {
            return new Protocol.Crashed(e.getCause());
        } catch (TimeoutException e) {
            c.stopAndWait(ExitReason.killed());
            forget(c, true);
            return new Protocol.Crashed(new TimeoutException("init of child " + id + " did not finish within "
                    + options.callTimeout()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            c.stopAndWait(ExitReason.shutdown());
            forget(c, true);
            throw new DistributedSupervisorException("interrupted while starting child " + id, e);
        }
    }

    // ---- reading ----

    @Override
    public Map<Object, Pid> children() {
        requireOpen();
        Map<Object, Pid> result = new HashMap<>();
        session.forEachOwner((key, owner) -> {
            Object id = decodeOrNull(key);
            if (id != null) {
                result.put(id, pidOf(id, owner));
            }
        });
        return Collections.unmodifiableMap(result);
    }

    static Object decodeOrNull(String key) {
        try {
            return ChildKey.decode(key);
        } catch (IllegalArgumentException e) {
            LOG.warn("ignoring a registry entry with a malformed key: {}", e.getMessage());
            return null;
        }
    }

    @Override
    public List<Pid> localChildren() {
        if (lifecycle == CLOSED || !holdsLease()) {
            // Cut off from coordination (paused, or woken from a freeze before the loss is seen):
            // these children may already run elsewhere, so this node does not claim to run them.
            return List.of();
        }
        List<Pid> pids = new ArrayList<>(local.size());
        for (LocalChild c : local.values()) {
            if (!c.isDone()) {
                pids.add(c.currentPid());
            }
        }
        return pids;
    }

    @Override
    public List<ChildStatus> localChildStatuses() {
        if (lifecycle == CLOSED || !holdsLease()) {
            return List.of();
        }
        List<ChildStatus> statuses = new ArrayList<>(local.size());
        for (LocalChild c : local.values()) {
            if (!c.isDone()) {
                statuses.add(c.status());
            }
        }
        return statuses;
    }

    @Override
    public Optional<Pid> whereis(Object id) {
        requireOpen();
        return session.owner(ChildKey.encode(id)).map(o -> pidOf(id, o));
    }

    @Override
    public Optional<Object> whois(Pid pid) {
        Objects.requireNonNull(pid, "pid");
        requireOpen();
        if (!pid.supervisor().equals(name)) {
            return Optional.empty();
        }
        return session.owner(ChildKey.encode(pid.id()))
                .filter(o -> o.node().equals(pid.node())
                        && new Incarnation(o.epoch(), o.restarts()).equals(pid.incarnation()))
                .map(o -> pid.id());
    }

    // ---- messaging ----

    @Override
    public <R> R call(Object id, Object request) {
        return call(id, request, options.callTimeout());
    }

    @Override
    @SuppressWarnings("unchecked")
    public <R> R call(Object id, Object request, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        String key = ChildKey.encode(id);
        requireOpen();
        LocalChild self = LocalChild.CURRENT.get();
        if (self != null && self.node == this && self.key.equals(key)) {
            throw new IllegalStateException("child " + id + " called itself: it would wait for its own reply forever");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int attempt = 0; ; attempt++) {
            CompletableFuture<Protocol.Reply> f = dispatchCall(key, request);
            if (f == null) {
                throw new NoSuchChildException(id);
            }
            Protocol.Reply reply = await(f, deadline);
            switch (reply) {
                case Protocol.Ok ok -> {
                    return (R) ok.value();
                }
                case Protocol.Crashed c -> throw new ChildCrashedException(id, c.cause());
                case Protocol.AlreadyStarted a -> throw new IllegalStateException("unexpected reply " + a);
                case Protocol.NotHere n -> {
                    if (reply == TIMED_OUT || !backoff(attempt, deadline)) {
                        throw new CallTimeoutException(id, timeout);
                    }
                    requireOpen();
                }
            }
        }
    }

    @Override
    public <R> CompletableFuture<R> callAsync(Object id, Object request, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        ChildKey.validate(id);
        CompletableFuture<R> result = new CompletableFuture<>();
        Thread.startVirtualThread(() -> {
            try {
                result.complete(call(id, request, timeout));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result;
    }

    /** Where a call goes now; null when no child has this key and none is being restarted. */
    private CompletableFuture<Protocol.Reply> dispatchCall(String key, Object request) {
        LocalChild c = local.get(key);
        if (c != null) {
            CompletableFuture<Protocol.Reply> f = new CompletableFuture<>();
            if (c.offer(new LocalChild.Letter(LocalChild.CALL, request, f))) {
                return f;
            }
        }
        Optional<Owner> owner = session.owner(key);
        if (owner.isEmpty()) {
            if (session.hasSpec(key)) {
                return RETRY;
            }
            // The cache may not show a child started through another node a moment ago: ask storage.
            owner = session.freshOwner(key);
            if (owner.isEmpty()) {
                return null;
            }
        }
        String node = owner.get().node();
        if (node.equals(nodeName)) {
            return RETRY;
        }
        return requestSafely(node, new Protocol.Call(key, request));
    }

    private CompletableFuture<Protocol.Reply> requestSafely(String node, Protocol.Message message) {
        CompletableFuture<Object> f;
        try {
            f = session.request(node, message);
        } catch (BackendException e) {
            return RETRY;
        }
        return f.handle((v, ex) -> {
            if (ex != null) {
                LOG.debug("request to {} failed: {}", node, ex.toString());
                return Protocol.NOT_HERE_REPLY;
            }
            return v instanceof Protocol.Reply r ? r : new Protocol.Crashed(
                    new IllegalStateException("unexpected reply from " + node + ": " + v));
        });
    }

    /**
     * Waits (at most until the deadline) until this node's view of the registry shows what another
     * node just did for this caller, so that a start or terminate is seen at once by the node that
     * asked for it: read-your-writes. A local view that is a few milliseconds behind is normal
     * for a backend with a cache (ZooKeeper); the in-memory one is never behind.
     */
    private void awaitView(String key, java.util.function.Predicate<Owner> seen, long deadline) {
        for (int attempt = 0; !seen.test(session.owner(key).orElse(null)); attempt++) {
            if (!backoff(attempt, deadline)) {
                return;
            }
        }
    }

    /** A distinct NotHere that means the deadline passed. */
    private static final Protocol.Reply TIMED_OUT = new Protocol.NotHere();

    private static Protocol.Reply await(CompletableFuture<Protocol.Reply> f, long deadline) {
        try {
            return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return TIMED_OUT;
        } catch (ExecutionException e) {
            return Protocol.NOT_HERE_REPLY;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DistributedSupervisorException("interrupted while waiting for a reply", e);
        }
    }

    /** Waits a little before trying again; false when the deadline leaves no time for it. */
    private static boolean backoff(int attempt, long deadline) {
        long wait = TimeUnit.MICROSECONDS.toNanos(Math.min(50_000, 200L << Math.min(attempt, 8)));
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            return false;
        }
        LockSupport.parkNanos(Math.min(wait, left));
        return true;
    }

    @Override
    public void cast(Object id, Object message) {
        deliver(id, message, LocalChild.CAST);
    }

    @Override
    public boolean send(Object id, Object message) {
        return deliver(id, message, LocalChild.INFO);
    }

    private boolean deliver(Object id, Object message, int kind) {
        String key = ChildKey.encode(id);
        requireOpen();
        LocalChild c = local.get(key);
        if (c != null && c.offer(new LocalChild.Letter(kind, message, null))) {
            return true;
        }
        Optional<Owner> owner = session.owner(key);
        if (owner.isEmpty()) {
            owner = session.freshOwner(key); // a child started through another node a moment ago?
        }
        if (owner.isEmpty() || owner.get().node().equals(nodeName)) {
            return false;
        }
        Protocol.Message m = kind == LocalChild.CAST ? new Protocol.Cast(key, message) : new Protocol.Info(key, message);
        try {
            return session.send(owner.get().node(), m);
        } catch (BackendException e) {
            return false;
        }
    }

    @Override
    public ChildRef viaName(Object id) {
        ChildKey.validate(id);
        return new NamedChild(this, id);
    }

    // ---- terminating ----

    @Override
    public boolean terminateChild(Pid pid) {
        Objects.requireNonNull(pid, "pid");
        if (!pid.supervisor().equals(name)) {
            return false;
        }
        return terminate(pid.id(), pid.incarnation());
    }

    @Override
    public boolean terminateChild(Object id) {
        if (id instanceof Pid pid) {
            return terminateChild(pid);
        }
        return terminate(id, null);
    }

    private boolean terminate(Object id, Incarnation incarnation) {
        String key = ChildKey.encode(id);
        requireOpen();
        LocalChild self = LocalChild.CURRENT.get();
        if (self != null && self.node == this && self.key.equals(key)) {
            throw new IllegalStateException("child " + id + " tried to terminate itself through the supervisor, "
                    + "which would wait for its own stop: use ChildContext.stop() instead");
        }
        long deadline = System.nanoTime() + options.callTimeout().toNanos();
        boolean removedSpec = false;
        for (int attempt = 0; ; attempt++) {
            Optional<Owner> owner = session.owner(key);
            if (owner.isEmpty()) {
                // The cache may lag: a child started through another node a moment ago, whose spec
                // it may show already, must not be taken for one between two incarnations.
                owner = session.freshOwner(key);
            }
            if (owner.isEmpty()) {
                if (incarnation != null) {
                    return false;
                }
                // Between two incarnations (a move, a failover): removing the spec is what stops it
                // from coming back. A node may have claimed it just before the spec went: then that
                // incarnation is stopped too.
                if (session.hasSpec(key) && session.removeSpec(key)) {
                    removedSpec = true;
                }
                // Storage, not the cache: a claim made just before the spec went may not be in the
                // cache yet, and that incarnation would live on after this returned true.
                if (session.freshOwner(key).isEmpty()) {
                    return removedSpec;
                }
                continue;
            }
            Owner o = owner.get();
            if (incarnation != null && !new Incarnation(o.epoch(), o.restarts()).equals(incarnation)) {
                return false;
            }
            Protocol.Reply reply = o.node().equals(nodeName)
                    ? terminateLocal(key, incarnation)
                    : await(requestSafely(o.node(), new Protocol.Terminate(key, incarnation)), deadline);
            if (reply instanceof Protocol.Ok ok) {
                boolean stopped = (Boolean) ok.value();
                if (stopped) {
                    awaitView(key, now -> now == null || now.epoch() != o.epoch(), deadline);
                }
                return stopped || removedSpec;
            }
            if (reply == TIMED_OUT || !backoff(attempt, deadline)) {
                throw new CallTimeoutException(id, options.callTimeout());
            }
        }
    }

    Protocol.Reply terminateLocal(String key, Incarnation incarnation) {
        LocalChild c = local.get(key);
        if (c == null) {
            // Not here (any more, or not yet): it is moving or restarting elsewhere; the caller
            // looks at the registry again.
            return Protocol.NOT_HERE_REPLY;
        }
        Pid pid = c.currentPid();
        if (incarnation != null && !pid.incarnation().equals(incarnation)) {
            return new Protocol.Ok(Boolean.FALSE);
        }
        // ExitReason.Kind.NORMAL is documented as "... or was terminated by id or pid".
        ExitReason r = c.isDone() ? null : c.stopAndWaitIfFirst(ExitReason.normal());
        if (r == null) {
            // Another stop won (a move, a hand-off, another terminate): look again, and find the
            // child where it went, or nothing.
            return Protocol.NOT_HERE_REPLY;
        }
        forget(c, true);
        events.processStop(c.id, pid, r);
        return new Protocol.Ok(Boolean.TRUE);
    }

    // ---- the ring ----

    private String ringNodeFor(String key) {
        HashRing r = ring;
        if (r.isEmpty()) {
            throw new DistributedSupervisorException("supervisor " + name + " has no live node in its ring"
                    + (ringFilter == null ? "" : " (restricted to " + ringFilter + ")"));
        }
        return r.nodeFor(key);
    }

    @Override
    public String nodeFor(Object key) {
        return ringNodeFor(ChildKey.encode(key));
    }

    @Override
    public boolean isMine(Object key) {
        return nodeFor(key).equals(nodeName);
    }

    @Override
    public List<String> nodes() {
        return ring.nodes();
    }

    @Override
    public String node() {
        return nodeName;
    }

    @Override
    public String name() {
        return name;
    }

    // ---- closing ----

    @Override
    public void close() {
        synchronized (this) {
            if (lifecycle != RUNNING) {
                return;
            }
            lifecycle = CLOSING;
        }
        NodeSession s = session;
        List<ChildStatus> statuses = localChildStatuses();
        Protocol.NodeTerminating bye = new Protocol.NodeTerminating(nodeName, "shutdown", statuses);
        // The goodbye is a request, and the members' answers are awaited (briefly) before this
        // node leaves: over a network, a one-way message may arrive after the member entry's
        // removal has reached the others through the backend, and they would take the leaving
        // for a node-down.
        List<CompletableFuture<Object>> acks = new ArrayList<>();
        for (String member : s.members().keySet()) {
            if (!member.equals(nodeName)) {
                try {
                    acks.add(s.request(member, bye));
                } catch (RuntimeException e) {
                    LOG.debug("could not tell {} that {} closes: {}", member, nodeName, e.getMessage());
                }
            }
        }
        try {
            CompletableFuture.allOf(acks.stream().map(a -> a.exceptionally(e -> null)).toArray(CompletableFuture[]::new))
                    .get(Math.min(options.callTimeout().toMillis(), 2000), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            LOG.debug("not every member acknowledged that {} closes: {}", nodeName, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            s.leave();
        } catch (RuntimeException e) {
            LOG.debug("leave failed: {}", e.getMessage());
        }
        failover.stop();
        List<Thread> handoffs = new ArrayList<>();
        for (LocalChild c : local.values()) {
            handoffs.add(Thread.startVirtualThread(() -> handOff(c)));
        }
        for (Thread t : handoffs) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        try {
            s.close();
        } catch (RuntimeException e) {
            LOG.debug("session close failed: {}", e.getMessage());
        }
        lifecycle = CLOSED;
        LOG.info("supervisor {} on node {} closed", name, nodeName);
        finishClose();
    }

    private void handOff(LocalChild c) {
        boolean moves = options.cacheChildren() && c.restart() != Restart.TEMPORARY;
        Pid pid = c.currentPid();
        ExitReason r = c.stopAndWaitIfFirst(moves ? ExitReason.migrated() : ExitReason.shutdown());
        if (r == null) {
            return; // a terminate (or its own exit) got there first and finishes it
        }
        forget(c, !moves);
        events.processStop(c.id, pid, r);
    }

    @Override
    public String toString() {
        return "DistributedSupervisor{" + name + "@" + nodeName + "}";
    }

    // ---- backend callbacks ----

    /** The events of one session; those of a session this node has given up on are ignored. */
    private final class SessionEvents implements SessionListener {
        private final int generation;

        SessionEvents(int generation) {
            this.generation = generation;
        }

        private boolean current() {
            return generation == sessionGeneration;
        }

        @Override
        public void onMembersChanged() {
            // The backend may report our own join before join() has returned: start() refreshes
            // the ring and the coordinator scans membership once the session is set.
            if (lifecycle == RUNNING && session != null && current()) {
                refreshRing();
                failover.membersChanged();
            }
        }

        @Override
        public void onOwnerRemoved(String key, Owner previous) {
            if (current()) {
                failover.ownerRemoved(key, previous);
            }
        }

        @Override
        public void onSessionState(SessionState state) {
            if (!current()) {
                // E.g. the CLOSED of the lost session that recoverSession closes: not this node's end.
                return;
            }
            switch (state) {
                case SUSPENDED -> LOG.warn("node {}: connection to coordination suspended; children pause", nodeName);
                case RECONNECTED -> LOG.info("node {}: reconnected with the same session; children resume", nodeName);
                case LOST -> failover.sessionLost();
                case CLOSED -> Thread.startVirtualThread(SupervisorNode.this::crashed);
            }
        }
    }

    private final class Inbound implements MessageHandler {
        @Override
        public CompletableFuture<Object> onRequest(String fromNode, Object message) {
            if (lifecycle == CLOSED) {
                return CompletableFuture.completedFuture(Protocol.NOT_HERE_REPLY);
            }
            switch (message) {
                case Protocol.Call call -> {
                    LocalChild c = local.get(call.key());
                    CompletableFuture<Protocol.Reply> f = new CompletableFuture<>();
                    if (c == null || !c.offer(new LocalChild.Letter(LocalChild.CALL, call.request(), f))) {
                        return CompletableFuture.completedFuture(Protocol.NOT_HERE_REPLY);
                    }
                    return f.thenApply(r -> r);
                }
                case Protocol.Start start -> {
                    CompletableFuture<Object> f = new CompletableFuture<>();
                    long deadline = System.nanoTime() + options.callTimeout().toNanos();
                    Thread.startVirtualThread(() -> complete(f, () -> startLocal(start.spec(), start.node(), deadline)));
                    return f;
                }
                case Protocol.Terminate t -> {
                    CompletableFuture<Object> f = new CompletableFuture<>();
                    Thread.startVirtualThread(() -> complete(f, () -> terminateLocal(t.key(), t.incarnation())));
                    return f;
                }
                default -> {
                    onMessage(fromNode, message);
                    return CompletableFuture.completedFuture(new Protocol.Ok(null));
                }
            }
        }

        private void complete(CompletableFuture<Object> f, java.util.function.Supplier<Protocol.Reply> work) {
            try {
                f.complete(work.get());
            } catch (Throwable t) {
                f.complete(new Protocol.Crashed(t));
            }
        }

        @Override
        public void onMessage(String fromNode, Object message) {
            switch (message) {
                case Protocol.Cast cast -> offerLocal(cast.key(), cast.message(), LocalChild.CAST);
                case Protocol.Info info -> offerLocal(info.key(), info.message(), LocalChild.INFO);
                case Protocol.NodeTerminating bye -> {
                    failover.nodeTerminating(bye.node());
                    events.nodeTerminate(bye.node(), bye.reason(), bye.statuses());
                }
                default -> LOG.warn("node {} ignored an unexpected message from {}: {}", nodeName, fromNode,
                        message == null ? null : message.getClass().getName());
            }
        }

        private void offerLocal(String key, Object payload, int kind) {
            LocalChild c = local.get(key);
            if (c != null) {
                c.offer(new LocalChild.Letter(kind, payload, null));
            }
        }
    }

    /** {@link ChildRef}: the id, resolved at each use. */
    private record NamedChild(SupervisorNode node, Object id) implements ChildRef {
        @Override
        public <R> R call(Object request) {
            return node.call(id, request);
        }

        @Override
        public <R> R call(Object request, Duration timeout) {
            return node.call(id, request, timeout);
        }

        @Override
        public <R> CompletableFuture<R> callAsync(Object request, Duration timeout) {
            return node.callAsync(id, request, timeout);
        }

        @Override
        public void cast(Object message) {
            node.cast(id, message);
        }

        @Override
        public boolean send(Object message) {
            return node.send(id, message);
        }

        @Override
        public Optional<Pid> whereis() {
            return node.whereis(id);
        }

        @Override
        public String toString() {
            return "ChildRef{" + node.name + ":" + id + "}";
        }
    }
}
