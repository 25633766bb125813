package io.distributedsupervisor.tck.supervisor;

import static io.distributedsupervisor.tck.supervisor.TestChildren.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.ExitReason;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.Rebalance;
import io.distributedsupervisor.Restart;
import io.distributedsupervisor.StartResult;
import io.distributedsupervisor.UnknownNodeException;
import io.distributedsupervisor.tck.supervisor.Events.Event;
import io.distributedsupervisor.tck.supervisor.TestChildren.Counter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Node loss, graceful stop, rebalancing and the nodes option, on 3 or 4 nodes. */
public abstract class FailoverContract extends HarnessContract {

    protected static final Duration WAIT = Duration.ofSeconds(20);

    protected List<Event> events;
    protected List<DistributedSupervisor> nodes;

    @BeforeEach
    void setUp() {
        events = Events.sink();
    }


    protected void startNodes(int n, BiFunction<String, io.distributedsupervisor.SupervisorOptions.Builder,
            io.distributedsupervisor.SupervisorOptions.Builder> custom) {
        nodes = new ArrayList<>(Nodes.start(harness, n,
                (name, b) -> custom.apply(name, b.listeners(List.of(new Events(name, events))))));
    }

    protected List<DistributedSupervisor> survivorsWithout(String dead) {
        return nodes.stream().filter(n -> !n.node().equals(dead)).toList();
    }

    protected Map<Object, Pid> startMany(int count, String prefix, Restart restart) {
        Map<Object, Pid> started = new HashMap<>();
        for (int i = 0; i < count; i++) {
            StartResult r = nodes.get(i % nodes.size())
                    .startChild(ChildSpec.of(Counter.class).withId(prefix + "-" + i).withRestart(restart));
            started.put(r.id(), r.pid());
        }
        return started;
    }

    /** Every id in {@code ids} runs exactly once, on the node the ring of {@code live} names, seen alike by all. */
    protected void awaitRunningExactlyOnceWhereTheRingSays(List<DistributedSupervisor> live, Set<Object> ids) {
        await().atMost(WAIT).untilAsserted(() -> {
            List<Pid> local = new ArrayList<>();
            live.forEach(n -> local.addAll(n.localChildren()));
            List<Object> localIds = local.stream().map(Pid::id).filter(ids::contains).toList();
            assertThat(localIds).as("running copies").hasSize(ids.size());
            assertThat(new HashSet<>(localIds)).as("distinct ids").hasSize(ids.size());
            for (DistributedSupervisor n : live) {
                Map<Object, Pid> children = n.children();
                assertThat(children.keySet()).as("children() on %s", n.node()).containsAll(ids);
                for (Object id : ids) {
                    assertThat(children.get(id).node()).as("%s on %s", id, n.node()).isEqualTo(n.nodeFor(id));
                }
            }
            for (Pid p : local) {
                if (ids.contains(p.id())) {
                    assertThat(live.get(0).children().get(p.id())).isEqualTo(p);
                }
            }
        });
    }

    @Test
    void crashOfANodeWith3000PermanentChildrenRestartsEachExactlyOnceOnTheRingsNode() {
        startNodes(3, (name, b) -> b);
        Map<Object, Pid> started = startMany(3000, uniqueId("fo"), Restart.PERMANENT);
        Set<Object> onN2 = started.entrySet().stream().filter(e -> e.getValue().node().equals("n2"))
                .map(Map.Entry::getKey).collect(Collectors.toSet());
        assertThat(onN2).isNotEmpty();

        harness.crash("n2");
        List<DistributedSupervisor> survivors = survivorsWithout("n2");
        Nodes.awaitRing(survivors, List.of("n1", "n3"));

        awaitRunningExactlyOnceWhereTheRingSays(survivors, started.keySet());
        int sum = survivors.stream().mapToInt(n -> n.localChildren().size()).sum();
        assertThat(sum).isEqualTo(3000);
        for (DistributedSupervisor n : survivors) {
            assertThat(n.children()).hasSize(3000).allSatisfy((id, pid) -> assertThat(pid.node()).isNotEqualTo("n2"));
        }
        for (Object id : started.keySet()) {
            Pid pid = survivors.get(0).whereis(id).orElseThrow();
            if (onN2.contains(id)) {
                assertThat(pid.incarnation().isNewerThan(started.get(id).incarnation())).isTrue();
                assertThat(TestChildren.inits(id)).isEqualTo(2);
            } else {
                assertThat(pid).as("a survivor's child was not touched").isEqualTo(started.get(id));
                assertThat(TestChildren.inits(id)).isEqualTo(1);
            }
            assertThat(survivors.get((int) (Math.random() * 2)).<Integer>call(id, "get")).isZero();
        }
        // a crash runs no terminate; the restarted ones are reported started where they now run
        assertThat(onN2).allSatisfy(id -> assertThat(TestChildren.terminated(id)).isEmpty());
        await().atMost(WAIT).until(() -> Events.of(events, "start", e -> onN2.contains(e.subject())).size() == 2 * onN2.size());
        for (Object id : onN2) {
            String now = survivors.get(0).whereis(id).orElseThrow().node();
            assertThat(Events.of(events, "start", e -> e.subject().equals(id))).extracting(Event::onNode)
                    .containsExactlyInAnyOrder("n2", now);
        }
        assertThat(Events.of(events, "stop", e -> e.onNode().equals("n1") || e.onNode().equals("n3"))).isEmpty();
    }

    @Test
    void crashedNodeWithoutCachedChildrenLosesThemAndSaysSoOncePerChild() {
        startNodes(3, (name, b) -> b.cacheChildren(false));
        Map<Object, Pid> started = startMany(300, uniqueId("nocache"), Restart.PERMANENT);
        Set<Object> onN2 = started.entrySet().stream().filter(e -> e.getValue().node().equals("n2"))
                .map(Map.Entry::getKey).collect(Collectors.toSet());

        harness.crash("n2");
        List<DistributedSupervisor> survivors = survivorsWithout("n2");
        Nodes.awaitRing(survivors, List.of("n1", "n3"));
        String reporter = survivors.get(0).nodeFor("n2");

        await().atMost(WAIT).untilAsserted(() -> assertThat(Events.of(events, "stop", e -> onN2.contains(e.subject())))
                .hasSize(onN2.size()));
        List<Event> lost = Events.of(events, "stop", e -> onN2.contains(e.subject()));
        assertThat(lost.stream().map(Event::subject).collect(Collectors.toSet())).isEqualTo(onN2);
        assertThat(lost).allSatisfy(e -> {
            assertThat(e.reason().kind()).isEqualTo(ExitReason.Kind.NODE_DOWN);
            assertThat(e.reason().detail()).isEqualTo("n2");
            assertThat(e.onNode()).isEqualTo(reporter);
            assertThat(e.pid()).isEqualTo(started.get(e.subject()));
        });
        // each survivor's own copy of the registry drops the dead node's entries as its session's end reaches it
        await().atMost(WAIT).untilAsserted(() -> {
            for (DistributedSupervisor n : survivors) {
                Map<Object, Pid> children = n.children();
                assertThat(children).hasSize(started.size() - onN2.size());
                assertThat(children.keySet()).doesNotContainAnyElementsOf(onN2);
            }
        });
        assertThat(onN2).allSatisfy(id -> assertThat(TestChildren.inits(id)).isEqualTo(1));
    }

    @Test
    void temporaryChildrenOfACrashedNodeAreNotRestarted() {
        startNodes(3, (name, b) -> b);
        Map<Object, Pid> started = startMany(60, uniqueId("temp"), Restart.TEMPORARY);
        Set<Object> onN1 = started.entrySet().stream().filter(e -> e.getValue().node().equals("n1"))
                .map(Map.Entry::getKey).collect(Collectors.toSet());
        harness.crash("n1");
        List<DistributedSupervisor> survivors = survivorsWithout("n1");
        await().atMost(WAIT).untilAsserted(() -> assertThat(Events.of(events, "stop", e -> onN1.contains(e.subject())))
                .hasSize(onN1.size()));
        await().atMost(WAIT).untilAsserted(() -> {
            for (DistributedSupervisor n : survivors) {
                assertThat(n.children()).hasSize(started.size() - onN1.size());
            }
        });
        assertThat(onN1).allSatisfy(id -> assertThat(TestChildren.inits(id)).isEqualTo(1));
    }

    @Test
    void gracefulStopMovesChildrenToTheOthersWithMigratedNoneLostNoneDoubled() {
        startNodes(3, (name, b) -> b);
        Map<Object, Pid> started = startMany(600, uniqueId("grace"), Restart.PERMANENT);
        Set<Object> onN2 = started.entrySet().stream().filter(e -> e.getValue().node().equals("n2"))
                .map(Map.Entry::getKey).collect(Collectors.toSet());
        for (Object id : onN2) {
            nodes.get(0).call(id, "inc");
        }

        harness.stop("n2");
        List<DistributedSupervisor> survivors = survivorsWithout("n2");
        Nodes.awaitRing(survivors, List.of("n1", "n3"));

        awaitRunningExactlyOnceWhereTheRingSays(survivors, started.keySet());
        assertThat(survivors.stream().mapToInt(n -> n.localChildren().size()).sum()).isEqualTo(600);
        for (Object id : onN2) {
            assertThat(TestChildren.terminated(id)).containsExactly(ExitReason.migrated());
            assertThat(TestChildren.inits(id)).isEqualTo(2);
            assertThat(survivors.get(1).<Integer>call(id, "get")).as("a moved child starts from its spec").isZero();
        }
        assertThat(Events.of(events, "stop", e -> onN2.contains(e.subject())))
                .hasSize(onN2.size())
                .allSatisfy(e -> {
                    assertThat(e.onNode()).isEqualTo("n2");
                    assertThat(e.reason()).isEqualTo(ExitReason.migrated());
                });
    }

    @Test
    void gracefulStopWithoutCachedChildrenTerminatesThemAndReportsNoNodeDown() {
        startNodes(3, (name, b) -> b.cacheChildren(false));
        Map<Object, Pid> started = startMany(90, uniqueId("grace-nocache"), Restart.PERMANENT);
        Set<Object> onN3 = started.entrySet().stream().filter(e -> e.getValue().node().equals("n3"))
                .map(Map.Entry::getKey).collect(Collectors.toSet());
        nodes.get(2).close();
        List<DistributedSupervisor> survivors = survivorsWithout("n3");
        await().atMost(WAIT).untilAsserted(() -> assertThat(survivors.get(0).children()).hasSize(90 - onN3.size()));
        assertThat(Events.of(events, "stop", e -> onN3.contains(e.subject())))
                .hasSize(onN3.size())
                .allSatisfy(e -> {
                    assertThat(e.onNode()).isEqualTo("n3");
                    assertThat(e.reason().kind()).isEqualTo(ExitReason.Kind.SHUTDOWN);
                });
        // make sure every survivor has handled n3's leaving, then: nobody called it a node-down loss
        await().atMost(WAIT).until(() -> Events.of(events, "terminate").size() == 2);
        String probe = uniqueId("probe");
        survivors.get(0).startChild(ChildSpec.of(Counter.class).withId(probe));
        survivors.get(1).terminateChild((Object) probe);
        await().atMost(WAIT).until(() -> !Events.of(events, "stop", e -> e.subject().equals(probe)).isEmpty());
        assertThat(Events.of(events, "stop", e -> e.reason().kind() == ExitReason.Kind.NODE_DOWN)).isEmpty();
        assertThat(onN3).allSatisfy(id -> assertThat(TestChildren.terminated(id)).containsExactly(ExitReason.shutdown()));
    }

    @Test
    void explicitNodeChildOfADeadNodeRestartsWhereTheRingSays() {
        startNodes(3, (name, b) -> b);
        String id = uniqueId("explicit");
        StartResult r = nodes.get(0).startChild(ChildSpec.of(Counter.class).withId(id), "n3");
        harness.crash("n3");
        List<DistributedSupervisor> survivors = survivorsWithout("n3");
        Nodes.awaitRing(survivors, List.of("n1", "n2"));
        awaitRunningExactlyOnceWhereTheRingSays(survivors, Set.of(id));
        assertThat(survivors.get(0).whereis(id).orElseThrow().incarnation().isNewerThan(r.pid().incarnation())).isTrue();
    }

    @Test
    void specsSurviveTheLossOfEveryNode() {
        startNodes(3, (name, b) -> b);
        Map<Object, Pid> started = startMany(90, uniqueId("all"), Restart.PERMANENT);
        harness.crash("n1");
        harness.crash("n2");
        harness.crash("n3");
        DistributedSupervisor n5 = harness.start(Nodes.options("n5"));
        awaitRunningExactlyOnceWhereTheRingSays(List.of(n5), started.keySet());
        assertThat(n5.localChildren()).hasSize(90);
    }

    @Test
    void activeRebalanceMovesToAJoiningNodeWhatTheRingNowGivesIt() {
        startNodes(3, (name, b) -> b.monitorNodes(true).rebalance(Rebalance.ACTIVE));
        Map<Object, Pid> started = startMany(300, uniqueId("active"), Restart.PERMANENT);
        String pinned = uniqueId("pinned");
        nodes.get(0).startChild(ChildSpec.of(Counter.class).withId(pinned), "n1");

        nodes.add(harness.start(Nodes.options("n4").monitorNodes(true).rebalance(Rebalance.ACTIVE)
                .listeners(List.of(new Events("n4", events)))));
        Nodes.awaitRing(nodes, List.of("n1", "n2", "n3", "n4"));
        Set<Object> toN4 = started.keySet().stream().filter(id -> nodes.get(0).nodeFor(id).equals("n4"))
                .collect(Collectors.toSet());
        assertThat(toN4).isNotEmpty();

        awaitRunningExactlyOnceWhereTheRingSays(nodes, started.keySet());
        assertThat(nodes.get(3).localChildren()).extracting(Pid::id).containsExactlyInAnyOrderElementsOf(toN4);
        assertThat(nodes.stream().mapToInt(n -> n.localChildren().size()).sum()).isEqualTo(301);
        for (Object id : started.keySet()) {
            if (toN4.contains(id)) {
                assertThat(TestChildren.terminated(id)).containsExactly(ExitReason.migrated());
            } else {
                assertThat(nodes.get(0).whereis(id)).as("not moved").contains(started.get(id));
            }
            assertThat(nodes.get(3).<Integer>call(id, "get")).isZero();
        }
        assertThat(nodes.get(0).whereis(pinned).orElseThrow().node()).as("an explicit node is kept").isEqualTo("n1");
    }

    @Test
    void passiveRebalanceLeavesRunningChildrenWhereTheyAre() {
        startNodes(3, (name, b) -> b.monitorNodes(true));
        Map<Object, Pid> started = startMany(300, uniqueId("passive"), Restart.PERMANENT);
        nodes.add(harness.start(Nodes.options("n4").monitorNodes(true).listeners(List.of(new Events("n4", events)))));
        Nodes.awaitRing(nodes, List.of("n1", "n2", "n3", "n4"));
        await().atMost(WAIT).until(() -> !Events.of(events, "up", e -> e.subject().equals("n4")).isEmpty());

        await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> nodes.get(3).localChildren().isEmpty()
                && nodes.get(0).children().equals(started));
        // new children follow the new ring
        String id = uniqueId("new");
        StartResult r = nodes.get(0).startChild(ChildSpec.of(Counter.class).withId(id));
        assertThat(r.pid().node()).isEqualTo(nodes.get(0).nodeFor(id));
    }

    @Test
    void nodesOptionRestrictsTheRing() {
        nodes = new ArrayList<>();
        for (String name : List.of("n1", "n2", "n3")) {
            nodes.add(harness.start(Nodes.options(name).nodes(List.of("n1", "n2"))));
        }
        Nodes.awaitRing(nodes, List.of("n1", "n2"));
        for (DistributedSupervisor n : nodes) {
            assertThat(n.nodes()).containsExactly("n1", "n2");
        }
        Map<Object, Pid> started = new HashMap<>();
        for (DistributedSupervisor via : nodes) {
            started.putAll(startManyThrough(via, 50));
        }
        assertThat(started.values()).extracting(Pid::node).doesNotContain("n3").contains("n1", "n2");
        assertThat(nodes.get(2).localChildren()).isEmpty();
        for (int i = 0; i < 200; i++) {
            assertThat(nodes.get(2).isMine("k" + i)).isFalse();
            assertThat(nodes.get(2).nodeFor("k" + i)).isIn("n1", "n2");
        }
        assertThatThrownBy(() -> nodes.get(0).startChild(ChildSpec.of(Counter.class), "n3"))
                .isInstanceOfSatisfying(UnknownNodeException.class, e -> assertThat(e.node()).isEqualTo("n3"));
        // n3 still reaches everything
        for (Object id : started.keySet()) {
            assertThat(nodes.get(2).<Integer>call(id, "get")).isZero();
        }
    }

    /** Calls every id in a loop from another thread until stopped; collects what failed. */
    private final class Caller implements AutoCloseable {
        final java.util.concurrent.ConcurrentLinkedQueue<Throwable> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
        final java.util.concurrent.atomic.AtomicInteger answered = new java.util.concurrent.atomic.AtomicInteger();
        private volatile boolean running = true;
        private final Thread thread;

        Caller(DistributedSupervisor via, List<Object> ids) {
            thread = Thread.ofPlatform().start(() -> {
                while (running) {
                    for (Object id : ids) {
                        try {
                            via.call(id, "get", Duration.ofSeconds(10));
                            answered.incrementAndGet();
                        } catch (Throwable t) {
                            failures.add(t);
                        }
                    }
                }
            });
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join();
        }
    }

    @Test
    void callsRacingAGracefulStopAreRetriedUntilTheChildRunsAgain() throws Exception {
        startNodes(3, (name, b) -> b);
        Map<Object, Pid> started = startMany(150, uniqueId("race-stop"), Restart.PERMANENT);
        List<Object> onN2 = started.entrySet().stream().filter(e -> e.getValue().node().equals("n2"))
                .map(Map.Entry::getKey).toList();
        Caller caller = new Caller(nodes.get(0), onN2);
        try (caller) {
            await().atMost(WAIT).until(() -> caller.answered.get() > onN2.size());
            harness.stop("n2");
            List<DistributedSupervisor> survivors = survivorsWithout("n2");
            awaitRunningExactlyOnceWhereTheRingSays(survivors, started.keySet());
            int before = caller.answered.get();
            await().atMost(WAIT).until(() -> caller.answered.get() > before + onN2.size());
        }
        assertThat(caller.failures).isEmpty();
    }

    /**
     * A crash is no migration: a call that may already have reached the crashed node is not sent
     * again (it could run twice), it fails at once with OutcomeUnknownException naming that node;
     * every call that had not left is retried until the child runs again.
     */
    @Test
    void callsRacingANodeCrashAreRetriedUntilTheChildRunsAgainUnlessTheyMayHaveArrived() throws Exception {
        startNodes(3, (name, b) -> b);
        Map<Object, Pid> started = startMany(150, uniqueId("race-crash"), Restart.PERMANENT);
        List<Object> onN3 = started.entrySet().stream().filter(e -> e.getValue().node().equals("n3"))
                .map(Map.Entry::getKey).toList();
        Caller caller = new Caller(nodes.get(0), onN3);
        try (caller) {
            await().atMost(WAIT).until(() -> caller.answered.get() > onN3.size());
            harness.crash("n3");
            List<DistributedSupervisor> survivors = survivorsWithout("n3");
            awaitRunningExactlyOnceWhereTheRingSays(survivors, started.keySet());
            int before = caller.answered.get();
            await().atMost(WAIT).until(() -> caller.answered.get() > before + onN3.size());
        }
        assertThat(caller.failures).allSatisfy(t -> assertThat(t).isInstanceOfSatisfying(
                io.distributedsupervisor.OutcomeUnknownException.class, e -> assertThat(e.node()).isEqualTo("n3")));
    }

    @Test
    void callsRacingAnActiveRebalanceAreRetried() throws Exception {
        startNodes(3, (name, b) -> b.monitorNodes(true).rebalance(Rebalance.ACTIVE));
        Map<Object, Pid> started = startMany(150, uniqueId("race-rebalance"), Restart.PERMANENT);
        Caller caller = new Caller(nodes.get(0), List.copyOf(started.keySet()));
        try (caller) {
            await().atMost(WAIT).until(() -> caller.answered.get() > started.size());
            nodes.add(harness.start(Nodes.options("n4").monitorNodes(true).rebalance(Rebalance.ACTIVE)));
            Nodes.awaitRing(nodes, List.of("n1", "n2", "n3", "n4"));
            awaitRunningExactlyOnceWhereTheRingSays(nodes, started.keySet());
            assertThat(nodes.get(3).localChildren()).isNotEmpty();
            int before = caller.answered.get();
            await().atMost(WAIT).until(() -> caller.answered.get() > before + started.size());
        }
        assertThat(caller.failures).isEmpty();
    }

    @Test
    void aCrashedNodeCanJoinAgainUnderItsName() {
        startNodes(3, (name, b) -> b);
        Map<Object, Pid> started = startMany(90, uniqueId("rejoin"), Restart.PERMANENT);
        harness.crash("n2");
        List<DistributedSupervisor> survivors = survivorsWithout("n2");
        Nodes.awaitRing(survivors, List.of("n1", "n3"));
        awaitRunningExactlyOnceWhereTheRingSays(survivors, started.keySet());

        DistributedSupervisor n2 = harness.start(Nodes.options("n2").listeners(List.of(new Events("n2", events))));
        nodes = new ArrayList<>(List.of(survivors.get(0), n2, survivors.get(1)));
        Nodes.awaitRing(nodes, List.of("n1", "n2", "n3"));
        String id = uniqueId("on-new-n2");
        StartResult r = nodes.get(0).startChild(ChildSpec.of(Counter.class).withId(id), "n2");
        assertThat(n2.localChildren()).containsExactly(r.pid());
        for (Object old : started.keySet()) {
            assertThat(n2.<Integer>call(old, "get")).isZero();
        }
        assertThat(nodes.stream().mapToInt(n -> n.localChildren().size()).sum()).isEqualTo(91);
    }

    @Test
    void terminationsRacingAnActiveRebalanceStick() throws Exception {
        startNodes(3, (name, b) -> b.monitorNodes(true).rebalance(Rebalance.ACTIVE));
        Map<Object, Pid> started = startMany(400, uniqueId("term-vs-move"), Restart.PERMANENT);
        List<Object> ids = List.copyOf(started.keySet());
        java.util.concurrent.ConcurrentLinkedQueue<Object> terminated = new java.util.concurrent.ConcurrentLinkedQueue<>();
        java.util.concurrent.ConcurrentLinkedQueue<Throwable> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
        Thread terminator = Thread.ofPlatform().start(() -> {
            for (Object id : ids) {
                try {
                    if (nodes.get(0).terminateChild(id)) {
                        terminated.add(id);
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }
        });
        nodes.add(harness.start(Nodes.options("n4").monitorNodes(true).rebalance(Rebalance.ACTIVE)));
        terminator.join();
        assertThat(failures).isEmpty();
        assertThat(terminated).containsExactlyInAnyOrderElementsOf(ids);
        Nodes.awaitRing(nodes, List.of("n1", "n2", "n3", "n4"));
        // nothing comes back: wait until every node has settled (a probe placed by the ring starts), then look
        for (DistributedSupervisor n : nodes) {
            String probe = uniqueId("probe");
            n.startChild(ChildSpec.of(Counter.class).withId(probe), n.node());
            n.terminateChild((Object) probe);
        }
        await().during(Duration.ofMillis(300)).atMost(WAIT).untilAsserted(() -> {
            for (DistributedSupervisor n : nodes) {
                assertThat(n.children()).isEmpty();
                assertThat(n.localChildren()).isEmpty();
            }
        });
    }

    private Map<Object, Pid> startManyThrough(DistributedSupervisor via, int count) {
        Map<Object, Pid> started = new HashMap<>();
        for (int i = 0; i < count; i++) {
            StartResult r = via.startChild(ChildSpec.of(Counter.class).withId(uniqueId(via.node())));
            started.put(r.id(), r.pid());
        }
        return started;
    }
}
