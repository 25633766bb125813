package io.distributedsupervisor.jmx;

import io.distributedsupervisor.DistributedSupervisor;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanParameterInfo;
import javax.management.Notification;
import javax.management.NotificationBroadcasterSupport;
import javax.management.ObjectName;
import javax.management.StandardEmitterMBean;
import javax.management.openmbean.CompositeData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MBean of one supervisor on one node: reads its attributes from the supervisor's local
 * view and from {@link NodeStats}, and sends notifications through a small executor of its own,
 * so that the dispatcher thread only queues them.
 */
final class SupervisorMBean implements DistributedSupervisorMXBean {
    private static final Logger LOG = LoggerFactory.getLogger(SupervisorMBean.class);

    /**
     * Notifications queued for in-process listeners. Beyond this, a listener is not keeping up,
     * and dropping is better than holding the supervisor's events or growing without bound.
     */
    static final int NOTIFICATION_QUEUE = 1024;

    private final DistributedSupervisor supervisor;
    private final NodeStats stats;
    private final ObjectName name;
    private final ThreadPoolExecutor notifier;
    private final NotificationBroadcasterSupport emitter;
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    SupervisorMBean(DistributedSupervisor supervisor, NodeStats stats, ObjectName name) {
        this.supervisor = supervisor;
        this.stats = stats;
        this.name = name;
        String threadName = "ds-jmx-notify-" + supervisor.name() + "-" + supervisor.node();
        // One thread keeps the notifications in event order; it ends when idle, so a quiet
        // supervisor holds no thread.
        this.notifier = new ThreadPoolExecutor(1, 1, 10, TimeUnit.SECONDS, new ArrayBlockingQueue<>(NOTIFICATION_QUEUE),
                r -> Thread.ofPlatform().daemon().name(threadName).unstarted(r), (r, ex) -> dropped());
        this.notifier.allowCoreThreadTimeOut(true);
        this.emitter = new NotificationBroadcasterSupport(notifier, Notifications.INFO);
    }

    /** The object to register: this MXBean with its notifications and descriptions a client can show. */
    StandardEmitterMBean dynamic() {
        return new Described(this, emitter);
    }

    ObjectName name() {
        return name;
    }

    /** Sends a notification without waiting for any listener. Called on the dispatcher thread. */
    void send(String type, String message, CompositeData userData) {
        Notification n = new Notification(type, name, sequence.incrementAndGet(), System.currentTimeMillis(), message);
        n.setUserData(userData);
        emitter.sendNotification(n);
    }

    /** After unregistration: lets queued notifications go out, then the thread ends. */
    void close() {
        notifier.shutdown();
    }

    private void dropped() {
        if (dropped.incrementAndGet() == 1) {
            LOG.warn("JMX notifications of {} are dropped: an in-process notification listener does not keep up "
                    + "(more than {} queued); see attribute NotificationsDropped", name, NOTIFICATION_QUEUE);
        }
    }

    // ---- attributes ----

    @Override
    public String getNodeName() {
        return supervisor.node();
    }

    @Override
    public String getSupervisorName() {
        return supervisor.name();
    }

    @Override
    public List<String> getRingNodes() {
        return guarded(supervisor::nodes);
    }

    @Override
    public int getLocalChildCount() {
        return guarded(() -> supervisor.localChildren().size());
    }

    @Override
    public int getClusterChildCount() {
        return guarded(() -> supervisor.children().size());
    }

    @Override
    public long getProcessesStarted() {
        return stats.started.get();
    }

    @Override
    public long getProcessesStopped() {
        return stats.stopped.get();
    }

    @Override
    public long getProcessesCrashed() {
        return stats.crashed.get();
    }

    @Override
    public long getProcessesRestarted() {
        return stats.restarted.get();
    }

    @Override
    public long getProcessesGivenUp() {
        return stats.givenUp.get();
    }

    @Override
    public long getMigratedIn() {
        return stats.migratedIn.get();
    }

    @Override
    public long getMigratedOut() {
        return stats.migratedOut.get();
    }

    @Override
    public long getNodesUp() {
        return stats.nodesUp.get();
    }

    @Override
    public long getNodesDown() {
        return stats.nodesDown.get();
    }

    @Override
    public long getNodesTerminated() {
        return stats.nodesTerminated.get();
    }

    @Override
    public long getLastFailoverMillis() {
        return stats.lastFailoverMillis.get();
    }

    @Override
    public long getUntrustedEntries() {
        return stats.untrusted.get();
    }

    @Override
    public long getMovesJoin() {
        return stats.movesJoin.get();
    }

    @Override
    public long getMovesLeave() {
        return stats.movesLeave.get();
    }

    @Override
    public long getMovesDrain() {
        return stats.movesDrain.get();
    }

    @Override
    public long getMovesExplicit() {
        return stats.movesExplicit.get();
    }

    @Override
    public long getMovesVetoed() {
        return stats.movesVetoed.get();
    }

    @Override
    public long getMovesDropped() {
        return stats.movesDropped.get();
    }

    @Override
    public long getMovesFailed() {
        return stats.movesFailed.get();
    }

    @Override
    public boolean isRebalancingPaused() {
        return guarded(supervisor::isRebalancingPaused);
    }

    @Override
    public long getNotificationsDropped() {
        return dropped.get();
    }

    // ---- operations ----

    @Override
    public HealthInfo getHealth() {
        return guarded(() -> HealthInfo.of(supervisor.health()));
    }

    @Override
    public List<ChildInfo> listLocalChildren() {
        return guarded(() -> supervisor.localChildStatuses().stream().map(ChildInfo::of)
                .sorted(Comparator.comparing(ChildInfo::id)).toList());
    }

    @Override
    public int rebalance() {
        return guarded(supervisor::rebalance);
    }

    @Override
    public void pauseRebalancing() {
        guarded(() -> {
            supervisor.pauseRebalancing();
            return null;
        });
    }

    @Override
    public void resumeRebalancing() {
        guarded(() -> {
            supervisor.resumeRebalancing();
            return null;
        });
    }

    @Override
    public boolean terminateChild(String id) {
        return terminateChild(id, "string");
    }

    @Override
    public boolean terminateChild(String id, String idType) {
        Object key = ChildInfo.parseId(id, idType);
        return guarded(() -> supervisor.terminateChild(key));
    }

    /**
     * Runs a supervisor call for a JMX client. The client may not have our exception classes
     * (JConsole does not), and the RMI connector sends the whole cause chain: our exceptions
     * become an {@code IllegalStateException} with the message and no cause.
     */
    private <T> T guarded(Supplier<T> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            if (e.getClass().getName().startsWith("java.") && e.getCause() == null) {
                throw e;
            }
            throw new IllegalStateException(supervisor.name() + " on node " + supervisor.node() + ": " + e);
        }
    }

    /** Adds what a generic client shows as help: descriptions and parameter names. */
    private static final class Described extends StandardEmitterMBean {
        private static final Map<String, String> ATTRIBUTES = Map.ofEntries(
                Map.entry("NodeName", "This node's name"),
                Map.entry("SupervisorName", "The supervisor's name"),
                Map.entry("RingNodes", "The nodes of the ring as this node sees them, sorted"),
                Map.entry("LocalChildCount", "Children running on this node"),
                Map.entry("ClusterChildCount", "Children running in the whole cluster (this node's view)"),
                Map.entry("ProcessesStarted", "Child incarnations started on this node: new, restarted or taken over"),
                Map.entry("ProcessesStopped", "Child stops this node reported, for any reason"),
                Map.entry("ProcessesCrashed", "Abnormal exits: ERROR, CUSTOM or KILLED (also the last crash before a give-up)"),
                Map.entry("ProcessesRestarted", "Incarnations started by an in-place restart"),
                Map.entry("ProcessesGivenUp", "Children given up after too many restarts"),
                Map.entry("MigratedIn", "Children taken over by this node (failover, hand-over, rebalance, cluster start)"),
                Map.entry("MigratedOut", "Children this node handed over to another node"),
                Map.entry("NodesUp", "Node-up events this node reported (monitorNodes)"),
                Map.entry("NodesDown", "Node-down events this node reported (monitorNodes)"),
                Map.entry("NodesTerminated", "Graceful closes of other nodes seen by this node"),
                Map.entry("LastFailoverMillis", "Duration of the last failover this node took part in, ms; -1 before any"),
                Map.entry("UntrustedEntries", "Entries of coordination storage ignored as untrusted; above 0: investigate"),
                Map.entry("MovesJoin", "Children handed over by an ACTIVE rebalance after a node joined (cause JOIN)"),
                Map.entry("MovesLeave", "Children handed over because this node closed (cause LEAVE)"),
                Map.entry("MovesDrain", "Children handed over by a drain of this node (cause DRAIN)"),
                Map.entry("MovesExplicit", "Children handed over by an operator's rebalance() (cause EXPLICIT)"),
                Map.entry("MovesVetoed", "Moves of this node's children that the move veto vetoed, any cause"),
                Map.entry("MovesDropped", "Moves dropped, any cause: no longer valid at their turn (child stopped, ring "
                        + "changed, node closing), or the child stopped otherwise meanwhile"),
                Map.entry("MovesFailed", "Moves that failed with an exception, any cause"),
                Map.entry("RebalancingPaused", "Whether this node's rebalancing is paused: JOIN and EXPLICIT moves wait"),
                Map.entry("Health", "This node's health: ready (connected, with the lease, no failover of its own in "
                        + "progress), connection, lease, reconciliation and failover in progress, last failover, members"),
                Map.entry("NotificationsDropped", "Notifications dropped because an in-process listener did not keep up"));
        private static final Map<String, String> OPERATIONS = Map.of(
                "listLocalChildren", "The children running on this node: id, idType, pid, childClass, restart, startedAt, restarts",
                "rebalance", "Queue a move (cause EXPLICIT) of every child of this node that the ring gives to another node; "
                        + "they start as the rate and in-flight limits, a pause and the move veto allow. Returns how many were queued",
                "pauseRebalancing", "Pause this node's rebalancing: JOIN and EXPLICIT moves wait until resumed (a close's "
                        + "hand-overs do not)",
                "resumeRebalancing", "Resume this node's rebalancing: queued moves start",
                "terminateChild", "Terminate a child by id, wherever it runs; its spec is removed, it is not restarted. "
                        + "False when no child has the id. With one argument the id is a String; else give idType: "
                        + "string, long, int or uuid");

        Described(SupervisorMBean bean, NotificationBroadcasterSupport emitter) {
            super(bean, DistributedSupervisorMXBean.class, true, emitter);
        }

        @Override
        protected String getDescription(MBeanInfo info) {
            return "One supervisor on one node of a DistributedSupervisor cluster";
        }

        @Override
        protected String getDescription(MBeanAttributeInfo info) {
            return ATTRIBUTES.getOrDefault(info.getName(), info.getDescription());
        }

        @Override
        protected String getDescription(MBeanOperationInfo info) {
            return OPERATIONS.getOrDefault(info.getName(), info.getDescription());
        }

        @Override
        protected String getParameterName(MBeanOperationInfo op, MBeanParameterInfo param, int sequence) {
            return sequence == 0 ? "id" : "idType";
        }

        @Override
        protected String getDescription(MBeanOperationInfo op, MBeanParameterInfo param, int sequence) {
            return sequence == 0 ? "the child's id, as text" : "the id's type: string, long, int or uuid";
        }
    }
}
