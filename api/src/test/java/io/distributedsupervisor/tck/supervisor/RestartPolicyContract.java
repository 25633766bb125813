package io.distributedsupervisor.tck.supervisor;

import static io.distributedsupervisor.tck.supervisor.TestChildren.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.ChildCrashedException;
import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.ExitReason;
import io.distributedsupervisor.NoSuchChildException;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.Restart;
import io.distributedsupervisor.StartResult;
import io.distributedsupervisor.tck.supervisor.TestChildren.Counter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** PERMANENT, TRANSIENT, TEMPORARY and the restart intensity, on one node and on three. */
public abstract class RestartPolicyContract extends HarnessContract {

    private List<DistributedSupervisor> nodes;
    private List<Events.Event> events;

    @BeforeEach
    void setUp() {
        events = Events.sink();
    }


    private void startNodes(int n) {
        nodes = Nodes.start(harness, n, (name, b) -> b.maxRestarts(3).maxRestartWindow(Duration.ofSeconds(10))
                .listeners(List.of(new Events(name, events))));
    }

    private DistributedSupervisor via() {
        return nodes.get(nodes.size() - 1);
    }

    private StartResult start(Class<?> type, Restart restart) {
        String id = uniqueId(type.getSimpleName() + "-" + restart);
        return nodes.get(0).startChild(ChildSpec.of(type).withId(id).withRestart(restart));
    }

    private Pid awaitNewPid(Object id, Pid old) {
        await().atMost(Duration.ofSeconds(5)).until(() -> nodes.stream().allMatch(n ->
                n.whereis(id).filter(p -> p.incarnation().isNewerThan(old.incarnation())).isPresent()));
        return nodes.get(0).whereis(id).orElseThrow();
    }

    private void awaitGone(Object id) {
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            for (DistributedSupervisor n : nodes) {
                assertThat(n.whereis(id)).as("whereis on %s", n.node()).isEmpty();
                assertThat(n.children()).as("children on %s", n.node()).doesNotContainKey(id);
            }
        });
        assertThatThrownBy(() -> via().call(id, "get")).isInstanceOf(NoSuchChildException.class);
        assertThat(via().send(id, "inc")).isFalse();
    }

    @ParameterizedTest(name = "{0} node(s)")
    @ValueSource(ints = {1, 3})
    void permanentChildComesBackAfterACrashWithANewPidAndFreshState(int n) {
        startNodes(n);
        StartResult r = start(Counter.class, Restart.PERMANENT);
        Object id = r.id();
        via().call(id, "inc");
        via().call(id, "inc");

        assertThatThrownBy(() -> via().call(id, "crash")).isInstanceOf(ChildCrashedException.class);

        Pid fresh = awaitNewPid(id, r.pid());
        assertThat(fresh).isNotEqualTo(r.pid());
        assertThat(fresh.node()).as("restarted in place").isEqualTo(r.pid().node());
        assertThat(fresh.incarnation().isNewerThan(r.pid().incarnation())).isTrue();
        assertThat(via().<Integer>call(id, "get")).isZero();
        assertThat(via().<Pid>call(id, "pid")).as("ctx.pid() is the new pid").isEqualTo(fresh);
        assertThat(TestChildren.inits(id)).isEqualTo(2);
        assertThat(TestChildren.terminated(id)).singleElement()
                .extracting(ExitReason::kind).isEqualTo(ExitReason.Kind.ERROR);
    }

    @ParameterizedTest(name = "{0} node(s)")
    @ValueSource(ints = {1, 3})
    void permanentChildComesBackAfterANormalExit(int n) {
        startNodes(n);
        StartResult r = start(Counter.class, Restart.PERMANENT);
        assertThat(via().<String>call(r.id(), "stop")).isEqualTo("stopping");
        awaitNewPid(r.id(), r.pid());
        assertThat(via().<Integer>call(r.id(), "get")).isZero();
        assertThat(TestChildren.terminated(r.id())).singleElement().isEqualTo(ExitReason.normal());
    }

    @ParameterizedTest(name = "{0} node(s)")
    @ValueSource(ints = {1, 3})
    void transientChildIsGoneAfterANormalExit(int n) {
        startNodes(n);
        StartResult r = start(Counter.class, Restart.TRANSIENT);
        assertThat(via().<String>call(r.id(), "stop")).isEqualTo("stopping");
        awaitGone(r.id());
        assertThat(TestChildren.terminated(r.id())).singleElement().isEqualTo(ExitReason.normal());
        assertThat(TestChildren.inits(r.id())).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> !Events.of(events, "stop", e -> e.subject().equals(r.id())).isEmpty());
        assertThat(Events.of(events, "stop", e -> e.subject().equals(r.id()))).singleElement().satisfies(e -> {
            assertThat(e.reason()).isEqualTo(ExitReason.normal());
            assertThat(e.pid()).isEqualTo(r.pid());
        });
    }

    @ParameterizedTest(name = "{0} node(s)")
    @ValueSource(ints = {1, 3})
    void transientChildIsRestartedAfterACrashOrAnAbnormalStop(int n) {
        startNodes(n);
        StartResult r = start(Counter.class, Restart.TRANSIENT);
        assertThatThrownBy(() -> via().call(r.id(), "crash")).isInstanceOf(ChildCrashedException.class);
        Pid second = awaitNewPid(r.id(), r.pid());
        assertThat(via().<String>call(r.id(), "stop-custom")).isEqualTo("stopping");
        awaitNewPid(r.id(), second);
        assertThat(via().<Integer>call(r.id(), "inc")).isEqualTo(1);
        assertThat(TestChildren.terminated(r.id())).extracting(ExitReason::kind)
                .containsExactly(ExitReason.Kind.ERROR, ExitReason.Kind.CUSTOM);
        assertThat(TestChildren.terminated(r.id()).get(1).detail()).isEqualTo("my reason");
    }

    @ParameterizedTest(name = "{0} node(s)")
    @ValueSource(ints = {1, 3})
    void temporaryChildIsGoneAfterACrash(int n) {
        startNodes(n);
        StartResult r = start(Counter.class, Restart.TEMPORARY);
        assertThatThrownBy(() -> via().call(r.id(), "crash")).isInstanceOf(ChildCrashedException.class);
        awaitGone(r.id());
        assertThat(TestChildren.inits(r.id())).isEqualTo(1);
        assertThat(TestChildren.terminated(r.id())).singleElement().extracting(ExitReason::kind).isEqualTo(ExitReason.Kind.ERROR);
    }

    @ParameterizedTest(name = "{0} node(s)")
    @ValueSource(ints = {1, 3})
    void temporaryChildIsGoneAfterANormalExit(int n) {
        startNodes(n);
        StartResult r = start(Counter.class, Restart.TEMPORARY);
        via().cast(r.id(), "stop");
        awaitGone(r.id());
    }

    @ParameterizedTest(name = "{0} node(s)")
    @ValueSource(ints = {1, 3})
    void childThatCrashesAtEveryCallIsGivenUpAfterMaxRestarts(int n) {
        startNodes(n);
        StartResult r = start(TestChildren.Crasher.class, Restart.PERMANENT);
        Object id = r.id();
        int crashes = 0;
        for (int i = 0; i < 10; i++) {
            try {
                via().call(id, "anything");
            } catch (ChildCrashedException e) {
                crashes++;
                continue;
            } catch (NoSuchChildException e) {
                break;
            }
        }
        assertThat(crashes).as("3 restarts allowed: the 4th crash gives it up").isEqualTo(4);
        awaitGiveUp(r);
    }

    @ParameterizedTest(name = "{0} node(s)")
    @ValueSource(ints = {1, 3})
    void crashLoopWithoutAnyCallerIsGivenUp(int n) {
        startNodes(n);
        StartResult r = start(TestChildren.CrashLoop.class, Restart.PERMANENT);
        awaitGiveUp(r);
    }

    @ParameterizedTest(name = "{0} node(s)")
    @ValueSource(ints = {1, 3})
    void messagesSentAfterTheCallerSawTheCrashReachTheNextIncarnation(int n) {
        startNodes(n);
        StartResult r = start(TestChildren.SlowTerminate.class, Restart.PERMANENT);
        Object id = r.id();
        assertThatThrownBy(() -> via().call(id, "crash")).isInstanceOf(ChildCrashedException.class);
        via().cast(id, "inc");               // arrives while the crashed incarnation's terminate runs
        assertThat(via().send(id, "inc")).isTrue();
        assertThat(via().<Integer>call(id, "get")).as("both reached the new incarnation").isEqualTo(2);

        assertThat(via().<String>call(id, "stop")).isEqualTo("stopping");
        via().cast(id, "inc");               // after a normal exit of a PERMANENT child, likewise
        assertThat(via().<Integer>call(id, "get")).isEqualTo(1);
        assertThat(TestChildren.inits(id)).isEqualTo(3);
    }

    private void awaitGiveUp(StartResult r) {
        Object id = r.id();
        awaitGone(id);
        await().atMost(Duration.ofSeconds(5)).until(() ->
                !Events.of(events, "stop", e -> e.subject().equals(id) && e.reason().kind() == ExitReason.Kind.GIVEN_UP).isEmpty());
        List<Events.Event> givenUp = Events.of(events, "stop",
                e -> e.subject().equals(id) && e.reason().kind() == ExitReason.Kind.GIVEN_UP);
        assertThat(givenUp).singleElement().satisfies(e -> {
            assertThat(e.onNode()).as("reported where it lived").isEqualTo(r.pid().node());
            assertThat(e.reason().cause()).hasMessageContaining("crash");
        });
        assertThat(TestChildren.inits(id)).as("first start and 3 restarts").isEqualTo(4);
        // the spec is gone cluster-wide: the id can be used again
        StartResult again = nodes.get(0).startChild(ChildSpec.of(Counter.class).withId(id));
        Nodes.awaitSeenEverywhere(nodes, again.pid()); // whereis reads each node's own copy of the registry
        assertThat(via().<Integer>call(id, "get")).isZero();
        assertThat(via().whereis(id)).contains(again.pid());
    }
}
