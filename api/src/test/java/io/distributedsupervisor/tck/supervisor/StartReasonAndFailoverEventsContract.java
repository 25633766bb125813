package io.distributedsupervisor.tck.supervisor;

import static io.distributedsupervisor.tck.supervisor.TestChildren.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.Child;
import io.distributedsupervisor.ChildContext;
import io.distributedsupervisor.ChildCrashedException;
import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.StartReason;
import io.distributedsupervisor.tck.supervisor.TestChildren.Counter;
import io.distributedsupervisor.spi.Listener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Why a child started, the failover report each node gives, and a child that would wait for its own stop. */
public abstract class StartReasonAndFailoverEventsContract extends HarnessContract {


    record Start(String node, Object id, Pid pid, StartReason reason) {
    }

    record FailoverReport(String node, List<String> lost, int children, Duration took) {
    }

    /** Records start reasons and failover reports, with the node that reported them. */
    static final class Recorder implements Listener {
        final String node;
        final List<Start> starts = new CopyOnWriteArrayList<>();
        final List<FailoverReport> failovers = new CopyOnWriteArrayList<>();

        Recorder(String node) {
            this.node = node;
        }

        @Override
        public void onProcessStart(String supervisor, Object id, Pid pid, StartReason reason) {
            starts.add(new Start(node, id, pid, reason));
        }

        @Override
        public void onFailover(String supervisor, List<String> lostNodes, int children, Duration took) {
            failovers.add(new FailoverReport(node, lostNodes, children, took));
        }
    }

    /** Answers "terminate-me" by terminating itself through the supervisor, and says what happened. */
    public static final class SelfTerminator implements Child {
        @Override
        public Object handleCall(Object request, ChildContext ctx) {
            try {
                return ctx.supervisor().terminateChild(ctx.id());
            } catch (IllegalStateException e) {
                return e.getMessage();
            }
        }
    }

    private List<DistributedSupervisor> nodes;
    private final Map<String, Recorder> recorders = new HashMap<>();

    @BeforeEach
    void start() {
        nodes = Nodes.start(harness, 3, (name, b) -> {
            Recorder r = new Recorder(name);
            recorders.put(name, r);
            return b.listeners(List.of(r));
        });
    }


    private List<Start> starts() {
        List<Start> all = new ArrayList<>();
        recorders.values().forEach(r -> all.addAll(r.starts));
        return all;
    }

    @Test
    void eachStartSaysWhyStartedRestartedOrTakenOver() {
        String id = uniqueId("why");
        Pid first = nodes.get(0).startChild(ChildSpec.of(Counter.class).withId(id)).pid();
        await().until(() -> starts().contains(new Start(first.node(), id, first, StartReason.STARTED)));

        assertThatThrownBy(() -> nodes.get(0).call(id, "crash")).isInstanceOf(ChildCrashedException.class);
        await().until(() -> starts().stream().anyMatch(s -> s.id().equals(id) && s.reason() == StartReason.RESTARTED
                && s.pid().incarnation().isNewerThan(first.incarnation()) && s.node().equals(first.node())));

        harness.crash(first.node());
        DistributedSupervisor survivor = nodes.stream().filter(n -> !n.node().equals(first.node())).findFirst()
                .orElseThrow();
        await().until(() -> survivor.whereis(id).map(p -> !p.node().equals(first.node())).orElse(false));
        Pid moved = survivor.whereis(id).orElseThrow();
        await().until(() -> starts().contains(new Start(moved.node(), id, moved, StartReason.TAKEN_OVER)));
    }

    @Test
    void everyNodeThatTookOverReportsTheFailoverWithItsCountAndDuration() {
        for (int i = 0; i < 300; i++) {
            nodes.get(0).startChild(ChildSpec.of(Counter.class).withId(uniqueId("f")));
        }
        // children() reads this node's own copy of the registry: wait until it has every start
        await().atMost(Duration.ofSeconds(5)).until(() -> nodes.get(0).children().size() == 300);
        String victim = "n3";
        long onVictim = nodes.get(0).children().values().stream().filter(p -> p.node().equals(victim)).count();
        assertThat(onVictim).isPositive();

        harness.crash(victim);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            List<FailoverReport> reports = new ArrayList<>();
            recorders.get("n1").failovers.forEach(reports::add);
            recorders.get("n2").failovers.forEach(reports::add);
            assertThat(reports).allSatisfy(r -> {
                assertThat(r.lost()).containsExactly(victim);
                assertThat(r.children()).isPositive();
                assertThat(r.took()).isPositive();
            });
            assertThat(reports.stream().mapToInt(FailoverReport::children).sum()).isEqualTo((int) onVictim);
        });
        assertThat(recorders.get(victim).failovers).isEmpty();
    }

    @Test
    void aChildCannotTerminateItselfThroughTheSupervisor() {
        String id = uniqueId("self");
        nodes.get(1).startChild(ChildSpec.of(SelfTerminator.class).withId(id));
        String answer = nodes.get(0).call(id, "terminate-me");
        assertThat(answer).contains("terminate itself").contains("ChildContext.stop()");
        assertThat(nodes.get(2).whereis(id)).isPresent();
    }
}
