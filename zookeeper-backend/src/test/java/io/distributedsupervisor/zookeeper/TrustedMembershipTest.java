package io.distributedsupervisor.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.spi.MessageHandler;
import io.distributedsupervisor.spi.NodeSession;
import io.distributedsupervisor.spi.Owner;
import io.distributedsupervisor.spi.Responder;
import io.distributedsupervisor.spi.SessionListener;
import io.distributedsupervisor.spi.SpecRecord;
import io.distributedsupervisor.tck.LogCapture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Trust at the session level, where the listener's {@code onUntrusted} can be watched: a flood of
 * forged entries is told once each and costs bounded log lines and no threads; a node that left
 * is trusted while it hands its children over, also by a view that never saw it as a member; and
 * the verified address the transport will check against.
 */
class TrustedMembershipTest {
    @RegisterExtension
    static final SharedZooKeeper ZK = new SharedZooKeeper();

    private static final String SUPERVISOR = "DS";
    private static final MessageHandler NO_MESSAGES = new MessageHandler() {
        @Override
        public void onRequest(String fromNode, byte[] message, Responder responder) {
        }

        @Override
        public void onMessage(String fromNode, byte[] message) {
        }
    };

    /** Counts what it is told about untrusted entries, by path, and the owners removed. */
    static final class Listener implements SessionListener {
        final Map<String, AtomicInteger> untrusted = new ConcurrentHashMap<>();
        final Map<String, Owner> removed = new ConcurrentHashMap<>();

        @Override
        public void onUntrusted(String what, String why) {
            untrusted.computeIfAbsent(what, k -> new AtomicInteger()).incrementAndGet();
        }

        @Override
        public void onOwnerRemoved(String key, Owner previous) {
            removed.put(key, previous);
        }

        int total() {
            return untrusted.values().stream().mapToInt(AtomicInteger::get).sum();
        }
    }

    private final String namespace = "trust-" + System.nanoTime();
    private ZooKeeperBackend backend;

    @BeforeEach
    void start() {
        backend = ZK.server().openBackend().namespace(namespace).build();
    }

    @AfterEach
    void stop() {
        backend.close();
    }

    private ZooKeeperSession join(String node, SessionListener listener) {
        return (ZooKeeperSession) backend.join(SUPERVISOR, node, listener, NO_MESSAGES);
    }

    private String folder(String name) {
        return "/" + namespace + "/" + SUPERVISOR + "/" + name;
    }

    private String owner(String key) {
        return ZnodeLayout.of(SUPERVISOR).withPrefix("/" + namespace).owner(key);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aFloodOfForgedEntriesIsToldOnceEachWithBoundedLogLinesAndNoThreads() throws Exception {
        Listener told = new Listener();
        int forged = 150;
        try (LogCapture log = LogCapture.start(); CuratorFramework foreign = ZK.server().client(false)) {
            ZooKeeperSession a = join("a", told);
            a.claimNew("real", null);
            int threadsBefore = Thread.activeCount();
            byte[] realOwner = foreign.getData().forPath(owner("real"));
            byte[] realMember = foreign.getData().forPath(folder("members") + "/a");
            for (int i = 0; i < forged; i++) {
                foreign.create().withMode(CreateMode.EPHEMERAL).forPath(folder("members") + "/m" + i, realMember);
                foreign.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(owner("k" + i), realOwner);
            }
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < forged; i++) {
                    foreign.setData().forPath(folder("members") + "/m" + i, realMember);
                    foreign.setData().forPath(owner("k" + i), realOwner);
                }
            }
            // A later change of a's own is seen, so every forged change before it was read.
            a.claimNew("marker", null);
            await().until(() -> a.owner("marker").isPresent() && told.total() == 2 * forged);

            assertThat(told.untrusted).hasSize(2 * forged).allSatisfy((path, n) -> assertThat(n.get()).as(path).isEqualTo(1));
            assertThat(a.members()).containsOnlyKeys("a");
            for (int i = 0; i < forged; i++) {
                assertThat(a.owner("k" + i)).isEmpty();
                assertThat(a.verifiedMember("m" + i)).isEmpty();
            }
            assertThat(log.lines("node a: ignoring")).isEqualTo(UntrustedEntries.LINES_PER_MINUTE);
            assertThat(Thread.activeCount()).as("threads").isLessThanOrEqualTo(threadsBefore + 2);
        }
    }

    /**
     * A graceful close: the node leaves the members first, then releases its children one by one.
     * Those entries stay trusted, their releases are seen as releases, and a view that joined
     * after the member znode went (and so never saw it) trusts them too: nothing is reported.
     */
    @Test
    void aNodeThatLeftIsTrustedWhileItHandsOverItsChildren() {
        Listener seenByB = new Listener();
        Listener seenByC = new Listener();
        ZooKeeperSession a = join("a", new SessionListener() {
        });
        ZooKeeperSession b = join("b", seenByB);
        for (int i = 0; i < 5; i++) {
            a.claimNew("k" + i, new SpecRecord(bytes("spec " + i), null));
        }
        await().until(() -> b.owner("k4").isPresent());
        String address = b.verifiedMember("a").orElseThrow();

        a.leave();
        await().until(() -> !b.members().containsKey("a"));
        assertThat(b.verifiedMember("a")).as("left, but holds children").contains(address);
        ZooKeeperSession c = join("c", seenByC);
        for (NodeSession view : List.of(b, c)) {
            for (int i = 0; i < 5; i++) {
                assertThat(view.owner("k" + i)).as("k%d seen by %s", i, view.node()).isPresent();
            }
        }
        Owner restarted = a.owner("k0").orElseThrow().restarted();
        assertThat(a.updateOwner("k0", restarted)).isTrue();
        await().until(() -> b.owner("k0").equals(java.util.Optional.of(restarted))
                && c.owner("k0").equals(java.util.Optional.of(restarted)));
        for (int i = 0; i < 5; i++) {
            assertThat(a.release("k" + i)).isTrue();
        }
        await().until(() -> seenByB.removed.size() == 5 && seenByC.removed.size() == 5);
        assertThat(b.verifiedMember("a")).as("left, holds nothing, but its session lives on (it may still answer)")
                .contains(address);
        a.close();
        await().until(() -> b.verifiedMember("a").isEmpty());
        assertThat(seenByB.untrusted).isEmpty();
        assertThat(seenByC.untrusted).isEmpty();
    }

    @Test
    void theVerifiedAddressIsTheMembersOwn() {
        ZooKeeperSession a = join("a", new SessionListener() {
        });
        ZooKeeperSession b = join("b", new SessionListener() {
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> a.verifiedMember("b").isPresent());
        assertThat(a.verifiedMember("b")).contains(b.transport().address());
        assertThat(b.verifiedMember("a")).contains(a.transport().address());
        assertThat(a.verifiedMember("a")).contains(a.transport().address());
        assertThat(a.verifiedMember("nobody")).isEmpty();
    }
}
