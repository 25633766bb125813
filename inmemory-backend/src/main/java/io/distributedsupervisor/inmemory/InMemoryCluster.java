package io.distributedsupervisor.inmemory;

import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.SupervisorOptions;
import io.distributedsupervisor.spi.Backend;
import io.distributedsupervisor.spi.BackendException;
import io.distributedsupervisor.spi.MessageHandler;
import io.distributedsupervisor.spi.NodeSession;
import io.distributedsupervisor.spi.SessionListener;
import io.distributedsupervisor.spi.SessionState;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Several simulated nodes in one JVM sharing one in-memory coordination store, with the
 * semantics of the ZooKeeper backend, so that tests written against it mean something in
 * production. Use it for unit tests of code that runs on a {@link DistributedSupervisor}, and
 * for single-JVM deployments.
 *
 * <pre>{@code
 * try (InMemoryCluster cluster = new InMemoryCluster()) {
 *     DistributedSupervisor n1 = cluster.start(SupervisorOptions.builder("DS").nodeName("n1"));
 *     DistributedSupervisor n2 = cluster.start(SupervisorOptions.builder("DS").nodeName("n2"));
 *     n1.startChild(ChildSpec.of(Counter.class).withId("c"));
 *     cluster.crash(n2.node());   // as a lost ZooKeeper session
 * }
 * }</pre>
 *
 * <h2>Store</h2>
 * Each supervisor name is a group with its own members, stored specs and owner registry, as
 * under {@code /<namespace>/<supervisor>/} in ZooKeeper:
 * <ul>
 *   <li>A member entry and the owner entries are tied to the session that wrote them (ZooKeeper's
 *       ephemeral znodes): they vanish when the session is closed or crashes. Specs persist.</li>
 *   <li>Every claim gets an epoch from one counter of the cluster, so epochs strictly grow across
 *       all claims of all ids (ZooKeeper's {@code czxid}); each join gets a new session id.</li>
 *   <li>{@link NodeSession#claimNew claimNew} (spec and owner), {@link NodeSession#claimStored
 *       claimStored} and {@link NodeSession#releaseAndRemoveSpec releaseAndRemoveSpec} are atomic
 *       per key, without any lock shared between keys. Ownership checks compare session ids,
 *       never node names.</li>
 *   <li>Reads ({@code members}, {@code spec}, {@code owner}, {@code forEach*}) read the shared
 *       store directly: a write is visible to every session as soon as it returns.
 *       {@code members()} is an immutable snapshot.</li>
 * </ul>
 *
 * <h2>Events</h2>
 * Only removals are events (member changes, {@code onOwnerRemoved}, {@code onSpecRemoved}), as
 * with ZooKeeper watches the runtime reconciles on. Each is delivered to every open session of
 * the group, the writer's own included (a node sees its own releases too). Each session has one
 * virtual thread that runs its listener's callbacks in the order they were queued: a listener
 * never runs inside the writer's call, the writer never waits for a listener, and a listener that
 * throws is logged and gets its later events. A session that ends gets no further events except
 * its own final {@link SessionState#CLOSED}.
 *
 * <h2>Transport</h2>
 * {@link NodeSession#request request} and {@link NodeSession#send send} call the target node's
 * {@link MessageHandler} on the caller's thread (handlers never block, by contract), which keeps
 * every sender's messages in the order sent. Any open session of the group can be reached, also
 * one that has {@linkplain NodeSession#leave() left} but not yet closed (as its children are
 * being handed over). A node with no open session gives {@code NotSent} at once; replies still
 * owed by a node that goes down give {@code MaybeDelivered}, as a lost connection would.
 *
 * <h2>The codec: on by default</h2>
 * Every message between two nodes of this cluster goes through the supervisors' codec, as it
 * would between JVMs: encoded by the sender, decoded by the receiver. So a unit test meets the
 * errors production would meet: a message, argument, reply or exception whose class is not on
 * the allow-list fails with {@code MessageRefusedException}, and a child never shares a mutable
 * object with its caller. Calls to a child on the caller's own node are passed by reference, as
 * in production. To pass everything by reference instead (no codec, no allow-list: faster, and
 * for messages that cannot be serialized), use {@link #withoutCodec()}.
 *
 * <h2>Failure injection</h2>
 * {@link #crash} (abrupt), {@link #stop} (graceful), {@link #suspend}/{@link #resume} (a
 * connection loss that keeps the session). Each acts on every session the node has, in every
 * group.
 *
 * <p>Thread-safe. {@link #close()} closes every supervisor and session it holds and stops every
 * thread it started.
 */
public final class InMemoryCluster implements AutoCloseable {
    /** The version that members report. */
    static final String VERSION = Objects.requireNonNullElse(InMemoryCluster.class.getPackage().getImplementationVersion(), "dev");

    private static final ConcurrentHashMap<String, InMemoryCluster> NAMED = new ConcurrentHashMap<>();
    private static final AtomicInteger ANONYMOUS = new AtomicInteger();

    private final String name;
    private final boolean registered;
    private final boolean byReference;
    private final ConcurrentHashMap<String, Group> groups = new ConcurrentHashMap<>();
    /** Every session whose listener thread may still run: open ones, and ended ones still draining events. */
    private final Set<InMemorySession> sessions = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<String, CopyOnWriteArrayList<Started>> started = new ConcurrentHashMap<>();
    private final AtomicLong sessionIds = new AtomicLong();
    private final AtomicLong epochs = new AtomicLong();
    private volatile boolean closed;

    /** A new cluster with no nodes, private to whoever holds it; messages between nodes go through the codec. */
    public InMemoryCluster() {
        this("cluster-" + ANONYMOUS.incrementAndGet(), false, false);
    }

    private InMemoryCluster(String name, boolean registered, boolean byReference) {
        this.name = name;
        this.registered = registered;
        this.byReference = byReference;
    }

    /**
     * A new cluster whose nodes pass messages, replies and stored specs by reference, without the
     * codec: nothing is serialized, any object may be sent, and a receiver gets the sender's very
     * object (do not mutate a message after sending it). Errors of the codec (a class not on the
     * allow-list) then show only in production.
     */
    public static InMemoryCluster withoutCodec() {
        return new InMemoryCluster("cluster-" + ANONYMOUS.incrementAndGet(), false, true);
    }

    /** Whether this cluster passes messages by reference ({@link #withoutCodec()}). */
    public boolean passesByReference() {
        return byReference;
    }

    /**
     * The JVM-wide cluster of this name, made on first use: every caller with the same name gets
     * the same cluster (the {@code inmemory} provider's {@code cluster} setting). Once it is
     * {@linkplain #close() closed}, the name gives a new, empty cluster.
     *
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static InMemoryCluster named(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("an in-memory cluster name must not be blank");
        }
        return NAMED.computeIfAbsent(name, n -> new InMemoryCluster(n, true, false));
    }

    /** This cluster's name (generated for clusters made with the constructor). */
    public String name() {
        return name;
    }

    /**
     * A new {@link Backend} whose {@link Backend#join join} adds a session to this cluster.
     * Closing it closes the sessions joined through it, not the cluster nor anyone else's
     * sessions. Joining a node name that has an open session in the group is refused with a
     * {@link BackendException}, as is joining after the cluster is closed.
     */
    public Backend backend() {
        return new ClusterBackend(this);
    }

    /**
     * Starts a supervisor on this cluster: sets {@code builder.backend(backend())}, builds the
     * options and calls {@link DistributedSupervisor#start}. The supervisor is remembered by its
     * node name for {@link #stop}, {@link #crash} and {@link #close}.
     *
     * @throws IllegalArgumentException if an option is invalid
     * @throws IllegalStateException    if the cluster is closed
     * @throws io.distributedsupervisor.DistributedSupervisorException if the node cannot join
     */
    public DistributedSupervisor start(SupervisorOptions.Builder builder) {
        Objects.requireNonNull(builder, "builder");
        ensureOpen();
        Backend backend = backend();
        SupervisorOptions options = builder.backend(backend).build();
        DistributedSupervisor supervisor;
        try {
            supervisor = DistributedSupervisor.start(options);
        } catch (RuntimeException | Error e) {
            backend.close(); // a session the failed start left behind would hold the node name
            throw e;
        }
        started.computeIfAbsent(options.nodeName(), n -> new CopyOnWriteArrayList<>()).add(new Started(supervisor, backend));
        if (closed) { // raced close(), which may have missed it
            closeStarted(new Started(supervisor, backend), new ArrayList<>());
            throw new IllegalStateException("in-memory cluster " + name + " was closed while starting node " + options.nodeName());
        }
        return supervisor;
    }

    /**
     * Crashes a node, as a lost ZooKeeper session: in every group, its member entry and all owner
     * entries of its session vanish at once (the other sessions get {@code onMembersChanged} and
     * {@code onOwnerRemoved(key, previousOwner)} for each), while stored specs stay. The
     * node's sessions are dead from then on: {@code holdsLease()} is false, writes throw
     * {@link BackendException}, requests to and from them fail fast. Each then gets
     * {@code onSessionState(CLOSED)} as its last event, so its runtime drops its children
     * without terminate callbacks. No graceful step runs.
     *
     * @throws IllegalArgumentException if the node has no open session here
     */
    public void crash(String node) {
        for (InMemorySession s : sessionsOf(node, "crash")) {
            s.crash();
        }
    }

    /**
     * Stops a node gracefully: supervisors started with {@link #start} on it are
     * {@linkplain DistributedSupervisor#close() closed} (they hand their children over), then its
     * remaining sessions are {@linkplain NodeSession#close() closed}.
     *
     * @throws IllegalArgumentException if the node has neither a started supervisor nor an open session here
     */
    public void stop(String node) {
        Objects.requireNonNull(node, "node");
        List<Started> supervisors = started.remove(node);
        List<InMemorySession> open = openSessions(node);
        if (supervisors == null && open.isEmpty()) {
            throw unknownNode(node, "stop");
        }
        List<RuntimeException> failures = new ArrayList<>();
        if (supervisors != null) {
            for (Started s : supervisors) {
                closeStarted(s, failures);
            }
        }
        for (InMemorySession s : openSessions(node)) {
            s.close();
        }
        rethrow(failures);
    }

    /**
     * Simulates a lost connection that keeps the session (ZooKeeper's {@code SUSPENDED}): the
     * node's sessions stop {@linkplain NodeSession#holdsLease() holding the lease} and get
     * {@code onSessionState(SUSPENDED)}; their writes throw {@link BackendException} until
     * {@link #resume}, as ZooKeeper's would; their reads, entries and transport stay, and the
     * other nodes see no change. Suspending a suspended node does nothing.
     *
     * @throws IllegalArgumentException if the node has no open session here
     */
    public void suspend(String node) {
        for (InMemorySession s : sessionsOf(node, "suspend")) {
            s.suspend();
        }
    }

    /**
     * Ends a {@link #suspend}: the node's sessions hold the lease again and get
     * {@code onSessionState(RECONNECTED)}; their claims held throughout. Resuming a node that is
     * not suspended does nothing.
     *
     * @throws IllegalArgumentException if the node has no open session here
     */
    public void resume(String node) {
        for (InMemorySession s : sessionsOf(node, "resume")) {
            s.resume();
        }
    }

    /** The names of the nodes with an open session in some group, sorted; a snapshot. */
    public Set<String> nodes() {
        SortedSet<String> nodes = new TreeSet<>();
        for (Group g : groups.values()) {
            nodes.addAll(g.sessions.keySet());
        }
        return Collections.unmodifiableSortedSet(nodes);
    }

    /**
     * Closes every supervisor started here and every session still open (gracefully), waits for
     * every session's listener thread to finish, and, for a {@linkplain #named named} cluster,
     * frees the name. Idempotent.
     *
     * @throws RuntimeException the first failure of a supervisor's close, the others suppressed,
     *                          after everything else was closed
     */
    @Override
    public void close() {
        closed = true;
        if (registered) {
            NAMED.remove(name, this);
        }
        List<RuntimeException> failures = new ArrayList<>();
        for (String node : List.copyOf(started.keySet())) {
            List<Started> supervisors = started.remove(node);
            if (supervisors != null) {
                for (Started s : supervisors) {
                    closeStarted(s, failures);
                }
            }
        }
        for (InMemorySession s : List.copyOf(sessions)) {
            s.close();
            s.awaitListenerStopped(); // a crashed session's thread was not waited for at the crash
        }
        rethrow(failures);
    }

    @Override
    public String toString() {
        return "InMemoryCluster[" + name + ", nodes " + nodes() + (closed ? ", closed" : "") + "]";
    }

    // ---- package-private: used by sessions, backends and this package's tests ----

    InMemorySession join(String supervisor, String node, SessionListener listener, MessageHandler handler) {
        Objects.requireNonNull(supervisor, "supervisor");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(handler, "handler");
        if (supervisor.isEmpty() || supervisor.indexOf('/') >= 0 || node.isEmpty() || node.indexOf('/') >= 0) {
            throw new IllegalArgumentException("supervisor and node names must be non-empty and free of '/': supervisor '"
                    + supervisor + "', node '" + node + "'");
        }
        if (closed) {
            throw new BackendException("in-memory cluster " + name + " is closed; node " + node
                    + " cannot join supervisor " + supervisor);
        }
        InMemorySession session = groups.computeIfAbsent(supervisor, s -> new Group(this, s)).join(node, listener, handler);
        if (closed) { // raced close(), which may have missed it
            session.close();
            throw new BackendException("in-memory cluster " + name + " was closed while node " + node
                    + " joined supervisor " + supervisor);
        }
        return session;
    }

    /** Crashes one session only (the TCK's crash hook); the node's sessions in other groups live on. */
    void crash(NodeSession session) {
        if (!(session instanceof InMemorySession s) || s.cluster() != this) {
            throw new IllegalArgumentException("not a session of in-memory cluster " + name + ": " + session);
        }
        s.crash();
    }

    /** Called before the session is reachable, so that it cannot end (and be forgotten) before it is tracked. */
    void track(InMemorySession session) {
        sessions.add(session);
    }

    void forget(InMemorySession session) {
        sessions.remove(session);
    }

    /** How many sessions the cluster still tracks (open, or ended with events still to run). */
    int trackedSessions() {
        return sessions.size();
    }

    /** Whether any listener thread of a session of this cluster still runs. */
    boolean anyListenerThreadAlive() {
        for (InMemorySession s : sessions) {
            if (s.eventThreadAlive()) {
                return true;
            }
        }
        return false;
    }

    long nextSessionId() {
        return sessionIds.incrementAndGet();
    }

    long nextEpoch() {
        return epochs.incrementAndGet();
    }

    private List<InMemorySession> openSessions(String node) {
        List<InMemorySession> open = new ArrayList<>();
        for (Group g : groups.values()) {
            InMemorySession s = g.sessions.get(node);
            if (s != null) {
                open.add(s);
            }
        }
        return open;
    }

    private List<InMemorySession> sessionsOf(String node, String action) {
        Objects.requireNonNull(node, "node");
        List<InMemorySession> open = openSessions(node);
        if (open.isEmpty()) {
            throw unknownNode(node, action);
        }
        return open;
    }

    private IllegalArgumentException unknownNode(String node, String action) {
        return new IllegalArgumentException("cannot " + action + " node " + node + ": it has no open session in in-memory cluster "
                + name + " (nodes: " + nodes() + ")");
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("in-memory cluster " + name + " is closed");
        }
    }

    private static void closeStarted(Started s, List<RuntimeException> failures) {
        try {
            s.supervisor.close();
        } catch (RuntimeException e) {
            failures.add(e);
        } finally {
            s.backend.close(); // whatever the supervisor's close left open
        }
    }

    private static void rethrow(List<RuntimeException> failures) {
        if (failures.isEmpty()) {
            return;
        }
        RuntimeException first = failures.get(0);
        for (int i = 1; i < failures.size(); i++) {
            first.addSuppressed(failures.get(i));
        }
        throw first;
    }

    private record Started(DistributedSupervisor supervisor, Backend backend) {
    }
}
