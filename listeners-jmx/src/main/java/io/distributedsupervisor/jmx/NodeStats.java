package io.distributedsupervisor.jmx;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The counters of one supervisor on one node. Written only by that supervisor's listener
 * dispatcher thread, read by JMX threads: an uncontended atomic add per event, no lock, no
 * allocation.
 */
final class NodeStats {
    final AtomicLong started = new AtomicLong();
    final AtomicLong stopped = new AtomicLong();
    final AtomicLong crashed = new AtomicLong();
    final AtomicLong restarted = new AtomicLong();
    final AtomicLong givenUp = new AtomicLong();
    final AtomicLong migratedIn = new AtomicLong();
    final AtomicLong migratedOut = new AtomicLong();
    final AtomicLong nodesUp = new AtomicLong();
    final AtomicLong nodesDown = new AtomicLong();
    final AtomicLong nodesTerminated = new AtomicLong();
    final AtomicLong lastFailoverMillis = new AtomicLong(-1);
    final AtomicLong untrusted = new AtomicLong();
    /** Moves that handed a child over, by cause; and moves that did not, by outcome. */
    final AtomicLong movesJoin = new AtomicLong();
    final AtomicLong movesLeave = new AtomicLong();
    final AtomicLong movesDrain = new AtomicLong();
    final AtomicLong movesExplicit = new AtomicLong();
    final AtomicLong movesVetoed = new AtomicLong();
    final AtomicLong movesDropped = new AtomicLong();
    final AtomicLong movesFailed = new AtomicLong();

    /** The MBean these counters are published through; only the dispatcher thread touches it. */
    SupervisorMBean mbean;
}
