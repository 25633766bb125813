package io.distributedsupervisor.tck.supervisor;

import static io.distributedsupervisor.tck.supervisor.TestChildren.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.CallTimeoutException;
import io.distributedsupervisor.ChildAlreadyStartedException;
import io.distributedsupervisor.ChildCrashedException;
import io.distributedsupervisor.ChildRef;
import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.ExitReason;
import io.distributedsupervisor.NoSuchChildException;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.StartResult;
import io.distributedsupervisor.tck.supervisor.TestChildren.Counter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The public API as a user checks it, on {@link #nodeCount()} nodes. Every action
 * is taken through some node and checked through every node; on one node "some" and "every"
 * are the same one, across nodes the caller is, where it matters, not the child's node.
 */
public abstract class ApiContract extends HarnessContract {
    protected List<DistributedSupervisor> nodes;

    /** How many nodes the test cluster has. */
    protected abstract int nodeCount();


    @BeforeEach
    void startCluster() {
        nodes = Nodes.start(harness, nodeCount());
    }


    DistributedSupervisor first() {
        return nodes.get(0);
    }

    DistributedSupervisor last() {
        return nodes.get(nodes.size() - 1);
    }

    /** A node other than the one the child with this pid runs on (the same one on a single node). */
    DistributedSupervisor other(Pid pid) {
        return nodes.stream().filter(n -> !n.node().equals(pid.node())).findFirst().orElse(first());
    }

    DistributedSupervisor nodeNamed(String name) {
        return nodes.stream().filter(n -> n.node().equals(name)).findFirst().orElseThrow();
    }

    void awaitGoneEverywhere(Object id) {
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            for (DistributedSupervisor n : nodes) {
                assertThat(n.whereis(id)).as("whereis on %s", n.node()).isEmpty();
                assertThat(n.children()).as("children on %s", n.node()).doesNotContainKey(id);
                assertThat(n.localChildren()).as("localChildren on %s", n.node())
                        .noneMatch(p -> p.id().equals(id));
            }
        });
    }

    // ---- starting ----

    @Test
    void startChildWithGeneratedIdReturnsUuidReachableFromEveryNode() {
        StartResult r = last().startChild(ChildSpec.of(Counter.class));

        assertThat(r.id()).isInstanceOf(UUID.class);
        assertThat(r.pid().id()).isEqualTo(r.id());
        assertThat(r.pid().supervisor()).isEqualTo(Nodes.NAME);
        Nodes.awaitSeenEverywhere(nodes, r.pid()); // whereis/children read each node's own copy of the registry
        for (DistributedSupervisor n : nodes) {
            assertThat(n.whereis(r.id())).as("whereis on %s", n.node()).contains(r.pid());
            assertThat(n.<Integer>call(r.id(), "inc")).isPositive();
        }
        assertThat(first().<Integer>call(r.id(), "get")).isEqualTo(nodes.size());
    }

    @Test
    void startChildWithExplicitIdAndArgumentRunsWhereTheRingSays() {
        String id = uniqueId("explicit");
        StartResult r = first().startChild(ChildSpec.of(Counter.class, 10).withId(id));

        assertThat(r.id()).isEqualTo(id);
        assertThat(r.pid().id()).isEqualTo(id);
        String owner = first().nodeFor(id);
        assertThat(r.pid().node()).isEqualTo(owner);
        assertThat(nodeNamed(owner).localChildren()).contains(r.pid());
        assertThat(TestChildren.inits(id)).isEqualTo(1);
        for (DistributedSupervisor n : nodes) {
            assertThat(n.<Integer>call(id, "get")).isEqualTo(10);
            assertThat(n.<Integer>call(id, "arg")).isEqualTo(10);
        }
    }

    @Test
    void startChildOfEachIdTypeWorks() {
        List<Object> ids = List.of(uniqueId("s"), (int) (Math.random() * 1_000_000), System.nanoTime(), UUID.randomUUID());
        for (Object id : ids) {
            StartResult r = first().startChild(ChildSpec.of(Counter.class).withId(id));
            assertThat(r.id()).isEqualTo(id);
            Nodes.awaitSeenEverywhere(nodes, r.pid()); // whereis/children read each node's own copy of the registry
            for (DistributedSupervisor n : nodes) {
                assertThat(n.<Integer>call(id, "inc")).isPositive();
                assertThat(n.children()).containsEntry(id, r.pid());
            }
        }
    }

    @Test
    void duplicateIdIsRejectedThroughEveryNodeWithThePidOfTheRunningChild() {
        String id = uniqueId("dup");
        StartResult r = first().startChild(ChildSpec.of(Counter.class).withId(id));
        first().call(id, "inc");
        Nodes.awaitSeenEverywhere(nodes, r.pid()); // whereis/children read each node's own copy of the registry

        for (DistributedSupervisor n : nodes) {
            assertThatThrownBy(() -> n.startChild(ChildSpec.of(Counter.class, 99).withId(id)))
                    .as("duplicate through %s", n.node())
                    .isInstanceOfSatisfying(ChildAlreadyStartedException.class, e -> {
                        assertThat(e.pid()).isEqualTo(r.pid());
                        assertThat(e.id()).isEqualTo(id);
                    });
        }
        // nothing was disturbed: still one incarnation, with its state
        assertThat(TestChildren.inits(id)).isEqualTo(1);
        assertThat(last().<Integer>call(id, "get")).isEqualTo(1);
        assertThat(last().whereis(id)).contains(r.pid());
    }

    @Test
    void startChildWhoseInitThrowsFailsAtTheCallAndLeavesNothing() {
        String id = uniqueId("initfails");
        assertThatThrownBy(() -> last().startChild(ChildSpec.of(TestChildren.InitFails.class).withId(id)))
                .isInstanceOf(ChildCrashedException.class)
                .hasRootCauseMessage("init refused");
        awaitGoneEverywhere(id);
        // the id is free again
        StartResult r = first().startChild(ChildSpec.of(Counter.class).withId(id));
        Nodes.awaitSeenEverywhere(nodes, r.pid()); // whereis/children read each node's own copy of the registry
        assertThat(last().whereis(id)).contains(r.pid());
    }

    // ---- terminating ----

    @Test
    void terminateChildByIdThroughAnotherNode() {
        String id = uniqueId("term-id");
        StartResult r = first().startChild(ChildSpec.of(Counter.class).withId(id));

        assertThat(other(r.pid()).terminateChild((Object) id)).isTrue();

        awaitGoneEverywhere(id);
        // ExitReason.Kind.NORMAL: "... or was terminated by id or pid"
        assertThat(TestChildren.terminated(id)).containsExactly(ExitReason.normal());
        assertThat(other(r.pid()).terminateChild((Object) id)).isFalse();
        assertThatThrownBy(() -> first().call(id, "get")).isInstanceOf(NoSuchChildException.class);
        // terminated means not restarted, also later
        assertThat(TestChildren.inits(id)).isEqualTo(1);
    }

    @Test
    void terminateChildByPidThroughAnotherNodeAndAgainIsFalse() {
        String id = uniqueId("term-pid");
        StartResult r = first().startChild(ChildSpec.of(Counter.class).withId(id));

        assertThat(other(r.pid()).terminateChild(r.pid())).isTrue();

        awaitGoneEverywhere(id);
        assertThat(TestChildren.terminated(id)).containsExactly(ExitReason.normal());
        for (DistributedSupervisor n : nodes) {
            assertThat(n.terminateChild(r.pid())).as("again through %s", n.node()).isFalse();
            assertThat(n.whois(r.pid())).isEmpty();
        }
    }

    @Test
    void terminateChildByStalePidIsFalseAndLeavesTheNewIncarnationRunning() {
        String id = uniqueId("stale");
        StartResult r = first().startChild(ChildSpec.of(Counter.class).withId(id));
        assertThatThrownBy(() -> last().call(id, "crash")).isInstanceOf(ChildCrashedException.class);
        Pid fresh = awaitNewPid(id, r.pid());

        for (DistributedSupervisor n : nodes) {
            assertThat(n.terminateChild(r.pid())).as("stale pid through %s", n.node()).isFalse();
            assertThat(n.whois(r.pid())).as("whois of the stale pid on %s", n.node()).isEmpty();
            assertThat(n.whois(fresh)).contains(id);
        }
        assertThat(last().<Integer>call(id, "get")).isZero();
        assertThat(last().terminateChild(fresh)).isTrue();
        awaitGoneEverywhere(id);
    }

    @Test
    void terminateChildOfUnknownIdIsFalse() {
        assertThat(first().terminateChild((Object) uniqueId("nobody"))).isFalse();
    }

    Pid awaitNewPid(Object id, Pid old) {
        await().atMost(Duration.ofSeconds(5)).until(() -> nodes.stream().allMatch(n ->
                n.whereis(id).filter(p -> p.incarnation().isNewerThan(old.incarnation())).isPresent()));
        return first().whereis(id).orElseThrow();
    }

    // ---- call ----

    @Test
    void callReplies() {
        String id = uniqueId("call");
        first().startChild(ChildSpec.of(Counter.class, 5).withId(id));
        for (DistributedSupervisor n : nodes) {
            assertThat(n.<Integer>call(id, "inc", Duration.ofSeconds(1))).isGreaterThan(5);
        }
        assertThat(last().<Integer>call(id, "get")).isEqualTo(5 + nodes.size());
    }

    @Test
    void callThatOutlivesItsTimeoutThrowsCallTimeoutException() {
        String id = uniqueId("slow");
        StartResult r = first().startChild(ChildSpec.of(Counter.class).withId(id));
        Nodes.awaitSeenEverywhere(nodes, r.pid()); // whereis/children read each node's own copy of the registry

        assertThatThrownBy(() -> other(r.pid()).call(id, Duration.ofMillis(600), Duration.ofMillis(200)))
                .isInstanceOfSatisfying(CallTimeoutException.class, e -> {
                    assertThat(e.id()).isEqualTo(id);
                    assertThat(e.timeout()).isEqualTo(Duration.ofMillis(200));
                });
        // the child was not disturbed: it finishes the slow call, then answers
        assertThat(other(r.pid()).<Integer>call(id, "get")).isZero();
        assertThat(first().whereis(id)).contains(r.pid());
    }

    @Test
    void throwingHandlerFailsTheCallWithTheCauseAndTheChildRestarts() {
        String id = uniqueId("crash");
        StartResult r = first().startChild(ChildSpec.of(Counter.class).withId(id));
        first().call(id, "inc");

        assertThatThrownBy(() -> other(r.pid()).call(id, "crash"))
                .isInstanceOfSatisfying(ChildCrashedException.class, e -> assertThat(e.id()).isEqualTo(id))
                .hasCauseInstanceOf(IllegalStateException.class)
                .cause().hasMessage("crash requested");

        assertThat(other(r.pid()).<Integer>call(id, "get")).as("fresh state after restart").isZero();
        assertThat(TestChildren.terminated(id)).singleElement()
                .satisfies(reason -> {
                    assertThat(reason.kind()).isEqualTo(ExitReason.Kind.ERROR);
                    assertThat(reason.cause()).hasMessage("crash requested");
                });
    }

    @Test
    void callAsyncCompletesWithTheReplyOrTheSameExceptions() throws Exception {
        String id = uniqueId("async");
        StartResult r = first().startChild(ChildSpec.of(Counter.class, 7).withId(id));
        DistributedSupervisor via = other(r.pid());

        CompletableFuture<Integer> ok = via.callAsync(id, "get", Duration.ofSeconds(2));
        assertThat(ok.get(5, TimeUnit.SECONDS)).isEqualTo(7);

        CompletableFuture<Object> crash = via.callAsync(id, "crash", Duration.ofSeconds(2));
        assertThatThrownBy(() -> crash.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(ChildCrashedException.class);

        CompletableFuture<Object> slow = via.callAsync(id, Duration.ofMillis(500), Duration.ofMillis(100));
        assertThatThrownBy(() -> slow.get(5, TimeUnit.SECONDS)).cause().isInstanceOf(CallTimeoutException.class);

        CompletableFuture<Object> missing = via.callAsync(uniqueId("missing"), "get", Duration.ofSeconds(1));
        assertThatThrownBy(() -> missing.get(5, TimeUnit.SECONDS)).cause().isInstanceOf(NoSuchChildException.class);
    }

    @Test
    void callOfUnknownIdThrowsNoSuchChild() {
        String id = uniqueId("missing");
        for (DistributedSupervisor n : nodes) {
            assertThatThrownBy(() -> n.call(id, "get"))
                    .isInstanceOfSatisfying(NoSuchChildException.class, e -> assertThat(e.id()).isEqualTo(id));
        }
    }

    @Test
    void childCallingItselfGetsIllegalStateExceptionAtOnce() {
        String id = uniqueId("self");
        first().startChild(ChildSpec.of(Counter.class).withId(id));
        // a deadlock would end in a CallTimeoutException inside the handler, or of this call
        assertThat(last().<String>call(id, "self", Duration.ofSeconds(3)))
                .isEqualTo(IllegalStateException.class.getName());
        assertThat(TestChildren.inits(id)).as("the child did not crash").isEqualTo(1);
    }

    // ---- cast / send ----

    @Test
    void castAndSendDeliverInOrderAndTheEffectShowsInALaterCall() {
        String id = uniqueId("cast");
        StartResult r = first().startChild(ChildSpec.of(Counter.class).withId(id));
        DistributedSupervisor via = other(r.pid());

        via.cast(id, "inc");
        via.cast(id, "inc");
        assertThat(via.send(id, "inc")).isTrue();
        assertThat(via.<Integer>call(id, "get")).isEqualTo(3);
    }

    @Test
    void castToMissingChildIsDroppedAndSendSaysFalse() {
        String id = uniqueId("nobody");
        for (DistributedSupervisor n : nodes) {
            n.cast(id, "inc"); // no exception, like GenServer.cast
            assertThat(n.send(id, "inc")).isFalse();
        }
    }

    @Test
    void crashInCastRestartsTheChild() {
        String id = uniqueId("castcrash");
        StartResult r = first().startChild(ChildSpec.of(Counter.class).withId(id));
        first().call(id, "inc");
        other(r.pid()).cast(id, "crash");
        Pid fresh = awaitNewPid(id, r.pid());
        assertThat(fresh.node()).isEqualTo(r.pid().node());
        assertThat(last().<Integer>call(id, "get")).isZero();
    }

    // ---- viaName ----

    @Test
    void viaNameWorksAndSurvivesARestart() throws Exception {
        String id = uniqueId("via");
        StartResult r = first().startChild(ChildSpec.of(Counter.class).withId(id));
        Nodes.awaitSeenEverywhere(nodes, r.pid()); // whereis/children read each node's own copy of the registry
        ChildRef ref = other(r.pid()).viaName(id);

        assertThat(ref.id()).isEqualTo(id);
        assertThat(ref.whereis()).contains(r.pid());
        assertThat(ref.<Integer>call("inc")).isEqualTo(1);
        ref.cast("inc");
        assertThat(ref.send("inc")).isTrue();
        assertThat(ref.<Integer>call("get", Duration.ofSeconds(1))).isEqualTo(3);
        assertThat(ref.<Integer>callAsync("get", Duration.ofSeconds(1)).get(5, TimeUnit.SECONDS)).isEqualTo(3);

        assertThatThrownBy(() -> ref.call("crash")).isInstanceOf(ChildCrashedException.class);
        Pid fresh = awaitNewPid(id, r.pid());
        assertThat(ref.whereis()).contains(fresh);
        assertThat(ref.<Integer>call("inc")).isEqualTo(1);
        ref.cast("inc");
        assertThat(ref.send("inc")).isTrue();
        assertThat(ref.<Integer>call("get")).isEqualTo(3);
    }

    @Test
    void viaNameOfMissingChild() {
        ChildRef ref = first().viaName(uniqueId("nobody"));
        assertThat(ref.whereis()).isEmpty();
        assertThat(ref.send("inc")).isFalse();
        ref.cast("inc");
        assertThatThrownBy(() -> ref.call("get")).isInstanceOf(NoSuchChildException.class);
    }

    // ---- reading ----

    @Test
    void childrenIsTheSameOnEveryNodeAndLocalChildrenAddUp() {
        Map<Object, Pid> started = new HashMap<>();
        for (int i = 0; i < 60; i++) {
            StartResult r = nodes.get(i % nodes.size()).startChild(ChildSpec.of(Counter.class).withId(uniqueId("c" + i)));
            started.put(r.id(), r.pid());
        }
        // each node reads its own copy of the registry: wait until every copy has every start
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            for (DistributedSupervisor n : nodes) {
                assertThat(n.children()).as("children on %s", n.node()).isEqualTo(started);
            }
        });
        List<Pid> all = new ArrayList<>();
        for (DistributedSupervisor n : nodes) {
            List<Pid> local = n.localChildren();
            assertThat(local).allMatch(p -> p.node().equals(n.node()));
            all.addAll(local);
            assertThat(n.localChildStatuses()).extracting(s -> s.pid()).containsExactlyInAnyOrderElementsOf(local);
        }
        assertThat(all).containsExactlyInAnyOrderElementsOf(started.values());
        for (Map.Entry<Object, Pid> e : started.entrySet()) {
            for (DistributedSupervisor n : nodes) {
                assertThat(n.whereis(e.getKey())).contains(e.getValue());
                assertThat(n.whois(e.getValue())).contains(e.getKey());
                assertThat(e.getValue().node()).isEqualTo(n.nodeFor(e.getKey()));
            }
        }
    }

    @Test
    void whoisOfUnknownOrForeignPidIsEmpty() {
        String id = uniqueId("whois");
        StartResult r = first().startChild(ChildSpec.of(Counter.class).withId(id));
        Nodes.awaitSeenEverywhere(nodes, r.pid()); // whereis/children read each node's own copy of the registry
        Pid otherSupervisor = new Pid(r.pid().node(), "Other", id, r.pid().incarnation());
        Pid otherNode = new Pid("elsewhere", Nodes.NAME, id, r.pid().incarnation());
        for (DistributedSupervisor n : nodes) {
            assertThat(n.whois(r.pid())).contains(id);
            assertThat(n.whois(otherSupervisor)).isEmpty();
            assertThat(n.whois(otherNode)).isEmpty();
            assertThat(n.whereis(uniqueId("nobody"))).isEmpty();
        }
    }

    @Test
    void nodeForIsMineAndNodesAgreeOnEveryNode() {
        List<String> expected = nodes.stream().map(DistributedSupervisor::node).sorted().toList();
        for (DistributedSupervisor n : nodes) {
            assertThat(n.nodes()).isEqualTo(expected);
            assertThat(n.name()).isEqualTo(Nodes.NAME);
        }
        List<Object> keys = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            keys.add("key-" + i);
            keys.add(i);
            keys.add((long) i);
        }
        keys.add(UUID.randomUUID());
        Map<String, Integer> perNode = new HashMap<>();
        for (Object key : keys) {
            String owner = first().nodeFor(key);
            assertThat(expected).contains(owner);
            for (DistributedSupervisor n : nodes) {
                assertThat(n.nodeFor(key)).isEqualTo(owner);
            }
            assertThat(nodes.stream().filter(n -> n.isMine(key)).map(DistributedSupervisor::node).toList())
                    .as("isMine(%s)", key).containsExactly(owner);
            perNode.merge(owner, 1, Integer::sum);
        }
        assertThat(perNode.keySet()).as("every node gets some keys").containsExactlyInAnyOrderElementsOf(expected);
    }
}
