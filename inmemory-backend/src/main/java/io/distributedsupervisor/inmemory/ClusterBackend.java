package io.distributedsupervisor.inmemory;

import io.distributedsupervisor.spi.Backend;
import io.distributedsupervisor.spi.BackendException;
import io.distributedsupervisor.spi.MessageHandler;
import io.distributedsupervisor.spi.NodeSession;
import io.distributedsupervisor.spi.SessionListener;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A view of a cluster handed to one user (a supervisor, a provider caller): closing it closes
 * the sessions joined through it, never the cluster or other views' sessions, because a runtime
 * that closes "its" backend must not take the other simulated nodes down with it.
 */
final class ClusterBackend implements Backend {
    private final InMemoryCluster cluster;
    private final Set<InMemorySession> sessions = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    ClusterBackend(InMemoryCluster cluster) {
        this.cluster = cluster;
    }

    @Override
    public NodeSession join(String supervisor, String node, SessionListener listener, MessageHandler handler) {
        if (closed) {
            throw new BackendException("this backend of in-memory cluster " + cluster.name() + " is closed; node "
                    + node + " cannot join supervisor " + supervisor);
        }
        InMemorySession session = cluster.join(supervisor, node, listener, handler);
        sessions.add(session);
        session.onEnd(() -> sessions.remove(session));
        if (closed) { // closed while joining: do not leave a session nobody will close
            session.close();
            throw new BackendException("this backend of in-memory cluster " + cluster.name()
                    + " was closed while node " + node + " joined supervisor " + supervisor);
        }
        return session;
    }

    @Override
    public void close() {
        closed = true;
        for (InMemorySession s : sessions) {
            s.close();
        }
    }

    @Override
    public String toString() {
        return "InMemoryBackend[cluster " + cluster.name() + (closed ? ", closed" : "") + "]";
    }
}
