package io.distributedsupervisor.spring;

import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.ExitReason;
import io.distributedsupervisor.MoveCause;
import io.distributedsupervisor.MoveOutcome;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.StartReason;
import io.distributedsupervisor.spi.Listener;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.ToIntFunction;

/**
 * The supervisor's figures on the application's Micrometer registry, bound by Spring Boot when
 * Micrometer is on the class path. Gauges, read when scraped (nothing on the call path):
 * {@code distributed.supervisor.children.local} (children on this node),
 * {@code distributed.supervisor.children} (in the cluster, as this node's view has them) and
 * {@code distributed.supervisor.members}. Counters, from the supervisor's events (on its
 * listener thread): {@code distributed.supervisor.starts} (tag {@code reason}),
 * {@code distributed.supervisor.stops} (tag {@code reason}: the exit kind),
 * {@code distributed.supervisor.moves} (tags {@code cause}, {@code outcome}) and
 * {@code distributed.supervisor.failovers}. Every meter is tagged {@code supervisor} and
 * {@code node}. It is one of the supervisor's listeners: it learns the supervisor when it starts;
 * events before both the registry and the supervisor are known are not counted, and while the
 * supervisor is not running the gauges read 0.
 *
 * <p>The operations work (issue 13) adds call and start latency timers in the runtime; this binder
 * is what the supervisor's public API and events give without it.
 */
public final class DistributedSupervisorMetrics implements MeterBinder, Listener {
    // Guarded by this: the gauges are registered once both the registry and the supervisor are known.
    private MeterRegistry registry;
    private DistributedSupervisor supervisor;
    private volatile boolean running;
    private boolean registered;

    @Override
    public synchronized void bindTo(MeterRegistry r) {
        registry = r;
        registerGauges();
    }

    @Override
    public synchronized void onSupervisorStart(DistributedSupervisor s) {
        supervisor = s;
        running = true;
        registerGauges();
    }

    @Override
    public void onSupervisorStop(DistributedSupervisor s) {
        running = false;
    }

    private void registerGauges() {
        if (registry == null || supervisor == null || registered) {
            return;
        }
        registered = true;
        Gauge.builder("distributed.supervisor.children.local", this, m -> m.read(s -> s.localChildren().size()))
                .description("children running on this node").tags(tags()).register(registry);
        Gauge.builder("distributed.supervisor.children", this, m -> m.read(s -> s.children().size()))
                .description("children in the cluster, as this node's view has them").tags(tags()).register(registry);
        Gauge.builder("distributed.supervisor.members", this, m -> m.read(s -> s.nodes().size()))
                .description("nodes in the ring").tags(tags()).register(registry);
    }

    private double read(ToIntFunction<DistributedSupervisor> f) {
        DistributedSupervisor s;
        synchronized (this) {
            s = supervisor;
        }
        if (!running || s == null) {
            return 0;
        }
        try {
            return f.applyAsInt(s);
        } catch (RuntimeException closing) {
            return 0;
        }
    }

    private String[] tags(String... more) {
        String[] t = new String[4 + more.length];
        t[0] = "supervisor";
        t[1] = supervisor.name();
        t[2] = "node";
        t[3] = supervisor.node();
        System.arraycopy(more, 0, t, 4, more.length);
        return t;
    }

    private synchronized void count(String name, String... tags) {
        if (registry != null && supervisor != null) {
            registry.counter(name, tags(tags)).increment();
        }
    }

    @Override
    public void onProcessStart(String supervisor, Object id, Pid pid, StartReason reason) {
        count("distributed.supervisor.starts", "reason", lower(reason));
    }

    @Override
    public void onProcessStop(String supervisor, Object id, List<Pid> pids, ExitReason reason) {
        count("distributed.supervisor.stops", "reason", lower(reason.kind()));
    }

    @Override
    public void onMove(String supervisor, Object id, String from, String to, MoveCause cause, MoveOutcome outcome) {
        count("distributed.supervisor.moves", "cause", lower(cause), "outcome", lower(outcome));
    }

    @Override
    public void onFailover(String supervisor, List<String> lostNodes, int children, Duration took) {
        count("distributed.supervisor.failovers");
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
