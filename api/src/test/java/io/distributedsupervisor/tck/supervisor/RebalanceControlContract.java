package io.distributedsupervisor.tck.supervisor;

import static io.distributedsupervisor.tck.supervisor.TestChildren.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.ExitReason;
import io.distributedsupervisor.MoveCause;
import io.distributedsupervisor.MoveDecision;
import io.distributedsupervisor.MoveOutcome;
import io.distributedsupervisor.MoveVeto;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.Rebalance;
import io.distributedsupervisor.Restart;
import io.distributedsupervisor.StartResult;
import io.distributedsupervisor.SupervisorOptions;
import io.distributedsupervisor.spi.Listener;
import io.distributedsupervisor.spi.ListenerEvent;
import io.distributedsupervisor.tck.supervisor.TestChildren.Counter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Controlled rebalancing: every planned move goes through the node's move gate, which pauses,
 * rate-limits and asks the {@link MoveVeto}; {@code rebalance()} moves children to their ring
 * node on an operator's request; each move ends in one move event with its cause.
 */
public abstract class RebalanceControlContract extends HarnessContract {

    protected static final Duration WAIT = Duration.ofSeconds(30);

    /** A move event with the thread the listener ran on. */
    public record Moved(ListenerEvent.Move event, Thread thread) {
    }

    /** Records every move event. */
    public static final class Moves implements Listener {
        private final List<Moved> sink;

        public Moves(List<Moved> sink) {
            this.sink = sink;
        }

        @Override
        public void onEvent(ListenerEvent event) {
            if (event instanceof ListenerEvent.Move m) {
                sink.add(new Moved(m, Thread.currentThread()));
            }
        }
    }

    protected List<Moved> moves;
    /** What the test's veto answers, by id (default ALLOW); ids in {@link #throwing} make it throw. */
    protected Map<Object, MoveDecision> answers;
    protected Set<Object> throwing;
    protected List<DistributedSupervisor> nodes;

    @BeforeEach
    void setUp() {
        moves = new CopyOnWriteArrayList<>();
        answers = new ConcurrentHashMap<>();
        throwing = ConcurrentHashMap.newKeySet();
    }

    private final MoveVeto veto = (id, from, to, cause) -> {
        if (throwing.contains(id)) {
            throw new IllegalStateException("a veto that throws, for " + id);
        }
        return answers.getOrDefault(id, MoveDecision.ALLOW);
    };

    private SupervisorOptions.Builder options(String name, UnaryOperator<SupervisorOptions.Builder> custom) {
        return custom.apply(Nodes.options(name).moveVeto(veto).listeners(List.of(new Moves(moves))));
    }

    private void startNodes(int n, UnaryOperator<SupervisorOptions.Builder> custom) {
        nodes = new ArrayList<>(Nodes.start(harness, n, (name, b) -> custom.apply(
                b.moveVeto(veto).listeners(List.of(new Moves(moves))))));
    }

    private DistributedSupervisor join(String name, UnaryOperator<SupervisorOptions.Builder> custom) {
        DistributedSupervisor d = harness.start(options(name, custom));
        nodes.add(d);
        Nodes.awaitRing(nodes, nodes.stream().map(DistributedSupervisor::node).sorted().toList());
        return d;
    }

    private static UnaryOperator<SupervisorOptions.Builder> active() {
        return b -> b.monitorNodes(true).rebalance(Rebalance.ACTIVE);
    }

    private Map<Object, Pid> startMany(int count, String prefix) {
        Map<Object, Pid> started = new HashMap<>();
        for (int i = 0; i < count; i++) {
            StartResult r = nodes.get(i % nodes.size()).startChild(ChildSpec.of(Counter.class).withId(prefix + "-" + i));
            started.put(r.id(), r.pid());
        }
        return started;
    }

    private Set<Object> placedOn(Set<Object> ids, String node) {
        return ids.stream().filter(id -> nodes.get(0).nodeFor(id).equals(node)).collect(Collectors.toSet());
    }

    private List<ListenerEvent.Move> moveEvents(MoveOutcome outcome) {
        return moves.stream().map(Moved::event).filter(e -> e.outcome() == outcome).toList();
    }

    /** Every id runs exactly once, on the node the ring names, as every node sees it. */
    private void awaitWhereTheRingSays(Set<Object> ids) {
        await().atMost(WAIT).untilAsserted(() -> {
            List<Object> local = new ArrayList<>();
            nodes.forEach(n -> n.localChildren().stream().map(Pid::id).filter(ids::contains).forEach(local::add));
            assertThat(local).as("running copies").hasSize(ids.size());
            assertThat(new HashSet<>(local)).as("distinct ids").hasSize(ids.size());
            for (DistributedSupervisor n : nodes) {
                Map<Object, Pid> children = n.children();
                for (Object id : ids) {
                    assertThat(children.get(id)).as("%s on %s", id, n.node()).isNotNull();
                    assertThat(children.get(id).node()).as("%s on %s", id, n.node()).isEqualTo(n.nodeFor(id));
                }
            }
        });
    }

    /** Move events come from the listener thread, never a child's or the test's (the caller's). */
    private void assertListenerThreads() {
        Thread caller = Thread.currentThread();
        assertThat(moves).allSatisfy(m -> {
            assertThat(m.thread()).isNotSameAs(caller);
            assertThat(m.thread().getName()).startsWith("ds-listeners-");
        });
    }

    @Test
    void pausedNodesMoveNothingOnAnActiveJoinUntilTheyResume() {
        startNodes(3, active());
        Map<Object, Pid> started = startMany(150, uniqueId("paused"));
        nodes.forEach(DistributedSupervisor::pauseRebalancing);
        assertThat(nodes).allSatisfy(n -> assertThat(n.isRebalancingPaused()).isTrue());

        DistributedSupervisor n4 = join("n4", active());
        Set<Object> toN4 = placedOn(started.keySet(), "n4");
        assertThat(toN4).isNotEmpty();
        await().during(Duration.ofMillis(500)).atMost(WAIT).untilAsserted(() -> {
            assertThat(n4.localChildren()).isEmpty();
            assertThat(nodes.get(0).children()).isEqualTo(started);
            assertThat(moves).isEmpty();
        });

        nodes.forEach(DistributedSupervisor::resumeRebalancing);
        assertThat(nodes).allSatisfy(n -> assertThat(n.isRebalancingPaused()).isFalse());
        awaitWhereTheRingSays(started.keySet());
        assertThat(n4.localChildren()).extracting(Pid::id).containsExactlyInAnyOrderElementsOf(toN4);
        await().atMost(WAIT).until(() -> moveEvents(MoveOutcome.MOVED).size() == toN4.size());
        assertThat(moveEvents(MoveOutcome.MOVED)).allSatisfy(e -> {
            assertThat(e.cause()).isEqualTo(MoveCause.JOIN);
            assertThat(e.to()).isEqualTo("n4");
            assertThat(e.from()).isEqualTo(e.node()).isEqualTo(started.get(e.id()).node());
            assertThat(TestChildren.terminated(e.id())).containsExactly(ExitReason.migrated());
        });
        assertThat(moveEvents(MoveOutcome.MOVED)).extracting(ListenerEvent.Move::id).containsExactlyInAnyOrderElementsOf(toN4);
        assertListenerThreads();
    }

    @Test
    void aVetoKeepsTheChildItVetoesADelayedMoveHappensOnceAllowedAndAThrowingVetoAllows() {
        startNodes(3, active());
        Map<Object, Pid> started = startMany(150, uniqueId("veto"));
        nodes.forEach(DistributedSupervisor::pauseRebalancing);
        DistributedSupervisor n4 = join("n4", active());
        List<Object> toN4 = List.copyOf(placedOn(started.keySet(), "n4"));
        assertThat(toN4).hasSizeGreaterThan(3);
        Object vetoed = toN4.get(0);
        Object inTransaction = toN4.get(1);
        Object boom = toN4.get(2);
        answers.put(vetoed, MoveDecision.VETO);
        answers.put(inTransaction, MoveDecision.delay(Duration.ofMillis(50)));
        throwing.add(boom);

        nodes.forEach(DistributedSupervisor::resumeRebalancing);
        Set<Object> free = new HashSet<>(toN4);
        free.remove(vetoed);
        free.remove(inTransaction);
        await().atMost(WAIT).untilAsserted(() -> assertThat(n4.localChildren()).extracting(Pid::id)
                .containsExactlyInAnyOrderElementsOf(free));
        await().atMost(WAIT).until(() -> !moveEvents(MoveOutcome.VETOED).isEmpty());
        assertThat(moveEvents(MoveOutcome.VETOED)).allSatisfy(e -> {
            assertThat(e.id()).isEqualTo(vetoed);
            assertThat(e.cause()).isEqualTo(MoveCause.JOIN);
            assertThat(e.to()).isEqualTo("n4");
        });
        await().during(Duration.ofMillis(300)).atMost(WAIT).untilAsserted(() -> {
            assertThat(nodes.get(0).whereis(inTransaction)).as("delayed while in its transaction").contains(started.get(inTransaction));
            assertThat(nodes.get(0).whereis(vetoed)).as("vetoed").contains(started.get(vetoed));
        });

        answers.remove(inTransaction); // the transaction ended: the next ask allows it
        await().atMost(WAIT).until(() -> nodes.get(0).whereis(inTransaction).map(p -> p.node().equals("n4")).orElse(false));
        assertThat(nodes.get(0).whereis(vetoed)).contains(started.get(vetoed));
        assertThat(TestChildren.terminated(vetoed)).isEmpty();
        assertThat(moveEvents(MoveOutcome.MOVED)).extracting(ListenerEvent.Move::id)
                .doesNotContain(vetoed).contains(inTransaction, boom);
        assertThat(nodes.get(3).<Integer>call(inTransaction, "get")).isZero();
    }

    @Test
    void rebalanceOnAPassiveClusterMovesChildrenToTheirRingNodeOnly() {
        startNodes(3, b -> b);
        Map<Object, Pid> started = startMany(150, uniqueId("explicit"));
        String pinned = uniqueId("pinned");
        nodes.get(0).startChild(ChildSpec.of(Counter.class).withId(pinned), "n1");
        List<Object> temporary = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            temporary.add(nodes.get(0).startChild(ChildSpec.of(Counter.class).withId(uniqueId("temporary"))
                    .withRestart(Restart.TEMPORARY)).id());
        }
        Map<Object, Pid> before = nodes.get(0).children();

        DistributedSupervisor n4 = join("n4", b -> b);
        Set<Object> toN4 = placedOn(started.keySet(), "n4");
        assertThat(toN4).isNotEmpty();
        await().during(Duration.ofMillis(300)).atMost(WAIT).untilAsserted(() -> assertThat(n4.localChildren()).isEmpty());

        int queued = nodes.stream().mapToInt(DistributedSupervisor::rebalance).sum();
        assertThat(queued).isEqualTo(toN4.size());
        awaitWhereTheRingSays(started.keySet());
        assertThat(n4.localChildren()).extracting(Pid::id).containsExactlyInAnyOrderElementsOf(toN4);
        for (Object id : started.keySet()) {
            if (!toN4.contains(id)) {
                assertThat(nodes.get(0).whereis(id)).as("not moved").contains(started.get(id));
            }
        }
        assertThat(nodes.get(0).whereis(pinned)).as("an explicit node is kept").contains(before.get(pinned));
        for (Object id : temporary) {
            assertThat(nodes.get(0).whereis(id)).as("a TEMPORARY child has no stored spec to move").contains(before.get(id));
        }
        await().atMost(WAIT).until(() -> moveEvents(MoveOutcome.MOVED).size() == toN4.size());
        assertThat(moves).extracting(m -> m.event().cause()).containsOnly(MoveCause.EXPLICIT);
        assertThat(moves).extracting(m -> m.event().outcome()).containsOnly(MoveOutcome.MOVED);
        assertThat(nodes.stream().mapToInt(DistributedSupervisor::rebalance).sum()).as("all in place").isZero();
        assertListenerThreads();
    }

    /**
     * With {@code maxMovesPerSecond(20)}, 100 moves out of one node start at most 20 within any one
     * second, measured with the start times (on the node's ticker) of the move events; the
     * measured rate is printed.
     */
    @Test
    void theRateLimitHoldsOverAnyOneSecondWindow() {
        int rate = 20;
        int count = 100;
        UnaryOperator<SupervisorOptions.Builder> limited = b -> b.maxMovesPerSecond(rate);
        startNodes(2, limited);
        List<Object> ids = new ArrayList<>();
        String prefix = uniqueId("rate");
        for (int i = 0; ids.size() < count; i++) {
            if (nodes.get(0).nodeFor(prefix + "-" + i).equals("n2")) {
                ids.add(prefix + "-" + i);
            }
        }
        harness.stop("n2");
        nodes.remove(1);
        Nodes.awaitRing(nodes, List.of("n1"));
        for (Object id : ids) {
            assertThat(nodes.get(0).startChild(ChildSpec.of(Counter.class).withId(id)).pid().node()).isEqualTo("n1");
        }
        join("n2", limited);

        assertThat(nodes.get(0).rebalance()).isEqualTo(count);
        awaitWhereTheRingSays(Set.copyOf(ids));
        await().atMost(WAIT).until(() -> moveEvents(MoveOutcome.MOVED).size() == count);

        List<Long> starts = moveEvents(MoveOutcome.MOVED).stream().map(ListenerEvent.Move::startedAtNanos).sorted().toList();
        int most = 0;
        for (int i = 0, j = 0; i < starts.size(); i++) {
            while (starts.get(i) - starts.get(j) >= 1_000_000_000L) {
                j++;
            }
            most = Math.max(most, i - j + 1);
        }
        double seconds = (starts.get(count - 1) - starts.get(0)) / 1e9;
        System.out.printf("[%s] %d moves at maxMovesPerSecond=%d: most started within any one second %d, first to last "
                + "start %.3f s (%.1f moves/s)%n", getClass().getSimpleName(), count, rate, most, seconds, (count - 1) / seconds);
        assertThat(most).as("moves started within one second").isLessThanOrEqualTo(rate);
        assertThat(moves).extracting(m -> m.event().cause()).containsOnly(MoveCause.EXPLICIT);
    }
}
