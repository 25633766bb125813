package io.distributedsupervisor.jmx;

import java.util.List;

/**
 * What {@link JmxListener} publishes for one supervisor on one node, under
 * {@code io.distributedsupervisor:type=DistributedSupervisor,name=<supervisor>,node=<node>}.
 *
 * <p>An MXBean: every attribute, operation result and notification payload is an open type
 * ({@code String}, {@code long}, {@code int}, {@code boolean}, {@code String[]},
 * {@code CompositeData}), so JConsole, VisualVM or any JMX client shows all of it without this
 * library's classes. Exceptions that reach a client are JDK exceptions
 * ({@code IllegalArgumentException}, {@code IllegalStateException}) carrying the message.
 *
 * <p>Counters count events this node's supervisor reported since the MBean's node started:
 * each event is counted on the node where the listener contract fires it (process events where
 * the process lives, node up/down on the one node the ring gives the node's name to). They only
 * grow, and restart from zero with the node. Reading any attribute touches no network.
 */
public interface DistributedSupervisorMXBean {

    /** Notification type: a node joined the ring (sent by the one node that reports it). */
    String NODE_UP = "io.distributedsupervisor.node.up";
    /** Notification type: a node left the ring without closing (crash, lost session). */
    String NODE_DOWN = "io.distributedsupervisor.node.down";
    /** Notification type: a node closed gracefully (sent by every other node). */
    String NODE_TERMINATE = "io.distributedsupervisor.node.terminate";
    /** Notification type: a child crashed too often and was given up (its spec removed cluster-wide). */
    String CHILD_GIVEN_UP = "io.distributedsupervisor.child.givenup";
    /** Notification type: this node ignores an entry of coordination storage it does not trust. */
    String UNTRUSTED = "io.distributedsupervisor.untrusted";
    /**
     * Notification type: a planned move of a child of this node ended (moved, vetoed, dropped or
     * failed), one per move, with its cause ({@code JOIN}, {@code LEAVE}, {@code DRAIN}, {@code EXPLICIT}).
     */
    String CHILD_MOVE = "io.distributedsupervisor.child.move";

    /** This node's name. */
    String getNodeName();

    /** The supervisor's name. */
    String getSupervisorName();

    /** The nodes of the ring as this node sees them, sorted. */
    List<String> getRingNodes();

    /** How many children run on this node. */
    int getLocalChildCount();

    /** How many children run in the whole cluster, as this node's view of the registry has it. */
    int getClusterChildCount();

    /** Child incarnations started on this node, for any reason (new, restarted, taken over). */
    long getProcessesStarted();

    /**
     * Child incarnations whose stop this node reported, for any reason: including children
     * moved away, given up, and children lost with a dead node that this node reports.
     */
    long getProcessesStopped();

    /**
     * Abnormal exits: a handler threw ({@code ERROR}), the child stopped with a reason of its own
     * ({@code CUSTOM}) or ignored its shutdown timeout ({@code KILLED}); the last crash of a child
     * that was then given up counts too.
     */
    long getProcessesCrashed();

    /** Incarnations started by an in-place restart ({@code StartReason.RESTARTED}). */
    long getProcessesRestarted();

    /** Children given up after too many restarts within the window ({@code ExitReason.Kind.GIVEN_UP}). */
    long getProcessesGivenUp();

    /**
     * Children this node took over ({@code StartReason.TAKEN_OVER}): from a dead node (failover),
     * from a node that closed or rebalanced them here, or from stored specs when the cluster started.
     */
    long getMigratedIn();

    /** Children this node handed over to another one ({@code ExitReason.Kind.MIGRATED}). */
    long getMigratedOut();

    /** Node-up events this node reported (needs {@code monitorNodes(true)}). */
    long getNodesUp();

    /** Node-down events this node reported (needs {@code monitorNodes(true)}). */
    long getNodesDown();

    /** Graceful closes of other nodes that this node saw. */
    long getNodesTerminated();

    /**
     * How long, in milliseconds, the last failover this node took part in took: from the moment
     * it saw the loss to the end of {@code init} of the last child it took over. -1 before any.
     */
    long getLastFailoverMillis();

    /**
     * Entries of coordination storage this node ignored because it could not trust them (a member
     * without a valid proof of the cluster secret, an owner entry of no verified member's session):
     * anything above 0 means something wrote where only the cluster should.
     */
    long getUntrustedEntries();

    /** Children of this node handed over by an ACTIVE rebalance after a node joined (cause {@code JOIN}). */
    long getMovesJoin();

    /** Children of this node handed over because it closed (cause {@code LEAVE}). */
    long getMovesLeave();

    /** Children of this node handed over by a drain (cause {@code DRAIN}). */
    long getMovesDrain();

    /** Children of this node handed over by an operator's {@code rebalance()} (cause {@code EXPLICIT}). */
    long getMovesExplicit();

    /** Planned moves of this node's children that the move veto vetoed, of any cause. */
    long getMovesVetoed();

    /**
     * Planned moves of this node's children dropped, of any cause: no longer valid when their turn
     * came (the child stopped, the ring changed, the node closes), or the child stopped otherwise meanwhile.
     */
    long getMovesDropped();

    /** Planned moves of this node's children that failed with an exception, of any cause. */
    long getMovesFailed();

    /** Whether this node's rebalancing is paused ({@code pauseRebalancing}). */
    boolean isRebalancingPaused();

    /**
     * Notifications not delivered to in-process JMX listeners because they were too slow to
     * keep up (remote clients are buffered by the connector and never cause drops).
     */
    long getNotificationsDropped();

    /**
     * This node's {@code DistributedSupervisor.health()}: connection, lease, reconciliation and
     * failover in progress, the last failover, the members seen, and {@link HealthInfo#ready()},
     * the readiness rule (connected, with the lease, no failover of its own in progress).
     */
    HealthInfo getHealth();

    /** The children running on this node, sorted by id; a snapshot. */
    List<ChildInfo> listLocalChildren();

    /**
     * {@code DistributedSupervisor.rebalance()} on this node: queues a move (cause {@code EXPLICIT})
     * of every child of this node that the ring gives to another node.
     *
     * @return how many moves it queued
     */
    int rebalance();

    /** {@code DistributedSupervisor.pauseRebalancing()} on this node: JOIN and EXPLICIT moves wait. */
    void pauseRebalancing();

    /** {@code DistributedSupervisor.resumeRebalancing()} on this node. */
    void resumeRebalancing();

    /**
     * Terminates the child whose id is this {@code String}, wherever it runs, and removes its
     * spec: it is not restarted. Ids of other types need {@link #terminateChild(String, String)}.
     *
     * @return false when no child has this id
     */
    boolean terminateChild(String id);

    /**
     * Terminates the child whose id is {@code id} read as {@code idType}: {@code string},
     * {@code long}, {@code int} or {@code uuid} (as {@link ChildInfo#idType()} shows it).
     *
     * @return false when no child has this id
     * @throws IllegalArgumentException if {@code idType} is none of these, or {@code id} is not a value of it
     */
    boolean terminateChild(String id, String idType);
}
