package io.distributedsupervisor;

/**
 * Why a running child is moved from its node to another one (a planned move, never a failover):
 * what the {@link MoveVeto} is asked with and what {@code Listener.onMove} reports. Every planned
 * move of a node passes through one gate, whose rules depend on the cause:
 *
 * <table>
 *   <caption>What each cause is subject to</caption>
 *   <tr><th>cause</th><th>{@link DistributedSupervisor#pauseRebalancing() paused}</th>
 *       <th>{@code maxMovesPerSecond}, {@code maxMovesInFlight}</th><th>{@link MoveVeto}</th></tr>
 *   <tr><td>{@link #JOIN}, {@link #EXPLICIT}</td><td>yes: queued moves wait</td><td>yes</td><td>yes</td></tr>
 *   <tr><td>{@link #LEAVE}, {@link #DRAIN}</td><td>no</td><td>no (a closing node has a deadline)</td><td>yes</td></tr>
 * </table>
 */
public enum MoveCause {
    /**
     * {@link Rebalance#ACTIVE}: a node joined (or every node joined again after a lost quorum), and
     * the ring now gives a child running here to that node.
     */
    JOIN,
    /** This node closes ({@link DistributedSupervisor#close()}) and hands its children to the nodes the ring names. */
    LEAVE,
    /** This node is drained explicitly: its children go to the nodes the ring names without it. */
    DRAIN,
    /** An operator asked for it: {@link DistributedSupervisor#rebalance()}. */
    EXPLICIT
}
