package io.distributedsupervisor.tck.supervisor;

import static io.distributedsupervisor.tck.supervisor.TestChildren.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.Child;
import io.distributedsupervisor.ChildContext;
import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.DrainReport;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.Rebalance;
import io.distributedsupervisor.Restart;
import io.distributedsupervisor.UnknownNodeException;
import io.distributedsupervisor.NoSuchChildException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Planned moves ({@code drain()}, {@code close()}) lose nothing: each child of the draining node
 * runs again exactly once, on the node the ring now names, with the state it handed over; calls
 * made during the move all succeed, each processed once; casts from one sender arrive complete
 * and in order, after the handed-over state. A crash never hands state over.
 */
public abstract class PlannedMoveContract extends HarnessContract {
    /** What each incarnation of each {@link Tally} saw, by id: "init:<state>" and the casts' sequence numbers. */
    static final Map<Object, List<Object>> SEEN = new ConcurrentHashMap<>();

    /** A counter that hands its count over: "inc" adds one and answers it, "get" answers it, "crash" throws; casts are recorded. */
    public static final class Tally implements Child {
        private long count;

        @Override
        public void init(ChildContext ctx) {
            count = ctx.handoffState().map(s -> (Long) s).orElse(0L);
            SEEN.computeIfAbsent(ctx.id(), k -> new CopyOnWriteArrayList<>()).add("init:" + ctx.handoffState().orElse(null));
        }

        @Override
        public Object handleCall(Object request, ChildContext ctx) {
            return switch (String.valueOf(request)) {
                case "inc" -> ++count;
                case "get" -> count;
                case "crash" -> throw new IllegalStateException("asked to crash");
                default -> throw new IllegalArgumentException(String.valueOf(request));
            };
        }

        @Override
        public void handleCast(Object message, ChildContext ctx) {
            count++;
            SEEN.computeIfAbsent(ctx.id(), k -> new CopyOnWriteArrayList<>()).add(message);
        }

        @Override
        public Object handoff(ChildContext ctx) {
            return count;
        }
    }

    private List<DistributedSupervisor> nodes;

    @BeforeEach
    void threeNodes() {
        // Read by the load's callers while a test adds a node.
        nodes = new java.util.concurrent.CopyOnWriteArrayList<>(Nodes.start(harness, 3, (name, b) -> b
                .callTimeout(Duration.ofSeconds(10)).monitorNodes(true).rebalance(Rebalance.ACTIVE)));
    }

    private DistributedSupervisor node(String name) {
        return nodes.stream().filter(n -> n.node().equals(name)).findFirst().orElseThrow();
    }

    /** Ring-placed children until {@code n} of them run on {@code on}; returns those. */
    private List<String> childrenOn(String on, int n) {
        List<String> ids = new ArrayList<>();
        while (ids.size() < n) {
            String id = uniqueId("tally");
            Pid pid = node("n1").startChild(ChildSpec.of(Tally.class).withId(id)).pid();
            if (pid.node().equals(on)) {
                ids.add(id);
            } else {
                node("n1").terminateChild(id);
            }
        }
        return ids;
    }

    @Test
    void aDrainHandsEveryChildOverWithItsStateWhileCallsGoOnWithoutAFailure() throws Exception {
        List<String> ids = childrenOn("n2", 30);
        for (String id : ids) {
            for (int i = 0; i < 5; i++) {
                node("n3").call(id, "inc");
            }
        }
        Load load = new Load(ids, "n1", "n3");
        await().until(() -> load.total() > 200);

        DrainReport report = node("n2").drain();

        long then = load.total();
        await().until(() -> load.total() > then + 200);
        load.close();
        assertThat(load.failures).as("calls that failed during the drain").isEmpty();
        assertThat(report.handedOver()).isEqualTo(ids.size());
        assertThat(report.leftToFailover()).isEmpty();
        for (String id : ids) {
            Pid pid = node("n1").whereis(id).orElseThrow();
            assertThat(pid.node()).as("where %s runs", id).isEqualTo(node("n1").nodeFor(id)).isIn("n1", "n3");
            // Every call was processed exactly once, on top of the state handed over.
            assertThat((Object) node("n3").call(id, "get")).as("count of %s", id).isEqualTo(5 + load.answered.get(id).get());
            assertThat(SEEN.get(id)).as("incarnations of %s", id).filteredOn(s -> String.valueOf(s).startsWith("init:"))
                    .hasSize(2).last().isNotEqualTo("init:null");
        }
    }

    @Test
    void castsFromOneSenderDuringADrainArriveOnceEachAndInOrder() throws Exception {
        String id = childrenOn("n2", 1).get(0);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger sent = new AtomicInteger();
        Thread sender = Thread.startVirtualThread(() -> {
            while (running.get()) {
                node("n1").cast(id, sent.get());
                if (sent.incrementAndGet() % 20 == 0) {
                    node("n1").call(id, "get"); // paced: a flood would fill the mailbox, which refuses what does not fit
                }
            }
        });
        await().until(() -> sent.get() > 500);

        node("n2").drain();

        int before = sent.get();
        await().until(() -> sent.get() > before + 500);
        running.set(false);
        sender.join();
        await().untilAsserted(() -> assertThat((Object) node("n1").call(id, "get")).isEqualTo((long) sent.get()));
        List<Object> casts = SEEN.get(id).stream().filter(o -> o instanceof Integer).toList();
        List<Object> expected = new ArrayList<>();
        for (int i = 0; i < sent.get(); i++) {
            expected.add(i);
        }
        assertThat(casts).as("the casts, in the order processed").isEqualTo(expected);
        // The new incarnation started with the count of the casts before it, and processed the rest after.
        List<Object> seen = SEEN.get(id);
        assertThat(seen.get(0)).isEqualTo("init:null");
        List<Object> inits = seen.stream().filter(o -> String.valueOf(o).startsWith("init:")).toList();
        assertThat(inits).hasSize(2);
        int second = seen.indexOf(inits.get(1));
        assertThat(inits.get(1)).isEqualTo("init:" + (second - 1));
    }

    @Test
    void aCrashNeverHandsStateOver() {
        String id = uniqueId("tally");
        node("n1").startChild(ChildSpec.of(Tally.class).withId(id).withRestart(Restart.PERMANENT));
        node("n2").call(id, "inc");
        node("n2").call(id, "inc");
        try {
            node("n3").call(id, "crash");
        } catch (RuntimeException expected) {
            // ChildCrashedException
        }
        await().untilAsserted(() -> assertThat((Object) node("n3").call(id, "get")).isEqualTo(0L));
        assertThat(SEEN.get(id)).containsExactly("init:null", "init:null");
    }

    @Test
    void aChildNotHandedOverByTheDeadlineIsLeftToFailoverAndReported() throws Exception {
        String slow = uniqueId("slow");
        java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
        TestChildren.GATES.put(slow, gate);
        node("n1").startChild(ChildSpec.of(TestChildren.Sequencer.class).withId(slow)
                .withShutdown(Duration.ofSeconds(5)), "n2");
        // Busy until the gate opens: its stop waits for that message, longer than the drain may take.
        var busy = node("n1").callAsync(slow, "first", Duration.ofSeconds(30));
        await().until(() -> TestChildren.SEQUENCE.getOrDefault(slow, List.of()).size() == 1);

        DrainReport report = node("n2").drain(Duration.ofMillis(300));
        gate.countDown();

        assertThat(report.leftToFailover()).containsExactly(slow);
        assertThat(report.handedOver()).isZero();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(node("n1").whereis(slow))
                .hasValueSatisfying(p -> assertThat(p.node()).isIn("n1", "n3")));
        assertThat((Object) node("n3").call(slow, "ping")).isEqualTo("ping");
        busy.handle((v, e) -> null).get();
    }

    @Test
    void closeIsADrainThatKeepsTheState() {
        List<String> ids = childrenOn("n3", 3);
        for (String id : ids) {
            node("n1").call(id, "inc");
            node("n2").call(id, "inc");
        }

        node("n3").close();

        for (String id : ids) {
            assertThat(node("n1").whereis(id)).hasValueSatisfying(p -> assertThat(p.node()).isIn("n1", "n2"));
            assertThat((Object) node("n2").call(id, "get")).isEqualTo(2L);
        }
    }

    /** A steady call load on {@code ids}, 4 callers through each node of {@code from}, until {@link Load#close}: answered calls counted per id, failures kept. */
    private final class Load implements AutoCloseable {
        final Map<String, AtomicLong> answered = new ConcurrentHashMap<>();
        final List<Throwable> failures = new CopyOnWriteArrayList<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> threads = new ArrayList<>();

        Load(List<String> ids, String... from) {
            ids.forEach(id -> answered.put(id, new AtomicLong()));
            for (String f : from) {
                for (int t = 0; t < 4; t++) {
                    threads.add(Thread.startVirtualThread(() -> {
                        while (running.get()) {
                            String id = ids.get(ThreadLocalRandom.current().nextInt(ids.size()));
                            try {
                                node(f).call(id, "inc");
                                answered.get(id).incrementAndGet();
                            } catch (RuntimeException e) {
                                failures.add(e);
                            }
                        }
                    }));
                }
            }
        }

        long total() {
            return answered.values().stream().mapToLong(AtomicLong::get).sum();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join();
            }
        }
    }

    @Test
    void aNodeThatJoinsUnderActiveRebalanceGetsItsChildrenWithTheirStateWhileCallsGoOn() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            String id = uniqueId("tally");
            node("n1").startChild(ChildSpec.of(Tally.class).withId(id));
            node("n2").call(id, "inc");
            ids.add(id);
        }
        Load load = new Load(ids, "n1", "n3");
        await().until(() -> load.total() > 100);

        nodes.add(harness.start(Nodes.options("n4").callTimeout(Duration.ofSeconds(10)).monitorNodes(true)
                .rebalance(Rebalance.ACTIVE)));
        Nodes.awaitRing(nodes, List.of("n1", "n2", "n3", "n4"));
        await().untilAsserted(() -> assertThat(ids).allSatisfy(id -> assertThat(node("n1").whereis(id))
                .hasValueSatisfying(p -> assertThat(p.node()).isEqualTo(node("n1").nodeFor(id)))));
        long then = load.total();
        await().until(() -> load.total() > then + 100);
        load.close();

        assertThat(load.failures).as("calls that failed while children moved to n4").isEmpty();
        long moved = ids.stream().filter(id -> node("n4").whereis(id).map(p -> p.node().equals("n4")).orElse(false)).count();
        assertThat(moved).as("children the ring gives to n4").isPositive();
        for (String id : ids) {
            assertThat((Object) node("n2").call(id, "get")).as("count of %s", id).isEqualTo(1 + load.answered.get(id).get());
        }
    }

    @Test
    void moveTakesAChildToTheNamedNodeWithItsStateAndPlacesItThere() throws Exception {
        String id = childrenOn("n2", 1).get(0);
        node("n3").call(id, "inc");
        node("n3").call(id, "inc");
        Load load = new Load(List.of(id), "n1", "n3");
        await().until(() -> load.total() > 50);

        // Asked through n1, of a child on n2, to go to n3 (which the ring does not name for it, or does).
        Pid there = node("n1").move(id, "n3");
        long then = load.total();
        await().until(() -> load.total() > then + 50);
        load.close();

        assertThat(there.node()).isEqualTo("n3");
        assertThat(load.failures).isEmpty();
        for (DistributedSupervisor n : nodes) {
            await().untilAsserted(() -> assertThat(n.whereis(id)).contains(there));
        }
        assertThat((Object) node("n2").call(id, "get")).isEqualTo(2 + load.answered.get(id).get());
        assertThat(node("n2").move(id, "n3")).as("already there").isEqualTo(there);
        // Placed there: when n3 closes, it moves by the ring again, with its state.
        node("n3").close();
        await().untilAsserted(() -> assertThat(node("n1").whereis(id)).hasValueSatisfying(p ->
                assertThat(p.node()).isIn("n1", "n2")));
        assertThat((Object) node("n1").call(id, "get")).isEqualTo(2 + load.answered.get(id).get());
    }

    @Test
    void moveRefusesAnUnknownNodeAndAnUnknownChild() {
        String id = childrenOn("n2", 1).get(0);
        assertThatThrownBy(() -> node("n1").move(id, "n9")).isInstanceOf(UnknownNodeException.class).hasMessageContaining("n9");
        assertThatThrownBy(() -> node("n1").move(uniqueId("nobody"), "n3")).isInstanceOf(NoSuchChildException.class);
        assertThat(node("n1").whereis(id)).hasValueSatisfying(p -> assertThat(p.node()).isEqualTo("n2"));
    }
}
