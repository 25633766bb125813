package io.distributedsupervisor.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.codec.CborCodec;
import io.distributedsupervisor.tck.LogCapture;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Spec znodes written by a client with the ZooKeeper credentials but not the cluster's intent:
 * garbage, a Java-serialized nested-HashSet bomb, and a spec naming {@code java.util.ArrayList}
 * as its child with a 50,000,000 argument (a 200 MB array, were its constructor ever run). None
 * of them runs anything: the backend refuses a head it cannot read, the runtime decodes the rest
 * through the CBOR codec and checks the class before any constructor. The nodes keep serving,
 * the reconciliation goes on past them (a failover still happens), each is logged once per node
 * however many passes read it, and the heap does not grow by the bomb's size.
 */
class ZooKeeperHostileSpecTest {
    @RegisterExtension
    static final SharedZooKeeper ZK = new SharedZooKeeper();

    private static final byte[] RING_PLACED_HEAD = "ds2\n\n".getBytes(StandardCharsets.UTF_8);

    @Test
    void hostileSpecsRunNothingAreLoggedOnceAndDoNotStopTheReconciliation() throws Exception {
        try (LogCapture log = LogCapture.start(); ZooKeeperHarness cluster = ZK.harness();
             CuratorFramework writer = ZK.server().client(true)) {
            // Written before the nodes start: a running node learns specs from the transactions of
            // its peers' claims, not from a watch on the specs, and reads these when it loads the tree.
            ZnodeLayout paths = ZnodeLayout.of(ZooKeeperHarness.SUPERVISOR).withPrefix("/" + cluster.namespace());
            writer.create().creatingParentsIfNeeded().forPath(paths.spec("sgarbage"),
                    "not a spec at all".getBytes(StandardCharsets.UTF_8));
            writer.create().creatingParentsIfNeeded().forPath(paths.spec("sbomb"), withHead(javaSerialized(hashSetBomb(30))));
            writer.create().creatingParentsIfNeeded().forPath(paths.spec("slist"), withHead(arrayListSpec()));
            for (String n : List.of("n1", "n2")) {
                // Many reconciliation passes over the hostile specs while the test runs.
                cluster.start(n, b -> b.reconcileInterval(Duration.ofMillis(200)), b -> b);
            }
            cluster.awaitRing(List.of("n1", "n2"));
            DistributedSupervisor n1 = cluster.node("n1");
            n1.startChild(ChildSpec.of(WitnessedCounter.class).withId("moving"), "n2");
            long heapBefore = usedHeapAfterGc();

            // n2 dies: its child is an orphan that n1 takes over, past the hostile specs; and n1
            // is then the ring's node for every key, so it reads all of them on every pass.
            cluster.crash("n2");
            await().atMost(Duration.ofSeconds(30)).until(() -> n1.whereis("moving")
                    .filter(p -> p.node().equals("n1")).isPresent());
            assertThat((Object) n1.call("moving", "inc")).isEqualTo(1L);
            await().until(() -> log.lines("node n1: ignoring " + paths.spec("sgarbage") + ":") == 1
                    && log.lines("node n1 ignores the stored spec sbomb") == 1
                    && log.lines("node n1 ignores the stored spec slist") == 1);
            // Five more passes or so: still one line each.
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() ->
                    log.lines("node n1: ignoring " + paths.spec("sgarbage") + ":") == 1
                            && log.lines("node n1 ignores the stored spec sbomb") == 1
                            && log.lines("node n1 ignores the stored spec slist") == 1);

            for (String id : List.of("garbage", "bomb", "list")) {
                assertThat(n1.whereis(id)).as(id).isEmpty();
            }
            n1.startChild(ChildSpec.of(WitnessedCounter.class).withId("after"));
            assertThat((Object) n1.call("after", "inc")).isEqualTo(1L);
            assertThat(usedHeapAfterGc() - heapBefore).as("heap growth").isLessThan(64L << 20);
        }
    }

    private static byte[] withHead(byte[] payload) {
        byte[] all = java.util.Arrays.copyOf(RING_PLACED_HEAD, RING_PLACED_HEAD.length + payload.length);
        System.arraycopy(payload, 0, all, RING_PLACED_HEAD.length, payload.length);
        return all;
    }

    /** A spec as the runtime stores one, but naming ArrayList as the child, with a huge capacity. */
    private static byte[] arrayListSpec() throws Exception {
        Map<String, Object> form = new LinkedHashMap<>();
        form.put("type", ArrayList.class);
        form.put("arg", 50_000_000);
        form.put("id", "list");
        form.put("restart", "PERMANENT");
        form.put("shutdownMillis", 5000L);
        return CborCodec.allowing(List.of("*")).encode(form);
    }

    /** Nested HashSets, each level holding two sets that hold the next (Java serialization shares them). */
    private static Set<Object> hashSetBomb(int depth) {
        Set<Object> root = new HashSet<>();
        Set<Object> s1 = root;
        Set<Object> s2 = new HashSet<>();
        for (int i = 0; i < depth; i++) {
            Set<Object> t1 = new HashSet<>();
            Set<Object> t2 = new HashSet<>();
            t1.add("foo");
            s1.add(t1);
            s1.add(t2);
            s2.add(t1);
            s2.add(t2);
            s1 = t1;
            s2 = t2;
        }
        return root;
    }

    private static byte[] javaSerialized(Object value) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        return bytes.toByteArray();
    }

    private static long usedHeapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
