package io.distributedsupervisor.spi;

/**
 * What a {@link Listener} may read of one supervisor on one node beyond its events and its public
 * API: given to {@link Listener#timings(NodeReadings)} when the supervisor is built, for gauges
 * read when scraped. Implemented by the runtime; safe to read from any thread, at any time (a
 * closed supervisor reads 0). Each reading walks this node's local children: meant for a
 * scrape every few seconds, not for a hot path.
 */
public interface NodeReadings {

    /** The supervisor's name. */
    String supervisor();

    /** This node's name. */
    String node();

    /** Messages waiting in the fullest mailbox among this node's running children; 0 with none. */
    int maxMailboxDepth();

    /** Messages waiting in the mailboxes of all this node's running children together. */
    long totalMailboxDepth();
}
