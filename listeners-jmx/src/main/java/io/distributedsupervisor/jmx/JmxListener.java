package io.distributedsupervisor.jmx;

import io.distributedsupervisor.ChildStatus;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.ExitReason;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.StartReason;
import io.distributedsupervisor.spi.Listener;
import io.distributedsupervisor.spi.ListenerEvent;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes every supervisor of this JVM over JMX: one {@link DistributedSupervisorMXBean} per
 * supervisor and node, named {@code io.distributedsupervisor:type=DistributedSupervisor,name=<supervisor>,node=<node>}
 * (see {@link #objectName}), with JMX notifications for node up, node down, node terminate,
 * a child given up, an untrusted entry and each planned move of a child.
 *
 * <p>Found by {@link java.util.ServiceLoader}: with this jar on the class path every supervisor
 * gets its MBean, nothing to configure. It can also be passed explicitly
 * ({@code SupervisorOptions.builder(..).listeners(List.of(new JmxListener(server)))}), e.g. to
 * use another {@link MBeanServer}. Switched off by {@code serviceLoaderListeners(false)} (only
 * the ServiceLoader's instance), or for every instance by the system property
 * {@value #ENABLED_PROPERTY}{@code =false}, read when the listener is created (for the
 * ServiceLoader's instance: when each supervisor starts).
 *
 * <p>Guarantees:
 * <ul>
 *   <li>The MBean is registered when the supervisor starts and unregistered when it closes or
 *       crashes: starting and closing supervisors leaves no MBean, thread or reference behind.</li>
 *   <li>Counting costs an uncontended atomic add on the supervisor's listener thread: no lock,
 *       no allocation, and nothing on a caller's or child's thread. Notifications are queued
 *       to a bounded executor of the MBean's own, so a slow or throwing JMX client can not stall
 *       a supervisor (in-process listeners that fall behind lose notifications, counted in
 *       {@code NotificationsDropped}; remote clients are buffered by their connector).</li>
 *   <li>A failure to register (e.g. the name is taken because this listener was added both
 *       explicitly and through ServiceLoader) is logged; the supervisor runs on unaffected.</li>
 * </ul>
 *
 * <p>One instance may serve several supervisors and nodes: every event names the supervisor and
 * the node that observed it ({@link ListenerEvent}), which is how this listener tells apart, say,
 * the nodes {@code n1} and {@code n2} of supervisor {@code DS} running in one JVM.
 */
public final class JmxListener implements Listener {
    /** The JMX domain of every MBean this listener registers. */
    public static final String DOMAIN = "io.distributedsupervisor";
    /** The system property that, set to {@code false}, keeps every {@code JmxListener} from registering anything. */
    public static final String ENABLED_PROPERTY = "ds.jmx.enabled";

    private static final Logger LOG = LoggerFactory.getLogger(JmxListener.class);

    private final MBeanServer server;
    private final boolean enabled;
    private record Key(String supervisor, String node) {
    }

    /** The counters of each supervisor and node; an entry goes with {@link #onSupervisorStop}, its last event. */
    private final ConcurrentHashMap<Key, NodeStats> nodes = new ConcurrentHashMap<>();
    private final AtomicInteger registered = new AtomicInteger();

    /** A listener that registers its MBeans with the platform MBean server: what ServiceLoader creates. */
    public JmxListener() {
        this(ManagementFactory.getPlatformMBeanServer());
    }

    /** A listener that registers its MBeans with {@code server}. */
    public JmxListener(MBeanServer server) {
        this.server = Objects.requireNonNull(server, "server");
        this.enabled = enabledByProperty();
    }

    /**
     * The name of the MBean of {@code supervisor} on {@code node}. A value with a character that
     * {@link ObjectName} reserves ({@code , = : " * ? \n}) is quoted with {@link ObjectName#quote}.
     *
     * @throws IllegalArgumentException if a name is empty
     */
    public static ObjectName objectName(String supervisor, String node) {
        try {
            return new ObjectName(DOMAIN + ":type=DistributedSupervisor,name=" + value("supervisor", supervisor)
                    + ",node=" + value("node", node));
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException("cannot name the MBean of supervisor '" + supervisor + "' on node '" + node
                    + "': " + e.getMessage(), e);
        }
    }

    @Override
    public void onSupervisorStart(DistributedSupervisor supervisor) {
        if (!enabled) {
            return;
        }
        NodeStats stats = stats(supervisor.name(), supervisor.node());
        ObjectName name = objectName(supervisor.name(), supervisor.node());
        SupervisorMBean bean = new SupervisorMBean(supervisor, stats, name);
        try {
            server.registerMBean(bean.dynamic(), name);
        } catch (InstanceAlreadyExistsException e) {
            bean.close();
            LOG.warn("JMX: {} is registered already, so this JmxListener publishes nothing for supervisor {} on node {}. "
                    + "Was a JmxListener added explicitly while ServiceLoader adds one too? Pass "
                    + "serviceLoaderListeners(false) then.", name, supervisor.name(), supervisor.node());
            return;
        } catch (JMException | RuntimeException e) {
            bean.close();
            LOG.warn("JMX: registering {} failed; supervisor {} on node {} runs on without it", name, supervisor.name(),
                    supervisor.node(), e);
            return;
        }
        stats.mbean = bean;
        registered.incrementAndGet();
    }

    @Override
    public void onSupervisorStop(DistributedSupervisor supervisor) {
        NodeStats stats = nodes.remove(new Key(supervisor.name(), supervisor.node()));
        if (stats == null || stats.mbean == null) {
            return;
        }
        SupervisorMBean bean = stats.mbean;
        stats.mbean = null;
        try {
            server.unregisterMBean(bean.name());
        } catch (InstanceNotFoundException e) {
            LOG.debug("JMX: {} was unregistered by someone else already", bean.name());
        } catch (JMException | RuntimeException e) {
            LOG.warn("JMX: unregistering {} failed", bean.name(), e);
        } finally {
            bean.close();
            registered.decrementAndGet();
        }
    }

    @Override
    public void onEvent(ListenerEvent event) {
        if (!enabled) {
            return;
        }
        NodeStats s = stats(event.supervisor(), event.node());
        switch (event) {
            case ListenerEvent.ProcessStarted e -> processStarted(s, e.reason());
            case ListenerEvent.ProcessStopped e -> processStopped(s, e.supervisor(), e.id(), e.pids(), e.reason());
            case ListenerEvent.NodeUp e -> {
                s.nodesUp.incrementAndGet();
                if (s.mbean != null) {
                    s.mbean.send(DistributedSupervisorMXBean.NODE_UP, "node " + e.joined() + " joined supervisor "
                            + e.supervisor(), Notifications.nodeEvent(e.supervisor(), e.node(), e.joined(), "",
                            Notifications.ringNodes(e.info()), List.of()));
                }
            }
            case ListenerEvent.NodeDown e -> {
                s.nodesDown.incrementAndGet();
                if (s.mbean != null) {
                    Object why = e.info().get("reason");
                    String reason = why == null ? "" : why.toString();
                    s.mbean.send(DistributedSupervisorMXBean.NODE_DOWN, "node " + e.lost() + " of supervisor "
                            + e.supervisor() + " is down" + (reason.isEmpty() ? "" : ": " + reason),
                            Notifications.nodeEvent(e.supervisor(), e.node(), e.lost(), reason,
                                    Notifications.ringNodes(e.info()), List.of()));
                }
            }
            case ListenerEvent.NodeTerminated e -> {
                s.nodesTerminated.incrementAndGet();
                if (s.mbean != null) {
                    String why = e.reason() == null ? "" : e.reason().toString();
                    s.mbean.send(DistributedSupervisorMXBean.NODE_TERMINATE, "node " + e.closed() + " of supervisor "
                            + e.supervisor() + " closed with " + e.statuses().size() + " children",
                            Notifications.nodeEvent(e.supervisor(), e.node(), e.closed(), why, ringOf(s.mbean), e.statuses()));
                }
            }
            case ListenerEvent.Failover e -> s.lastFailoverMillis.set(e.took().toMillis());
            case ListenerEvent.Untrusted e -> {
                s.untrusted.incrementAndGet();
                if (s.mbean != null) {
                    s.mbean.send(DistributedSupervisorMXBean.UNTRUSTED, "supervisor " + e.supervisor() + " on node "
                            + e.node() + " ignores " + e.what() + ": " + e.why(), null);
                }
            }
            case ListenerEvent.Move e -> moved(s, e);
        }
    }

    private static void moved(NodeStats s, ListenerEvent.Move e) {
        switch (e.outcome()) {
            case MOVED -> {
                switch (e.cause()) {
                    case JOIN -> s.movesJoin.incrementAndGet();
                    case LEAVE -> s.movesLeave.incrementAndGet();
                    case DRAIN -> s.movesDrain.incrementAndGet();
                    case EXPLICIT -> s.movesExplicit.incrementAndGet();
                }
            }
            case VETOED -> s.movesVetoed.incrementAndGet();
            case DROPPED -> s.movesDropped.incrementAndGet();
            case FAILED -> s.movesFailed.incrementAndGet();
        }
        if (s.mbean != null) {
            s.mbean.send(DistributedSupervisorMXBean.CHILD_MOVE, e.cause() + " move of child " + e.id() + " of "
                    + e.supervisor() + " from " + e.from() + " to " + e.to() + ": " + e.outcome(),
                    Notifications.moveEvent(e.supervisor(), e.node(), e.id(), e.from(), e.to(), e.cause().name(),
                            e.outcome().name(), e.took().toMillis()));
        }
    }

    private static void processStarted(NodeStats s, StartReason reason) {
        s.started.incrementAndGet();
        switch (reason) {
            case RESTARTED -> s.restarted.incrementAndGet();
            case TAKEN_OVER -> s.migratedIn.incrementAndGet();
            case STARTED -> { }
        }
    }

    private static void processStopped(NodeStats s, String supervisor, Object id, List<Pid> pids, ExitReason reason) {
        int n = pids.size();
        s.stopped.addAndGet(n);
        switch (reason.kind()) {
            case ERROR, CUSTOM, KILLED -> s.crashed.addAndGet(n);
            case MIGRATED -> s.migratedOut.addAndGet(n);
            case GIVEN_UP -> {
                s.givenUp.addAndGet(n);
                if (reason.detail() instanceof ExitReason last && isCrash(last)) {
                    s.crashed.addAndGet(n);
                }
                if (s.mbean != null) {
                    String pid = pids.isEmpty() ? "" : pids.get(pids.size() - 1).toString();
                    String last = String.valueOf(reason.detail());
                    s.mbean.send(DistributedSupervisorMXBean.CHILD_GIVEN_UP,
                            "child " + id + " of " + supervisor + " was given up after too many restarts; last exit: " + last,
                            Notifications.childEvent(supervisor, s.mbean.getNodeName(), id, pid, last));
                }
            }
            case NORMAL, SHUTDOWN, NODE_DOWN -> { }
        }
    }

    /** How many MBeans this listener has registered and not yet unregistered. */
    int registeredCount() {
        return registered.get();
    }

    @Override
    public String toString() {
        return "JmxListener[" + (enabled ? "enabled" : "disabled by " + ENABLED_PROPERTY) + ", " + registered.get()
                + " MBeans]";
    }

    /**
     * The counters of a supervisor's node, made on its first event. Events may come before
     * {@code onSupervisorStart} (children a starting node takes over): they count all the same.
     */
    private NodeStats stats(String supervisor, String node) {
        return nodes.computeIfAbsent(new Key(supervisor, node), k -> new NodeStats());
    }

    private static List<String> ringOf(SupervisorMBean bean) {
        try {
            return bean.getRingNodes();
        } catch (RuntimeException e) {
            return List.of(); // the supervisor is closing: the notification goes out without the ring
        }
    }

    private static boolean isCrash(ExitReason r) {
        return switch (r.kind()) {
            case ERROR, CUSTOM, KILLED -> true;
            default -> false;
        };
    }

    private static boolean enabledByProperty() {
        String v = System.getProperty(ENABLED_PROPERTY);
        if (v == null || v.isBlank() || v.trim().equalsIgnoreCase("true")) {
            return true;
        }
        if (v.trim().equalsIgnoreCase("false")) {
            return false;
        }
        LOG.warn("JMX: system property {}='{}' is neither true nor false; JMX stays enabled", ENABLED_PROPERTY, v);
        return true;
    }

    private static String value(String what, String v) {
        Objects.requireNonNull(v, what);
        if (v.isEmpty()) {
            throw new IllegalArgumentException("the " + what + " name of an MBean must not be empty");
        }
        for (int i = 0; i < v.length(); i++) {
            switch (v.charAt(i)) {
                case ',', '=', ':', '"', '*', '?', '\n', '\\' -> {
                    return ObjectName.quote(v);
                }
                default -> { }
            }
        }
        return v;
    }
}
