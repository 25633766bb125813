package io.distributedsupervisor.inmemory;

import io.distributedsupervisor.spi.Backend;
import io.distributedsupervisor.spi.MessageHandler;
import io.distributedsupervisor.spi.NodeSession;
import io.distributedsupervisor.spi.SessionListener;
import io.distributedsupervisor.tck.BackendTck;
import io.distributedsupervisor.tck.TckCluster;

/** The backend TCK on {@link InMemoryCluster}. */
class InMemoryBackendTckTest extends BackendTck {

    @Override
    protected TckCluster newCluster() {
        InMemoryCluster cluster = new InMemoryCluster();
        Backend backend = cluster.backend();
        return new TckCluster() {
            @Override
            public NodeSession join(String supervisor, String node, SessionListener listener, MessageHandler handler) {
                return backend.join(supervisor, node, listener, handler);
            }

            @Override
            public void crash(NodeSession session) {
                cluster.crash(session);
            }

            @Override
            public void close() {
                cluster.close();
            }
        };
    }
}
