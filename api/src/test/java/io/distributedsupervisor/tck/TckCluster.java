package io.distributedsupervisor.tck;

import io.distributedsupervisor.spi.MessageHandler;
import io.distributedsupervisor.spi.NodeSession;
import io.distributedsupervisor.spi.SessionListener;

/**
 * What {@link BackendTck} needs from a backend under test: one fresh cluster per test. Kept
 * small and backend-neutral on purpose; a backend adds nothing else to run the TCK.
 */
public interface TckCluster extends AutoCloseable {

    /** Joins a node to a supervisor's group, as {@code Backend.join} does. */
    NodeSession join(String supervisor, String node, SessionListener listener, MessageHandler handler);

    /**
     * Ends {@code session} abruptly, as a process crash or a lost coordination session would
     * (ZooKeeper: expire it, e.g. with curator-test's {@code KillSession}): no graceful step.
     */
    void crash(NodeSession session) throws Exception;

    /** Releases everything the cluster holds: sessions, servers, threads. */
    @Override
    void close() throws Exception;
}
