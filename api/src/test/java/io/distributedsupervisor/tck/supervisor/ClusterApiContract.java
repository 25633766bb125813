package io.distributedsupervisor.tck.supervisor;

import static io.distributedsupervisor.tck.supervisor.TestChildren.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.ChildAlreadyStartedException;
import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.StartResult;
import io.distributedsupervisor.tck.supervisor.TestChildren.Appender;
import io.distributedsupervisor.tck.supervisor.TestChildren.Counter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The public API across 3 nodes, plus what only a cluster has: explicit nodes, the nodes option, remote FIFO. */
public abstract class ClusterApiContract extends ApiContract {
    @Override
    protected int nodeCount() {
        return 3;
    }

    @Test
    void startChildOnAnExplicitNodeRunsThere() {
        String id = uniqueId("explicit-node");
        DistributedSupervisor n1 = nodeNamed("n1");
        DistributedSupervisor n2 = nodeNamed("n2");
        StartResult r = n1.startChild(ChildSpec.of(Counter.class).withId(id), "n2");

        assertThat(r.pid().node()).isEqualTo("n2");
        assertThat(n2.localChildren()).contains(r.pid());
        assertThat(n1.localChildren()).doesNotContain(r.pid());
        assertThat(nodeNamed("n3").<String>call(id, "node")).isEqualTo("n2");
        Nodes.awaitSeenEverywhere(nodes, r.pid()); // whereis/children read each node's own copy of the registry
        for (DistributedSupervisor n : nodes) {
            assertThat(n.whereis(id)).contains(r.pid());
        }
        // a duplicate through another node, and on another explicit node, names the running one
        assertThatThrownBy(() -> nodeNamed("n3").startChild(ChildSpec.of(Counter.class).withId(id), "n3"))
                .isInstanceOfSatisfying(ChildAlreadyStartedException.class, e -> assertThat(e.pid()).isEqualTo(r.pid()));
    }

    /** A batch of starts through one node: each child on its ring node, a duplicate failing alone. */
    @Test
    void startChildrenStartsABatchEachOnItsRingNodeAndAFailureStaysItsOwn() throws Exception {
        DistributedSupervisor n1 = nodeNamed("n1");
        String prefix = uniqueId("batch");
        List<ChildSpec> specs = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            specs.add(ChildSpec.of(Counter.class).withId(prefix + "-" + i));
        }
        specs.add(ChildSpec.of(Counter.class).withId(prefix + "-7"));
        List<java.util.concurrent.CompletableFuture<StartResult>> started = n1.startChildren(specs);

        assertThat(started).hasSize(601);
        for (int i = 0; i < 600; i++) {
            StartResult r = started.get(i).get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(r.id()).isEqualTo(prefix + "-" + i);
            assertThat(r.pid().node()).as("child %d", i).isEqualTo(n1.nodeFor(r.id()));
        }
        assertThatThrownBy(() -> started.get(600).join()).hasCauseInstanceOf(ChildAlreadyStartedException.class);
        for (DistributedSupervisor via : nodes) {
            await().untilAsserted(() -> assertThat(via.children().keySet().stream()
                    .filter(id -> id.toString().startsWith(prefix + "-"))).hasSize(600));
        }
        assertThat((Object) nodeNamed("n3").call(prefix + "-42", "inc")).isEqualTo(1);
        assertThatThrownBy(() -> n1.startChildren(java.util.Arrays.asList(specs.get(0), null)))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("specs[1]");
    }

    @Test
    void explicitNodeChildRestartsOnItsNode() {
        String id = uniqueId("explicit-restart");
        // pick a node the ring would not choose, so staying there is the explicit node's doing
        String ringNode = first().nodeFor(id);
        String explicit = nodes.stream().map(DistributedSupervisor::node).filter(n -> !n.equals(ringNode)).findFirst().orElseThrow();
        StartResult r = first().startChild(ChildSpec.of(Counter.class).withId(id), explicit);
        assertThatThrownBy(() -> first().call(id, "crash")).isInstanceOf(io.distributedsupervisor.ChildCrashedException.class);
        assertThat(awaitNewPid(id, r.pid()).node()).isEqualTo(explicit);
    }

    @Test
    void everyNodeCanStartOnEveryNode() {
        for (DistributedSupervisor via : nodes) {
            for (DistributedSupervisor on : nodes) {
                String id = uniqueId(via.node() + "-to-" + on.node());
                StartResult r = via.startChild(ChildSpec.of(Counter.class).withId(id), on.node());
                assertThat(r.pid().node()).isEqualTo(on.node());
                assertThat(on.localChildren()).contains(r.pid());
                assertThat(via.<String>call(id, "node")).isEqualTo(on.node());
            }
        }
    }

    @Test
    void terminateChildStartedOnN2ThroughN1() {
        String id = uniqueId("remote-term");
        DistributedSupervisor n1 = nodeNamed("n1");
        DistributedSupervisor n2 = nodeNamed("n2");
        StartResult r = n1.startChild(ChildSpec.of(Counter.class).withId(id), "n2");

        assertThat(n1.terminateChild(r.pid())).isTrue();

        awaitGoneEverywhere(id);
        assertThat(n2.localChildren()).doesNotContain(r.pid());
        assertThat(TestChildren.terminated(id)).hasSize(1);
        assertThat(n1.terminateChild(r.pid())).isFalse();
        assertThat(n1.terminateChild((Object) id)).isFalse();
    }

    @Test
    void oneSendersCastsToARemoteChildArriveInOrder() {
        String id = uniqueId("fifo");
        DistributedSupervisor n1 = nodeNamed("n1");
        StartResult r = n1.startChild(ChildSpec.of(Appender.class).withId(id), "n2");
        assertThat(r.pid().node()).isEqualTo("n2");

        for (int i = 1; i <= 1000; i++) {
            n1.cast(id, i);
        }
        List<Integer> seen = n1.call(id, "list");
        assertThat(seen).isEqualTo(IntStream.rangeClosed(1, 1000).boxed().toList());
    }

    @Test
    void severalSendersEachKeepTheirOrder() throws Exception {
        String id = uniqueId("fifo-many");
        nodeNamed("n1").startChild(ChildSpec.of(Appender.class).withId(id), "n2");
        List<Thread> senders = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            DistributedSupervisor via = nodes.get(s);
            int base = s * 10_000;
            senders.add(Thread.ofPlatform().start(() -> {
                for (int i = 1; i <= 500; i++) {
                    via.cast(id, base + i);
                }
            }));
        }
        for (Thread t : senders) {
            t.join();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> nodeNamed("n2").<List<Integer>>call(id, "list").size() == 1500);
        List<Integer> seen = nodeNamed("n2").call(id, "list");
        for (int s = 0; s < 3; s++) {
            int base = s * 10_000;
            assertThat(seen.stream().filter(v -> v > base && v <= base + 500).toList())
                    .isEqualTo(IntStream.rangeClosed(base + 1, base + 500).boxed().toList());
        }
    }
}
