package io.distributedsupervisor.zookeeper;

import org.apache.curator.test.KillSession;

/** For benchmarks of failover: expires every ZooKeeper session a backend holds (curator-test's KillSession). */
public final class SessionExpiry {
    private SessionExpiry() {
    }

    public static void expire(ZooKeeperBackend backend) throws Exception {
        for (ZooKeeperSession s : backend.sessions()) {
            KillSession.kill(s.zooKeeper());
        }
    }
}
