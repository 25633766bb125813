package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.spi.MessageHandler;
import io.distributedsupervisor.spi.NodeSession;
import io.distributedsupervisor.spi.SessionListener;
import io.distributedsupervisor.tck.BackendTck;
import io.distributedsupervisor.tck.TckCluster;

/** The backend TCK on a real ZooKeeper server, every node with its own session and transport port. */
class ZooKeeperBackendTckTest extends BackendTck {

    @Override
    protected TckCluster newCluster() {
        return new TckCluster() {
            private final EmbeddedZooKeeper server = new EmbeddedZooKeeper();
            private final ZooKeeperBackend backend = server.backend().build();

            @Override
            public NodeSession join(String supervisor, String node, SessionListener listener, MessageHandler handler) {
                return backend.join(supervisor, node, listener, handler);
            }

            @Override
            public void crash(NodeSession session) throws Exception {
                ZooKeeperSession s = (ZooKeeperSession) session;
                // A dead process: its session expires and its transport answers no more.
                s.transport().close();
                SessionExpiry.expire(s.zooKeeper());
            }

            @Override
            public void close() {
                try {
                    backend.close();
                } finally {
                    server.close();
                }
            }
        };
    }
}
