package io.distributedsupervisor.internal;

import io.distributedsupervisor.ChildRef;
import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.ChildStatus;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.DrainReport;
import io.distributedsupervisor.MoveCause;
import io.distributedsupervisor.Health;
import io.distributedsupervisor.Incarnation;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.StartResult;
import io.distributedsupervisor.SupervisorOptions;
import io.distributedsupervisor.spi.Backend;
import io.distributedsupervisor.spi.BackendProvider;
import io.distributedsupervisor.spi.Listener;
import io.distributedsupervisor.spi.NodeSession;
import java.time.Instant;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node of a distributed supervisor: the implementation behind {@link DistributedSupervisor}.
 * It wires the node's parts together and hands each API call to the part whose job it is: the
 * {@link Router} (call, cast, send), {@link ChildStarts}, {@link Terminations}, the
 * {@link FailoverCoordinator} (with the {@link MoveGate} its moves pass), {@link GracefulClose}; the {@link InboundDispatcher} answers other
 * nodes, the {@link SessionKeeper} keeps the session, the {@link ChildTable} owns the children.
 */
public final class SupervisorNode implements DistributedSupervisor {
    private static final Logger LOG = LoggerFactory.getLogger(SupervisorNode.class);

    private final NodeContext ctx;
    private final Backend backend;
    private final boolean ownsBackend;
    private final Router router;
    private final ChildStarts starts;
    private final Terminations terminations;
    private final OperatorMoves moves;
    private final FailoverCoordinator failover;
    private final SessionKeeper sessions;
    /** Closes this node when the JVM shuts down; null when the option is off. */
    private volatile Thread shutdownHook;

    private SupervisorNode(SupervisorOptions options, Backend backend, boolean ownsBackend, List<Listener> listeners) {
        this.backend = backend;
        this.ownsBackend = ownsBackend;
        this.ctx = new NodeContext(options, new ListenerDispatcher(options.name(), options.nodeName(), listeners), this);
        this.router = new Router(ctx);
        this.starts = new ChildStarts(ctx);
        this.terminations = new Terminations(ctx);
        this.moves = new OperatorMoves(ctx);
        this.sessions = new SessionKeeper(ctx, backend);
        this.failover = new FailoverCoordinator(ctx, starts, sessions::recover);
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
            // A listener given by hand replaces the discovered one of its class (say, one bound to another registry).
            java.util.Set<Class<?>> given = new java.util.HashSet<>();
            listeners.forEach(l -> given.add(l.getClass()));
            ServiceLoader.load(Listener.class).stream().filter(p -> !given.contains(p.type()))
                    .forEach(p -> listeners.add(p.get()));
        }
        SupervisorNode node = new SupervisorNode(options, backend, owns, listeners);
        try {
            node.sessions.join(new InboundDispatcher(node.ctx, node.starts, node.terminations, node.moves, node.failover),
                    node.failover, node::crashed);
        } catch (RuntimeException e) {
            node.ctx.events.close(1000);
            if (owns) {
                backend.close();
            }
            throw e;
        }
        // Listeners hear of the supervisor before any event of it (its own join, children it takes over).
        node.ctx.events.supervisorStart(node);
        node.failover.start(node.ctx.session().members().keySet());
        if (options.shutdownHook()) {
            node.shutdownHook = new Thread(node::close, "ds-shutdown-" + options.name() + "-" + options.nodeName());
            Runtime.getRuntime().addShutdownHook(node.shutdownHook);
        }
        LOG.info("supervisor {} started on node {}; ring {}", node.ctx.name, node.ctx.node, node.ctx.ring.current().nodes());
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

    /** The session ended for good: this node is down. */
    private void crashed() {
        // A graceful close ends its session too: that CLOSED is no crash.
        if (!ctx.lifecycle.leaveRunning(Lifecycle.State.CLOSED)) {
            return;
        }
        LOG.warn("supervisor {} on node {}: session closed, node is down; dropping {} local children",
                ctx.name, ctx.node, ctx.table.size());
        failover.stop();
        ctx.moves.stopPlanned();
        for (LocalChild c : ctx.table.close()) {
            c.abort();
        }
        finishClose();
    }

    private void finishClose() {
        Thread hook = shutdownHook;
        if (hook != null && hook != Thread.currentThread()) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // The JVM is shutting down: the hook runs, and finds this node closed.
            }
        }
        ctx.events.supervisorStop(this);
        ctx.events.close(5000);
        if (ownsBackend) {
            try {
                backend.close();
            } catch (RuntimeException e) {
                LOG.warn("closing the backend failed", e);
            }
        }
    }

    // ---- starting ----

    @Override
    public StartResult startChild(ChildSpec spec) {
        return starts.start(spec, null);
    }

    @Override
    public StartResult startChild(ChildSpec spec, String node) {
        return starts.start(spec, Objects.requireNonNull(node, "node"));
    }

    @Override
    public CompletableFuture<StartResult> startChildAsync(ChildSpec spec) {
        return starts.startAsync(spec, null);
    }

    @Override
    public CompletableFuture<StartResult> startChildAsync(ChildSpec spec, String node) {
        return starts.startAsync(spec, Objects.requireNonNull(node, "node"));
    }

    // ---- reading ----

    @Override
    public Map<Object, Pid> children() {
        ctx.lifecycle.requireOpen();
        Map<Object, Pid> result = new HashMap<>();
        ctx.session().forEachOwner((key, owner) -> {
            Object id = ChildKey.decodeOrNull(key);
            if (id != null) {
                result.put(id, ctx.pidOf(id, owner));
            }
        });
        return Collections.unmodifiableMap(result);
    }

    @Override
    public List<Pid> localChildren() {
        // Not through localChildStatuses: a status is two objects a child, for a list of pids.
        return Collections.unmodifiableList(runningHere(LocalChild::currentPid));
    }

    @Override
    public List<ChildStatus> localChildStatuses() {
        return runningHere(LocalChild::status);
    }

    /** What {@code of} says of each child running here, or nothing while this node cannot claim to run any. */
    private <T> List<T> runningHere(Function<LocalChild, T> of) {
        if (ctx.lifecycle.isClosed() || !ctx.session().holdsLease()) {
            // Cut off from coordination (paused, or woken from a freeze before the loss is seen):
            // these children may already run elsewhere, so this node does not claim to run them.
            return List.of();
        }
        List<T> result = new ArrayList<>(ctx.table.size());
        for (LocalChild c : ctx.table.children()) {
            if (!c.isDone()) {
                result.add(of.apply(c));
            }
        }
        return result;
    }

    @Override
    public Optional<Pid> whereis(Object id) {
        ctx.lifecycle.requireOpen();
        return ctx.session().owner(ChildKey.encode(id)).map(o -> ctx.pidOf(id, o));
    }

    @Override
    public Optional<Object> whois(Pid pid) {
        Objects.requireNonNull(pid, "pid");
        ctx.lifecycle.requireOpen();
        if (!pid.supervisor().equals(ctx.name)) {
            return Optional.empty();
        }
        return ctx.session().owner(ChildKey.encode(pid.id()))
                .filter(o -> o.node().equals(pid.node()) && new Incarnation(o.epoch(), o.restarts()).equals(pid.incarnation()))
                .map(o -> pid.id());
    }

    @Override
    public Health health() {
        Instant at = Instant.now();
        Optional<Health.Failover> last = Optional.ofNullable(failover.lastFailover());
        if (ctx.lifecycle.isClosed()) {
            return new Health(ctx.name, ctx.node, at, Health.Connection.CLOSED, ctx.session().sessionId(), false,
                    Optional.of(Duration.ZERO), false, false, last, List.of());
        }
        NodeSession s = ctx.session();
        boolean lease = s.holdsLease();
        Optional<Duration> remaining = lease ? s.leaseRemaining() : Optional.of(Duration.ZERO);
        return new Health(ctx.name, ctx.node, at, sessions.connection(), s.sessionId(), lease, remaining,
                failover.reconciling(), failover.failoverInProgress(), last, s.members().values().stream()
                .map(m -> new Health.Member(m.node(), m.address(), Instant.ofEpochMilli(m.startedAt())))
                .sorted(java.util.Comparator.comparing(Health.Member::node)).toList());
    }

    // ---- messaging ----

    @Override
    public <R> R call(Object id, Object request) {
        return call(id, request, ctx.options.callTimeout());
    }

    @Override
    @SuppressWarnings("unchecked")
    public <R> R call(Object id, Object request, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        return (R) router.call(id, request, timeout);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <R> CompletableFuture<R> callAsync(Object id, Object request, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        ChildKey.validate(id);
        return (CompletableFuture<R>) router.callAsync(id, request, timeout);
    }

    @Override
    public void cast(Object id, Object message) {
        router.deliver(id, message, Letter.CAST);
    }

    @Override
    public boolean send(Object id, Object message) {
        return router.deliver(id, message, Letter.INFO);
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
        if (!pid.supervisor().equals(ctx.name)) {
            return false;
        }
        return terminations.terminate(pid.id(), pid.incarnation());
    }

    @Override
    public Pid move(Object id, String node) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(node, "node");
        return moves.move(id, node, ctx.options.callTimeout());
    }

    @Override
    public boolean terminateChild(Object id) {
        if (id instanceof Pid pid) {
            return terminateChild(pid);
        }
        return terminations.terminate(id, null);
    }

    // ---- rebalancing ----

    @Override
    public int rebalance() {
        ctx.lifecycle.requireOpen();
        return failover.rebalance();
    }

    @Override
    public void pauseRebalancing() {
        ctx.moves.pause();
    }

    @Override
    public void resumeRebalancing() {
        ctx.moves.resume();
    }

    @Override
    public boolean isRebalancingPaused() {
        return ctx.moves.isPaused();
    }

    // ---- the ring ----

    @Override
    public String nodeFor(Object key) {
        return ctx.ring.nodeFor(ChildKey.encode(key));
    }

    @Override
    public boolean isMine(Object key) {
        return nodeFor(key).equals(ctx.node);
    }

    @Override
    public List<String> nodes() {
        return ctx.ring.current().nodes();
    }

    @Override
    public String node() {
        return ctx.node;
    }

    @Override
    public String name() {
        return ctx.name;
    }

    // ---- closing ----

    @Override
    public void close() {
        closeHandingOver(ctx.options.drainTimeout(), MoveCause.LEAVE);
    }

    @Override
    public DrainReport drain(Duration deadline) {
        return closeHandingOver(deadline != null ? deadline : ctx.options.drainTimeout(), MoveCause.DRAIN);
    }

    private DrainReport closeHandingOver(Duration timeout, MoveCause cause) {
        List<ChildStatus> statuses = localChildStatuses();
        if (!ctx.lifecycle.leaveRunning(Lifecycle.State.CLOSING)) {
            return new DrainReport(0, List.of(), 0, Duration.ZERO);
        }
        ctx.moves.stopPlanned(); // queued rebalancing moves are dropped: the close hands every child over
        DrainReport report = new GracefulClose(ctx, failover).run(statuses, timeout, cause);
        ctx.lifecycle.closed();
        LOG.info("supervisor {} on node {} closed: {} children handed over, {} stopped, {} left to failover, in {} ms",
                ctx.name, ctx.node, report.handedOver(), report.stopped(), report.leftToFailover().size(),
                report.took().toMillis());
        finishClose();
        return report;
    }

    @Override
    public String toString() {
        return "DistributedSupervisor{" + ctx.name + "@" + ctx.node + "}";
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
            return "ChildRef{" + node.ctx.name + ":" + id + "}";
        }
    }
}
