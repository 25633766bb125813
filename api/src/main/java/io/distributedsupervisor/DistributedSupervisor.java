package io.distributedsupervisor;

import io.distributedsupervisor.internal.SupervisorNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One node of a dynamic supervisor that spans a cluster: the Elixir library's
 * {@code DistributedSupervisor}. Start one per node with the same name; children started
 * through any node are placed by a consistent hash ring (or on the node named), reached by id
 * from every node, restarted in place when they crash, and started again on a survivor when
 * their node dies (with {@code cacheChildren}, the default).
 *
 * <p>Guarantees:
 * <ul>
 *   <li>At most one live incarnation of an id in the cluster: a node claims an id in the owner
 *       registry before it starts the child, and a newer incarnation starts only after the
 *       older one's claim is gone.</li>
 *   <li>{@link #whereis}, {@link #children}, {@link #nodeFor}, {@link #isMine} and
 *       {@link #nodes} read this node's view of the cluster and touch no network.</li>
 *   <li>Every method is thread-safe. After {@link #close()} (or when the node crashed) every
 *       method that needs the cluster throws {@link SupervisorClosedException}.</li>
 * </ul>
 */
public interface DistributedSupervisor extends AutoCloseable {

    /**
     * Starts this node's part of the supervisor ({@code start_link}): joins the cluster, then
     * picks up children that have no live owner and that the ring gives to this node.
     *
     * @throws IllegalArgumentException if an option is invalid or no backend can be found
     * @throws DistributedSupervisorException if the backend cannot be joined (e.g. the node name is taken)
     */
    static DistributedSupervisor start(SupervisorOptions options) {
        return SupervisorNode.start(options);
    }

    /**
     * Starts a child on the node the ring names for its id ({@code start_child/2}). Returns
     * after the child's {@code init} succeeded.
     *
     * @throws ChildAlreadyStartedException if a child with this id runs (its pid attached)
     * @throws ChildCrashedException        if {@code init} threw (the cause attached)
     * @throws MessageRefusedException      if a node's codec refused the spec (its class or argument may not cross)
     * @throws OutcomeUnknownException      if the connection to the child's node was lost after it got the start
     * @throws StaleClaimException          if the id stayed held by an owner entry of a node that is not live
     * @throws CallTimeoutException         if no node could take the start within the call timeout (a
     *                                      child started on this node runs {@code init} on the calling thread
     *                                      and is not timed out)
     */
    StartResult startChild(ChildSpec spec);

    /**
     * As {@link #startChild(ChildSpec)} without blocking: the future completes when the child's
     * {@code init} has succeeded, or fails with the same exceptions. No thread waits for it: the
     * claim, the transport and the child's own thread complete it. {@code init} always runs on
     * the child's own thread.
     */
    CompletableFuture<StartResult> startChildAsync(ChildSpec spec);

    /** As {@link #startChild(ChildSpec, String)} without blocking; see {@link #startChildAsync(ChildSpec)}. */
    CompletableFuture<StartResult> startChildAsync(ChildSpec spec, String node);

    /**
     * Starts many children at once, each on the node the ring names for its id, without
     * blocking: the way to start thousands. Returns one future per spec, in the order given,
     * each completing as {@link #startChildAsync(ChildSpec)}'s would (a failure of one leaves
     * the others alone). The starts leave together: those for another node are pipelined on its
     * connection, and each node writes the claims it gets at the same time to coordination
     * storage together (on ZooKeeper up to 500 per multi-op, about 512 KiB), so a batch costs
     * far fewer round trips than as many {@code startChild} calls one after the other.
     *
     * @throws NullPointerException if {@code specs} or one of them is null (then nothing started)
     */
    default List<CompletableFuture<StartResult>> startChildren(List<ChildSpec> specs) {
        Objects.requireNonNull(specs, "specs");
        for (int i = 0; i < specs.size(); i++) {
            Objects.requireNonNull(specs.get(i), "specs[" + i + "]");
        }
        List<CompletableFuture<StartResult>> started = new ArrayList<>(specs.size());
        for (ChildSpec spec : specs) {
            started.add(startChildAsync(spec));
        }
        return Collections.unmodifiableList(started);
    }

    /**
     * Starts a child on a node given by name ({@code start_child/3}). The child stays there:
     * it is not moved by rebalancing, and it restarts there, unless that node dies.
     *
     * @throws UnknownNodeException if {@code node} is not a live node of the ring
     */
    StartResult startChild(ChildSpec spec, String node);

    /** Cluster-wide: every running child's id and current pid ({@code children/1}). A snapshot. */
    Map<Object, Pid> children();

    /**
     * The pids of the children running on this node ({@code local_children/1}). Empty while the
     * node holds no lease (cut off from coordination, its children paused): they may already run
     * elsewhere, so it does not claim them.
     */
    List<Pid> localChildren();

    /** Status of each child running on this node: id, pid, class, restart, start time, restarts. */
    List<ChildStatus> localChildStatuses();

    /** The current pid of the child with this id, if it runs ({@code whereis/2}). */
    Optional<Pid> whereis(Object id);

    /** The id of the child with this pid, if that incarnation is the current one. */
    Optional<Object> whois(Pid pid);

    /**
     * Sends a request and waits for the reply ({@code call/4}) for the default call timeout.
     * A call that races a restart or a move is retried until the timeout.
     *
     * @throws NoSuchChildException     if no child has this id
     * @throws CallTimeoutException     if no reply came in time
     * @throws ChildCrashedException    if the child crashed before replying
     * @throws MessageRefusedException  if a node's codec refused the request or the reply (at once, not after the timeout)
     * @throws OutcomeUnknownException  if the connection to the child's node was lost after it got the request
     * @throws IllegalStateException    if a child calls itself (it would wait for itself forever)
     */
    <R> R call(Object id, Object request);

    /** As {@link #call(Object, Object)} with its own timeout. */
    <R> R call(Object id, Object request, Duration timeout);

    /**
     * As {@link #call(Object, Object, Duration)} without blocking: the future fails with the
     * same exceptions. No thread waits for the reply: it completes the future when it arrives,
     * so one thread can have thousands of calls in flight, pipelined on the connection to each
     * node.
     */
    <R> CompletableFuture<R> callAsync(Object id, Object request, Duration timeout);

    /**
     * Delivers a message to {@code handleCast} without waiting ({@code cast/3}). As with
     * {@code GenServer.cast}, it does not fail when the child is missing: the message is dropped.
     * It returns once the message is on its way; only while the child is between two nodes (a
     * move or a failover under way: its spec is stored, no node holds it yet), or its node did not
     * take the message, does it look again, at most the call timeout, so that a planned move loses
     * no cast.
     *
     * @throws MessageRefusedException if this node's codec refuses the message (it may not cross to the child's node)
     */
    void cast(Object id, Object message);

    /**
     * Delivers a message to {@code handleInfo} ({@code send/3}).
     *
     * @return false when no child has this id (nothing was sent), true when it was sent
     * @throws MessageRefusedException if this node's codec refuses the message (it may not cross to the child's node)
     */
    boolean send(Object id, Object message);

    /** A handle that resolves {@code id} at each use ({@code via_name/2}). */
    ChildRef viaName(Object id);

    /**
     * Stops the child that has this exact incarnation, wherever it runs, and removes its spec
     * ({@code terminate_child/2}): it is not restarted.
     *
     * @return false when no running child has this pid
     * @throws IllegalStateException if a child terminates itself this way (it would wait for its
     *                               own stop): a child stops itself with {@link ChildContext#stop()}
     */
    boolean terminateChild(Pid pid);

    /** As {@link #terminateChild(Pid)} for whatever incarnation of {@code id} runs now. */
    boolean terminateChild(Object id);

    /**
     * Moves the running child {@code id} to {@code node}, an operator's planned move: as in a
     * {@link #drain}, it hands its state over ({@link Child#handoff}) and callers see no failure.
     * From then on its spec names {@code node}, as if it had been started with
     * {@link #startChild(ChildSpec, String)}: a rebalance leaves it there; should {@code node}
     * fail, the ring places it again. Waits at most the call timeout.
     *
     * @return its pid on {@code node} (the one it had, when it runs there already)
     * @throws UnknownNodeException   if {@code node} is not a live member of the ring
     * @throws NoSuchChildException   if no child has this id
     * @throws IllegalStateException  if specs are not stored ({@code cacheChildren(false)}): a child moves with its spec
     * @throws CallTimeoutException   if it did not run on {@code node} within the call timeout
     */
    Pid move(Object id, String node);

    /** The node the ring gives {@code key} to ({@code node_for/2}); keys are ids of the supported types. */
    String nodeFor(Object key);

    /** True when the ring gives {@code key} to this node ({@code mine?/2}). */
    boolean isMine(Object key);

    /** The nodes of the ring, sorted ({@code nodes/1}): live members, restricted to the {@code nodes} option when given. */
    List<String> nodes();

    /**
     * Moves, through this node's move gate, every child running here that the ring places (not
     * started on an explicit node, its spec stored so that it can start elsewhere: not
     * {@link Restart#TEMPORARY}, and {@code cacheChildren}) and that the ring now gives to another
     * node, with {@link MoveCause#EXPLICIT}. Works with either {@link Rebalance}: with
     * {@link Rebalance#PASSIVE} it is how running children are put where the ring says, when the
     * operator chooses. Only this node's children: call it on every node to rebalance the cluster.
     *
     * <p>Returns at once; the moves then run as {@link MoveCause#EXPLICIT} moves do: after
     * {@link #resumeRebalancing()} if paused, at most {@code maxMovesPerSecond} starting within any
     * one second and {@code maxMovesInFlight} under way, each asked of the {@link MoveVeto} when its
     * turn comes, and dropped unrun if no longer valid then (the child stopped, or the ring names
     * another node now). Each ends in a {@code Listener.onMove} event with its outcome. A child
     * with a move already queued or under way keeps that one.
     *
     * @return how many moves this call queued (0 when every child is where the ring says, or this
     *         node is closing)
     * @throws SupervisorClosedException if this node is closed
     */
    int rebalance();

    /**
     * Pauses this node's rebalancing: no {@link MoveCause#JOIN} ({@link Rebalance#ACTIVE}) or
     * {@link MoveCause#EXPLICIT} ({@link #rebalance()}) move of its children starts until
     * {@link #resumeRebalancing()}; moves proposed meanwhile are queued (once per child) and wait,
     * and those under way finish. The hand-overs of {@link #close()} ({@link MoveCause#LEAVE}) and
     * of a drain ({@link MoveCause#DRAIN}) are never paused: a closing node has a deadline. Only
     * this node: pause every node to pause the cluster's rebalancing (each node moves its own
     * children). Idempotent; nothing is stored, so a node starts unpaused.
     */
    void pauseRebalancing();

    /**
     * Lets the moves queued while paused start, subject to the rate and in-flight limits and the
     * {@link MoveVeto}; moves no longer valid by their turn (the ring changed meanwhile) are dropped.
     * Idempotent.
     */
    void resumeRebalancing();

    /** True between {@link #pauseRebalancing()} and {@link #resumeRebalancing()}. */
    boolean isRebalancingPaused();

    /**
     * This node's health now: its connection to coordination storage, its lease, whether a
     * reconciliation or a failover of its own is in progress, its last failover and the members it
     * sees; {@link Health#ready()} applies the readiness rule. Reads local state only, never
     * blocks on the network, and never throws: on a closed node it reports
     * {@link Health.Connection#CLOSED}.
     */
    Health health();

    /** This node's name. */
    String node();

    /** The supervisor's name. */
    String name();

    /**
     * Hands every child of this node to the others, then closes the node; the same as
     * {@link #close()}, with {@link SupervisorOptions#drainTimeout()} as deadline, and a report.
     */
    default DrainReport drain() {
        return drain(null);
    }

    /**
     * Hands every child of this node to the others, then closes the node. In order: the other
     * nodes are told ({@code on_node_terminate}); the node leaves the ring; each local child
     * whose spec is stored is stopped between two messages, hands its state over
     * ({@link Child#handoff}), runs {@code terminate} with {@link ExitReason#migrated()} and is
     * started by the node the ring now names, whose new incarnation gets the state in
     * {@code init}; TEMPORARY children, and all with {@code cacheChildren(false)}, are terminated
     * with {@link ExitReason#shutdown()} and are gone.
     *
     * <p>Callers see no failure: a {@code call} that reaches this node during the move is
     * forwarded, a {@code cast} or {@code send} too, in the order they arrived here, after the
     * messages the child still had queued, and the new incarnation processes them after its
     * {@code init}, once each. A child not handed over by the deadline is left to the ordinary
     * failover (it starts afresh once this node's session closed) and is named in the report.
     *
     * @param deadline how long the hand-over may take; null: {@link SupervisorOptions#drainTimeout()}
     * @return what became of the children; on a node already closed or closing, an empty report
     */
    DrainReport drain(java.time.Duration deadline);

    /**
     * Leaves the cluster gracefully: {@link #drain()}, without the report. Idempotent. Unless
     * {@link SupervisorOptions.Builder#shutdownHook} is off, a JVM shutdown hook runs it too.
     */
    @Override
    void close();
}
