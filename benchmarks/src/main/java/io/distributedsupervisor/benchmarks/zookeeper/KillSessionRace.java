package io.distributedsupervisor.benchmarks.zookeeper;

import io.distributedsupervisor.zookeeper.EmbeddedZooKeeper;
import io.distributedsupervisor.zookeeper.SessionExpiry;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.KillSession;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooKeeper;

/**
 * Shows the race in curator-test's {@code KillSession} with a plain Curator client (none of this
 * library's code): a client creates an ephemeral znode, its session is "killed", and an observer
 * watches how long the znode lives. The server should keep it until the session timeout (4 s);
 * when {@code KillSession}'s injected {@code Expired} event reaches Curator before the handle is
 * marked closed, Curator's close ends the session on the server at once. {@link SessionExpiry}
 * (this project's test-jar) holds the event thread until then, and never shows it.
 * Argument: {@code [trials per method]}, default 40.
 */
public final class KillSessionRace {
    private static final int SESSION_TIMEOUT_MS = 4000;

    private KillSessionRace() {
    }

    @FunctionalInterface
    private interface Expiry {
        void expire(ZooKeeper zk) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int trials = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        try (EmbeddedZooKeeper zk = new EmbeddedZooKeeper();
             CuratorFramework observer = CuratorFrameworkFactory.newClient(zk.connectString(), new RetryOneTime(100))) {
            observer.start();
            observer.blockUntilConnected();
            int killSession = early(zk, observer, "/k", trials, KillSession::kill);
            int sessionExpiry = early(zk, observer, "/s", trials, SessionExpiry::expire);
            System.out.printf("%nA plain Curator client's ephemeral znode gone within 1 s of an injected expiry"
                    + " (session timeout %d ms), out of %d trials:%n", SESSION_TIMEOUT_MS, trials);
            System.out.printf("  curator-test KillSession.kill   %3d%n", killSession);
            System.out.printf("  SessionExpiry.expire            %3d%n", sessionExpiry);
        }
    }

    /** How many of {@code trials} lost their ephemeral znode within 1 s. */
    private static int early(EmbeddedZooKeeper zk, CuratorFramework observer, String prefix, int trials, Expiry expiry)
            throws Exception {
        int early = 0;
        for (int t = 0; t < trials; t++) {
            String path = prefix + t;
            try (CuratorFramework client = CuratorFrameworkFactory.builder().connectString(zk.connectString())
                    .sessionTimeoutMs(SESSION_TIMEOUT_MS).retryPolicy(new RetryOneTime(100)).build()) {
                client.start();
                client.blockUntilConnected();
                client.create().withMode(CreateMode.EPHEMERAL).forPath(path);
                expiry.expire(client.getZookeeperClient().getZooKeeper());
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                while (observer.checkExists().forPath(path) != null && System.nanoTime() < deadline) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                }
                if (observer.checkExists().forPath(path) == null) {
                    early++;
                }
            }
        }
        return early;
    }
}
