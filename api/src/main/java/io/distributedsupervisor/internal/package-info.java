/**
 * The node runtime: not exported, free to change. One node of a supervisor is a
 * {@link io.distributedsupervisor.internal.SupervisorNode}, which wires the parts below together;
 * each part has one job, and the parts share a {@code NodeContext} (references only).
 *
 * <h2>Parts</h2>
 * <ul>
 *   <li>{@code ChildTable}: the one owner of the local children. Every change (a child added after
 *       its claim, one gone, all dropped at a session loss or a crash) is an event on one serial
 *       executor; reads take no lock.</li>
 *   <li>{@code LocalChild}: one id on this node across its restarts: a {@code ChildMailbox}, its
 *       current {@code ChildInstance}, its {@code ChildRestarts}; it reports to its
 *       {@code ChildHost} and changes nothing outside itself.</li>
 *   <li>{@code Router} (call, cast, send), {@code ChildStarts} and {@code Terminations}: each
 *       operation's attempts, through {@code Attempts} (the retry loop, its {@code Deadline} and
 *       {@code RetryPolicy}, and what every transport outcome means); {@code AsyncDeadlines}: the
 *       deadlines of asynchronous operations, one timer per timeout in use rather than per operation.</li>
 *   <li>{@code InboundDispatcher}: what other nodes send; {@code RemoteAnswer}: the answers.</li>
 *   <li>{@code Wire}: messages to bytes and back (the {@code WireFormat} and the codec, or
 *       references within one JVM).</li>
 *   <li>{@code FailoverCoordinator} and {@code MembershipWatch}: reconciliation, failover, node
 *       events; {@code FailoverReport}: the timing of a failover for {@code onFailover} and
 *       {@code Health}; {@code InheritedStarts}: the keys the session inherited, started from their
 *       stored specs; {@code ClaimCheck}: the check of every local child's claim (fencing for a
 *       missed event), and when a pass makes it; {@code StoredSpecDecoder}: stored specs decoded
 *       for both, an unreadable one warned about once; {@code SettleWindow}: the stored children a node that just started holds back, so
 *       that a whole-cluster restart places them by the ring; {@code SessionKeeper}: the session and
 *       a new one after a loss;
 *       {@code GracefulClose}: {@code drain()} and {@code close()}.</li>
 *   <li>{@code Handoffs}: planned moves at both ends: the leaving node stops the child for the move,
 *       sends its state and spec ahead, releases its claim and forwards what still reaches it; the
 *       node it goes to keeps both, and the messages that come before its start, for the first
 *       incarnation it starts. {@code Departures}: the sending side of a move: the first message
 *       this node sends a child that left a node, by another path, waits for a barrier through
 *       the old node, so that it cannot overtake what this node sent there before.
 *       {@code OperatorMoves}: {@code move(id, node)}.
 *       {@code OperatorActions}: an operator's request from the backend (the {@code ds} tool), run
 *       with the public operations.</li>
 *   <li>{@code LeaseGate}: children paused for want of a lease, until it returns.</li>
 *   <li>{@code MoveGate}: every planned move of a local child (ACTIVE rebalance, {@code rebalance()},
 *       and the causes LEAVE and DRAIN for hand-overs) passes through it: pause, rate and
 *       in-flight limits, the user's {@code MoveVeto}, a move dropped when no longer valid, one
 *       move event each.</li>
 * </ul>
 *
 * <h2>Which thread runs what</h2>
 * <table>
 *   <caption>Threads of one node</caption>
 *   <tr><th>thread</th><th>runs</th><th>may block?</th></tr>
 *   <tr><td>the caller's (any user thread)</td><td>the API: looks up the child, offers a local
 *       letter or encodes a remote request (once), makes the first attempt (a {@code cast} or
 *       {@code send} waits here for a barrier after a move, a blocking call too; an asynchronous
 *       call's attempt is made again on a virtual thread once it passed); a blocking call waits
 *       here for its answer and decodes it here; {@code startChild} on this node runs the child's
 *       {@code init} here; {@code close()} runs the graceful close</td><td>yes (the caller chose a
 *       blocking method)</td></tr>
 *   <tr><td>a child's own (virtual; one at a time per child, none while idle or paused)</td><td>{@code init},
 *       handlers, {@code terminate}; decodes the payloads sent to the child; encodes its answers
 *       to other nodes; restarts in place; reports its exit and releases its claim</td><td>yes:
 *       handlers may block</td></tr>
 *   <tr><td>the backend's (a transport event loop; the in-memory caller's)</td><td>{@code InboundDispatcher}:
 *       reads a message's frame (bounded, linear in its size) and hands it on; completes the
 *       future of a remote attempt, and decodes answers up to 4 KiB</td><td>never</td></tr>
 *   <tr><td>the backend's session events</td><td>{@code SessionKeeper}'s listener: refreshes the
 *       ring (observed by {@code MembershipWatch}), wakes the coordinator and the {@code LeaseGate}</td><td>never</td></tr>
 *   <tr><td>the scheduler ({@code Scheduler}, one shared thread by default)</td><td>deadlines of
 *       asynchronous operations, retry timers (which hand the next attempt to a virtual thread),
 *       read-your-writes polls of the view, the coordinator's timers (the slow full scan, a failover's
 *       end, the end of the settle time), the move gate's rate timer and delayed moves (which go back
 *       to its queue or to a virtual thread)</td><td>never</td></tr>
 *   <tr><td>a reconciliation pass (virtual; one at a time per node, started when there is
 *       work)</td><td>{@code FailoverCoordinator}: compares specs, owners and members; claims and
 *       starts orphans; starts what the session inherited ({@code InheritedStarts}); times a
 *       failover ({@code FailoverReport}); tells the session when the settle time is over; fences
 *       ({@code ClaimCheck});
 *       rebalances; rejoins after a lost session</td><td>yes (backend reads and writes)</td></tr>
 *   <tr><td>short virtual threads</td><td>a start, terminate or goodbye asked by another node;
 *       an answer larger than 4 KiB to decode; a move (ACTIVE rebalance, {@code rebalance()}); each
 *       hand-off of a drain or close (at most 1,024 at once), each waiting for its state's
 *       acknowledgement and its claim's release; a {@code move(id, node)} asked by another node;
 *       a message held for a child that is on its way here, or forwarded after one that left,
 *       is sent on by the thread that offered it (the forwarding node's) in arrival order</td><td>yes</td></tr>
 *   <tr><td>the move gate's pump (virtual; one at a time per node, started when a queued move may
 *       start)</td><td>{@code MoveGate}: checks that a queued move is still valid, asks the
 *       {@code MoveVeto}, starts the move on a short virtual thread; a LEAVE or DRAIN move does the
 *       same on a virtual thread of its own</td><td>only as long as the user's veto blocks</td></tr>
 *   <tr><td>the listener dispatcher (one platform thread per node with listeners)</td><td>every
 *       listener call, in order, except {@code Listener.timings}, asked once on the starting
 *       thread</td><td>a slow listener delays only later events</td></tr>
 *   <tr><td>whichever ends a call or a start (the caller's, or the one completing its future)</td><td>the
 *       {@code Timings} observers the listeners handed out ({@code GuardedTimings}): only when one
 *       did; with none, {@code NodeContext.timings} is {@code Timings.NONE} and the hot paths skip
 *       the measuring on one identity comparison</td><td>never (an observer must not)</td></tr>
 * </table>
 */
package io.distributedsupervisor.internal;
