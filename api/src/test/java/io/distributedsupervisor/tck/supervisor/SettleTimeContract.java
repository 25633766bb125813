package io.distributedsupervisor.tck.supervisor;

import static io.distributedsupervisor.tck.supervisor.TestChildren.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.Rebalance;
import io.distributedsupervisor.Restart;
import io.distributedsupervisor.StartResult;
import io.distributedsupervisor.SupervisorOptions;
import io.distributedsupervisor.Ticker;
import io.distributedsupervisor.tck.supervisor.TestChildren.Counter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The settle time ({@code SupervisorOptions.settleTime}): after every node of a cluster closed and
 * the nodes start again one after another, the children are shared by the ring, not taken by the
 * first node up; a node alone still starts them all once its settle time is over; a failover in a
 * running cluster, and a {@code startChild}, never wait for it.
 */
public abstract class SettleTimeContract extends HarnessContract {
    private static final Duration WAIT = Duration.ofSeconds(20);
    /**
     * Long enough for three nodes to start one after another on a loaded machine (a node on a real
     * ZooKeeper takes a few hundred milliseconds); the restart tests take about this long.
     */
    private static final Duration SETTLE = Duration.ofSeconds(5);
    /** Longer than any wait of these tests: what finishes within {@link #WAIT} did not wait for it. */
    private static final Duration LONG_SETTLE = Duration.ofSeconds(60);
    private static final List<String> THREE = List.of("n1", "n2", "n3");

    /** Starts {@code names} one after another with these options, and waits until every ring has them all. */
    private List<DistributedSupervisor> startNodes(List<String> names, UnaryOperator<SupervisorOptions.Builder> custom) {
        List<DistributedSupervisor> nodes = new ArrayList<>();
        for (String name : names) {
            nodes.add(harness.start(custom.apply(Nodes.options(name))));
        }
        Nodes.awaitRing(nodes, names);
        return nodes;
    }

    private static Set<Object> startMany(List<DistributedSupervisor> through, int count, String prefix) {
        Set<Object> ids = new HashSet<>();
        for (int i = 0; i < count; i++) {
            StartResult r = through.get(i % through.size())
                    .startChild(ChildSpec.of(Counter.class).withId(prefix + "-" + i).withRestart(Restart.PERMANENT));
            ids.add(r.id());
        }
        return ids;
    }

    /** Closes every node, the last one first; their specs stay stored, and nothing runs any more. */
    private void closeAll(List<DistributedSupervisor> nodes) {
        for (DistributedSupervisor n : nodes.reversed()) {
            harness.stop(n.node());
        }
    }

    private static Map<Object, Integer> initsOf(Set<Object> ids) {
        Map<Object, Integer> inits = new HashMap<>();
        ids.forEach(id -> inits.put(id, TestChildren.inits(id)));
        return inits;
    }

    /** Every id runs exactly once among {@code live}, and every node's registry shows it. */
    private static void awaitRunningExactlyOnce(List<DistributedSupervisor> live, Set<Object> ids) {
        await().atMost(WAIT).untilAsserted(() -> {
            List<Object> running = new ArrayList<>();
            live.forEach(n -> n.localChildren().stream().map(Pid::id).filter(ids::contains).forEach(running::add));
            assertThat(running).as("running copies").hasSize(ids.size());
            assertThat(new HashSet<>(running)).as("distinct ids").hasSize(ids.size());
            for (DistributedSupervisor n : live) {
                assertThat(n.children().keySet()).as("children() on %s", n.node()).containsAll(ids);
            }
        });
    }

    /** How many of {@code ids} each node runs, and how many the ring of {@code via} gives it. */
    private static void assertSpreadAsTheRingSays(List<DistributedSupervisor> live, Set<Object> ids) {
        DistributedSupervisor via = live.get(0);
        Map<String, Long> expected = ids.stream().collect(Collectors.groupingBy(via::nodeFor, Collectors.counting()));
        for (DistributedSupervisor n : live) {
            long runs = n.localChildren().stream().map(Pid::id).filter(ids::contains).count();
            long share = expected.getOrDefault(n.node(), 0L);
            assertThat(share).as("the ring's share of %s", n.node()).isPositive();
            assertThat(runs).as("children on %s (the ring gives it %s of %s)", n.node(), share, ids.size())
                    .isCloseTo(share, withinPercentage(10));
        }
    }

    @Test
    void aWholeClusterRestartSharesTheChildrenByTheRing() {
        List<DistributedSupervisor> before = startNodes(THREE, b -> b.settleTime(SETTLE));
        Set<Object> ids = startMany(before, 300, uniqueId("restart"));
        closeAll(before);

        List<DistributedSupervisor> after = startNodes(THREE, b -> b.settleTime(SETTLE));
        awaitRunningExactlyOnce(after, ids);
        assertSpreadAsTheRingSays(after, ids);
        for (Object id : List.copyOf(ids).subList(0, 30)) {
            assertThat(after.get(2).<Integer>call(id, "get")).isZero();
        }
    }

    /**
     * With ACTIVE rebalance the children would reach their ring nodes anyway, by moves; the
     * settle time spares those: each child starts once, where the ring says.
     */
    @Test
    void aWholeClusterRestartWithActiveRebalanceStartsEachChildOnceWhereTheRingSays() {
        UnaryOperator<SupervisorOptions.Builder> active = b -> b.settleTime(SETTLE).monitorNodes(true)
                .rebalance(Rebalance.ACTIVE);
        List<DistributedSupervisor> before = startNodes(THREE, active);
        Set<Object> ids = startMany(before, 300, uniqueId("restart-active"));
        closeAll(before);
        Map<Object, Integer> initsBefore = initsOf(ids);

        List<DistributedSupervisor> after = startNodes(THREE, active);
        awaitRunningExactlyOnce(after, ids);
        assertSpreadAsTheRingSays(after, ids);
        for (DistributedSupervisor n : after) {
            for (Pid p : n.localChildren()) {
                assertThat(p.node()).as("%s", p.id()).isEqualTo(n.nodeFor(p.id()));
            }
        }
        assertThat(initsOf(ids)).as("one init per child since the restart: none moved")
                .allSatisfy((id, inits) -> assertThat(inits).isEqualTo(initsBefore.get(id) + 1));
    }

    @Test
    void aLoneNodeStartsEveryChildOnceItsSettleTimeIsOver() {
        Duration settle = Duration.ofSeconds(1);
        List<DistributedSupervisor> before = startNodes(THREE, b -> b.settleTime(settle));
        Set<Object> ids = startMany(before, 90, uniqueId("lone"));
        closeAll(before);

        DistributedSupervisor n2 = harness.start(Nodes.options("n2").settleTime(settle));
        awaitRunningExactlyOnce(List.of(n2), ids);
        assertThat(n2.localChildren()).hasSize(90);
    }

    /** A clock that moves only when told to. */
    private static final class ManualTicker implements Ticker {
        private final AtomicLong now = new AtomicLong();

        @Override
        public long read() {
            return now.get();
        }

        void advance(Duration d) {
            now.addAndGet(d.toNanos());
        }
    }

    /**
     * The settle time is measured on the injected ticker: while it has not moved, the node holds
     * what it found (and still starts what a user asks for at once); moved past the settle time,
     * the next pass (a short reconcile interval here) starts them all.
     */
    @Test
    void aSettlingNodeHoldsWhatItFoundUntilItsTickerPassesTheSettleTimeButStartsNewChildrenAtOnce() {
        List<DistributedSupervisor> before = startNodes(THREE, b -> b);
        Set<Object> ids = startMany(before, 60, uniqueId("held"));
        closeAll(before);

        ManualTicker ticker = new ManualTicker();
        DistributedSupervisor n1 = harness.start(Nodes.options("n1").settleTime(LONG_SETTLE).ticker(ticker)
                .reconcileInterval(Duration.ofMillis(100)));
        await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> n1.localChildren().isEmpty());
        assertThat(n1.children()).isEmpty();

        String fresh = uniqueId("fresh");
        StartResult r = n1.startChild(ChildSpec.of(Counter.class).withId(fresh));
        assertThat(n1.localChildren()).containsExactly(r.pid());
        assertThat(n1.<Integer>call(fresh, "inc")).isEqualTo(1);

        ticker.advance(LONG_SETTLE);
        Set<Object> all = new HashSet<>(ids);
        all.add(fresh);
        awaitRunningExactlyOnce(List.of(n1), all);
    }

    /**
     * Every node is within its (long) settle time here, the newest one too: the children of a node
     * that dies, or that closes, are still started again at once, since each node saw them lose their owner.
     */
    @Test
    void aFailoverInARunningClusterDoesNotWaitForTheSettleTime() {
        List<DistributedSupervisor> nodes = new ArrayList<>(startNodes(THREE, b -> b.settleTime(LONG_SETTLE)));
        Set<Object> ids = startMany(nodes, 300, uniqueId("failover"));
        nodes.add(harness.start(Nodes.options("n4").settleTime(LONG_SETTLE)));
        Nodes.awaitRing(nodes, List.of("n1", "n2", "n3", "n4"));

        harness.crash("n2");
        List<DistributedSupervisor> survivors = nodes.stream().filter(n -> !n.node().equals("n2")).toList();
        Nodes.awaitRing(survivors, List.of("n1", "n3", "n4"));
        awaitRunningExactlyOnce(survivors, ids);
        assertThat(survivors.get(2).localChildren()).as("the newest node took its share of n2's").isNotEmpty();

        harness.stop("n3");
        List<DistributedSupervisor> last = List.of(nodes.get(0), nodes.get(3));
        Nodes.awaitRing(last, List.of("n1", "n4"));
        awaitRunningExactlyOnce(last, ids);
    }

    /** With the nodes option the ring is complete once every node listed is live: no need to wait longer. */
    @Test
    void withTheNodesOptionTheSettleTimeEndsOnceEveryListedNodeIsLive() {
        UnaryOperator<SupervisorOptions.Builder> listed = b -> b.settleTime(LONG_SETTLE).nodes(THREE);
        List<DistributedSupervisor> before = startNodes(THREE, listed);
        Set<Object> ids = startMany(before, 150, uniqueId("listed"));
        closeAll(before);

        List<DistributedSupervisor> after = startNodes(THREE, listed);
        awaitRunningExactlyOnce(after, ids);
        for (DistributedSupervisor n : after) {
            for (Pid p : n.localChildren()) {
                assertThat(p.node()).as("%s", p.id()).isEqualTo(n.nodeFor(p.id()));
            }
        }
    }
}
