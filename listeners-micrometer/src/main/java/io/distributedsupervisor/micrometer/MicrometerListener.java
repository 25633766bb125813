package io.distributedsupervisor.micrometer;

import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.ExitReason;
import io.distributedsupervisor.StartReason;
import io.distributedsupervisor.spi.Listener;
import io.distributedsupervisor.spi.ListenerEvent;
import io.distributedsupervisor.spi.NodeReadings;
import io.distributedsupervisor.spi.Timings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Publishes every supervisor of this JVM as Micrometer meters on a {@link MeterRegistry}: counters
 * from its events, gauges read when the registry is scraped, and timers from the runtime's
 * {@link Timings} hook. Every meter has the tags {@code supervisor} (its name) and {@code node}
 * (the node that observed it); some have more, below.
 *
 * <table class="striped">
 *   <caption>Meters (prefix {@value #PREFIX})</caption>
 *   <thead><tr><th>name</th><th>type</th><th>more tags</th><th>what</th></tr></thead>
 *   <tbody>
 *   <tr><td>{@code distributed.supervisor.starts}</td><td>counter</td><td>{@code reason}: {@code started},
 *       {@code restarted}, {@code taken_over}</td><td>child incarnations started on the node</td></tr>
 *   <tr><td>{@code distributed.supervisor.stops}</td><td>counter</td><td>{@code reason}: the exit's kind
 *       ({@code normal}, {@code error}, {@code given_up}, {@code node_down}, ...)</td><td>child incarnations that stopped</td></tr>
 *   <tr><td>{@code distributed.supervisor.crashes}</td><td>counter</td><td></td><td>abnormal exits of the child's
 *       own ({@code error}: a handler, init included, threw; {@code custom}; {@code killed}), restarted or not,
 *       and the last one before a give-up (as JMX's {@code ProcessesCrashed})</td></tr>
 *   <tr><td>{@code distributed.supervisor.restarts}</td><td>counter</td><td></td><td>children restarted in place
 *       after an exit</td></tr>
 *   <tr><td>{@code distributed.supervisor.giveups}</td><td>counter</td><td></td><td>children given up: more than
 *       {@code maxRestarts} exits within {@code maxRestartWindow}</td></tr>
 *   <tr><td>{@code distributed.supervisor.moves}</td><td>counter</td><td>{@code cause}, {@code outcome}</td><td>planned
 *       moves of the node's children, whatever their outcome</td></tr>
 *   <tr><td>{@code distributed.supervisor.failovers}</td><td>counter</td><td></td><td>failovers in which this node
 *       took over children of lost nodes</td></tr>
 *   <tr><td>{@code distributed.supervisor.children.local}</td><td>gauge</td><td></td><td>children running on the node</td></tr>
 *   <tr><td>{@code distributed.supervisor.children}</td><td>gauge</td><td></td><td>children in the cluster, as the
 *       node's view has them</td></tr>
 *   <tr><td>{@code distributed.supervisor.members}</td><td>gauge</td><td></td><td>nodes in the ring</td></tr>
 *   <tr><td>{@code distributed.supervisor.mailbox.depth.max}</td><td>gauge</td><td></td><td>messages waiting in the
 *       fullest mailbox of the node's children</td></tr>
 *   <tr><td>{@code distributed.supervisor.mailbox.depth.total}</td><td>gauge</td><td></td><td>messages waiting in all
 *       the node's children's mailboxes</td></tr>
 *   <tr><td>{@code distributed.supervisor.call.duration}</td><td>timer</td><td>{@code location}: {@code local},
 *       {@code remote}; {@code outcome}: {@code ok}, {@code error}</td><td>{@code call} and {@code callAsync} made on
 *       the node, retries included</td></tr>
 *   <tr><td>{@code distributed.supervisor.start.duration}</td><td>timer</td><td>{@code location}, {@code outcome}</td>
 *       <td>{@code startChild} and {@code startChildAsync} made on the node: claim, {@code init}, and until the node's
 *       view shows the child</td></tr>
 *   <tr><td>{@code distributed.supervisor.failover.duration}</td><td>timer</td><td></td><td>from the loss of a node
 *       being seen to the last of the children this node took over having run {@code init}</td></tr>
 *   </tbody>
 * </table>
 *
 * <p>Attaching it: with this jar on the class path, {@link java.util.ServiceLoader} finds it and
 * adds it to every supervisor, publishing on Micrometer's global registry
 * ({@link Metrics#globalRegistry}). To publish on a registry of your own, pass an instance
 * ({@code SupervisorOptions.builder(..).listeners(List.of(new MicrometerListener(registry)))}): it
 * replaces the discovered one. {@code serviceLoaderListeners(false)} leaves the discovered one out.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>Counters are counted on the supervisor's listener thread, never on a caller's or a
 *       child's; gauges are read on the scraping thread. Timers are recorded on the thread
 *       that ends the measured operation: one {@code Timer.record}, looked up when the
 *       supervisor was built, not per call.</li>
 *   <li>Counters and timers exist (at 0) from the supervisor's start and stay after it closes, so
 *       that their totals survive; the gauges are removed when it closes or crashes.</li>
 *   <li>One instance may serve several supervisors and nodes: each (supervisor, node) pair has
 *       meters of its own, told apart by their tags.</li>
 * </ul>
 */
public final class MicrometerListener implements Listener {
    /** The prefix of every meter's name. */
    public static final String PREFIX = "distributed.supervisor";

    private final MeterRegistry registry;
    private final ConcurrentMap<Key, NodeMeters> nodes = new ConcurrentHashMap<>();

    /** Publishes on Micrometer's global registry: what {@link java.util.ServiceLoader} makes. */
    public MicrometerListener() {
        this(Metrics.globalRegistry);
    }

    /** Publishes on {@code registry}. */
    public MicrometerListener(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /** The registry it publishes on. */
    public MeterRegistry registry() {
        return registry;
    }

    @Override
    public Timings timings(NodeReadings node) {
        return meters(node.supervisor(), node.node()).useReadings(node);
    }

    @Override
    public void onSupervisorStart(DistributedSupervisor supervisor) {
        meters(supervisor.name(), supervisor.node()).started(supervisor);
    }

    @Override
    public void onSupervisorStop(DistributedSupervisor supervisor) {
        NodeMeters m = nodes.get(new Key(supervisor.name(), supervisor.node()));
        if (m != null) {
            m.stopped(supervisor);
        }
    }

    @Override
    public void onEvent(ListenerEvent event) {
        NodeMeters m = meters(event.supervisor(), event.node());
        switch (event) {
            case ListenerEvent.ProcessStarted e -> {
                m.count("starts", "child incarnations started on this node", "reason", lower(e.reason()));
                if (e.reason() == StartReason.RESTARTED) {
                    m.restarts.increment();
                }
            }
            case ListenerEvent.ProcessStopped e -> {
                ExitReason r = e.reason();
                m.count("stops", "child incarnations that stopped, by the kind of their exit", "reason", lower(r.kind()));
                if (isCrash(r) || r.kind() == ExitReason.Kind.GIVEN_UP && r.detail() instanceof ExitReason last
                        && isCrash(last)) {
                    m.crashes.increment(); // a give-up carries the crash that went over the limit
                }
                if (r.kind() == ExitReason.Kind.GIVEN_UP) {
                    m.giveUps.increment();
                }
            }
            case ListenerEvent.Move e -> m.count("moves", "planned moves of this node's children", "cause",
                    lower(e.cause()), "outcome", lower(e.outcome()));
            case ListenerEvent.Failover e -> {
                m.failovers.increment();
                m.failoverDuration.record(e.took().toNanos(), TimeUnit.NANOSECONDS);
            }
            default -> {
                // node up/down/terminate and untrusted entries: JMX and the logs tell those
            }
        }
    }

    private NodeMeters meters(String supervisor, String node) {
        return nodes.computeIfAbsent(new Key(supervisor, node), k -> new NodeMeters(registry, k));
    }

    /** An abnormal exit of the child's own: what JMX's {@code ProcessesCrashed} counts too. */
    private static boolean isCrash(ExitReason r) {
        return switch (r.kind()) {
            case ERROR, CUSTOM, KILLED -> true;
            default -> false;
        };
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return "MicrometerListener{" + registry.getClass().getSimpleName() + ", " + nodes.size() + " supervisor nodes}";
    }

    private record Key(String supervisor, String node) {
    }

    /** The meters of one supervisor on one node, and the {@link Timings} observer that records into them. */
    private static final class NodeMeters implements Timings {
        private final MeterRegistry registry;
        private final Tags tags;
        final Counter restarts;
        final Counter crashes;
        final Counter giveUps;
        final Counter failovers;
        final Timer failoverDuration;
        /** By [remote ? 1 : 0][ok ? 1 : 0]. */
        private final Timer[][] calls = new Timer[2][2];
        private final Timer[][] starts = new Timer[2][2];
        /** Handed over when the supervisor is built, used from its start (a stop of an earlier one may come between). */
        private volatile NodeReadings pendingReadings;
        // Written by the listener thread, read by the scraping thread.
        private volatile NodeReadings readings;
        private volatile DistributedSupervisor supervisor;
        private final List<Meter> gauges = new ArrayList<>();

        NodeMeters(MeterRegistry registry, Key key) {
            this.registry = registry;
            this.tags = Tags.of("supervisor", key.supervisor(), "node", key.node());
            restarts = counter("restarts", "children restarted in place after an exit");
            crashes = counter("crashes", "abnormal exits of child incarnations: error, custom, killed");
            giveUps = counter("giveups", "children given up after too many restarts");
            failovers = counter("failovers", "failovers in which this node took over children");
            failoverDuration = Timer.builder(PREFIX + ".failover.duration").tags(tags)
                    .description("from a node's loss being seen to the last child taken over having run init")
                    .register(registry);
            for (int remote = 0; remote < 2; remote++) {
                for (int ok = 0; ok < 2; ok++) {
                    Tags t = tags.and("location", remote == 1 ? "remote" : "local", "outcome", ok == 1 ? "ok" : "error");
                    calls[remote][ok] = Timer.builder(PREFIX + ".call.duration").tags(t)
                            .description("call and callAsync, retries included").register(registry);
                    starts[remote][ok] = Timer.builder(PREFIX + ".start.duration").tags(t)
                            .description("startChild and startChildAsync, until this node's view shows the child")
                            .register(registry);
                }
            }
        }

        private Counter counter(String name, String description) {
            return Counter.builder(PREFIX + "." + name).tags(tags).description(description).register(registry);
        }

        /** A counter with more tags: looked up per event, on the listener thread. */
        void count(String name, String description, String... moreTags) {
            Counter.builder(PREFIX + "." + name).tags(tags.and(moreTags)).description(description).register(registry)
                    .increment();
        }

        Timings useReadings(NodeReadings r) {
            pendingReadings = r;
            return this;
        }

        synchronized void started(DistributedSupervisor s) {
            supervisor = s;
            readings = pendingReadings;
            pendingReadings = null;
            if (!gauges.isEmpty()) {
                return;
            }
            gauges.add(gauge("children.local", "children running on this node", m -> m.read(d -> d.localChildren().size())));
            gauges.add(gauge("children", "children in the cluster, as this node's view has them",
                    m -> m.read(d -> d.children().size())));
            gauges.add(gauge("members", "nodes in the ring", m -> m.read(d -> d.nodes().size())));
            gauges.add(gauge("mailbox.depth.max", "messages waiting in the fullest mailbox of this node's children",
                    m -> m.readings == null || m.supervisor == null ? 0 : m.readings.maxMailboxDepth()));
            gauges.add(gauge("mailbox.depth.total", "messages waiting in the mailboxes of this node's children",
                    m -> m.readings == null || m.supervisor == null ? 0 : m.readings.totalMailboxDepth()));
        }

        synchronized void stopped(DistributedSupervisor s) {
            if (supervisor != s) {
                return; // another supervisor of the same name and node took over these meters meanwhile
            }
            supervisor = null;
            readings = null; // they hold the node's runtime: let it go
            gauges.forEach(registry::remove);
            gauges.clear();
        }

        private Gauge gauge(String name, String description, ToDoubleFunction<NodeMeters> f) {
            // Strong: the registry keeps reading this node's meters until they are removed at its stop.
            return Gauge.builder(PREFIX + "." + name, this, f).tags(tags).description(description)
                    .strongReference(true).register(registry);
        }

        private double read(ToDoubleFunction<DistributedSupervisor> f) {
            DistributedSupervisor s = supervisor;
            if (s == null) {
                return 0;
            }
            try {
                return f.applyAsDouble(s);
            } catch (RuntimeException closing) {
                return 0; // closed between the check and the read
            }
        }

        @Override
        public void call(boolean remote, boolean ok, long nanos) {
            calls[remote ? 1 : 0][ok ? 1 : 0].record(nanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public void start(boolean remote, boolean ok, long nanos) {
            starts[remote ? 1 : 0][ok ? 1 : 0].record(nanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public String toString() {
            return "MicrometerListener timings " + tags;
        }
    }
}
