package io.distributedsupervisor.tck.supervisor;

import static io.distributedsupervisor.tck.supervisor.TestChildren.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.ChildCrashedException;
import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.ChildStatus;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.ExitReason;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.StartResult;
import io.distributedsupervisor.tck.supervisor.Events.Event;
import io.distributedsupervisor.tck.supervisor.TestChildren.Counter;
import io.distributedsupervisor.spi.Listener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Which node fires which listener event, on which thread, and what filters and throwing listeners do. */
public abstract class ListenerEventsContract extends HarnessContract {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private List<Event> events;

    @BeforeEach
    void setUp() {
        events = Events.sink();
    }


    private List<DistributedSupervisor> startNodes(int n, boolean monitor) {
        return Nodes.start(harness, n, (name, b) -> b.monitorNodes(monitor).listeners(List.of(new Events(name, events))));
    }

    private DistributedSupervisor startNode(String name, boolean monitor) {
        return harness.start(Nodes.options(name).monitorNodes(monitor).listeners(List.of(new Events(name, events))));
    }

    private static DistributedSupervisor named(List<DistributedSupervisor> nodes, String name) {
        return nodes.stream().filter(n -> n.node().equals(name)).findFirst().orElseThrow();
    }

    private List<Event> processEvents(String type, Object id) {
        return Events.of(events, type, e -> e.subject().equals(id));
    }

    @Test
    void processEventsFireOnTheNodeWhereTheProcessLivesOnly() {
        List<DistributedSupervisor> nodes = startNodes(3, false);
        Thread caller = Thread.currentThread();
        List<StartResult> started = new ArrayList<>();
        for (DistributedSupervisor on : nodes) {
            started.add(nodes.get(0).startChild(ChildSpec.of(Counter.class).withId(uniqueId("ev-" + on.node())), on.node()));
        }
        StartResult crashed = started.get(1);
        assertThatThrownBy(() -> nodes.get(0).call(crashed.id(), "crash")).isInstanceOf(ChildCrashedException.class);
        StartResult terminated = started.get(2);
        assertThat(nodes.get(0).terminateChild(terminated.pid())).isTrue();

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(processEvents("start", crashed.id())).hasSize(2);
            assertThat(processEvents("stop", crashed.id())).hasSize(1);
            assertThat(processEvents("stop", terminated.id())).hasSize(1);
        });
        for (StartResult r : started) {
            String where = r.pid().node();
            List<Event> starts = processEvents("start", r.id());
            assertThat(starts).allSatisfy(e -> assertThat(e.onNode()).isEqualTo(where));
            assertThat(starts.get(0).pid()).isEqualTo(r.pid());
            assertThat(processEvents("stop", r.id())).allSatisfy(e -> assertThat(e.onNode()).isEqualTo(where));
        }
        Event crashStop = processEvents("stop", crashed.id()).get(0);
        assertThat(crashStop.pid()).isEqualTo(crashed.pid());
        assertThat(crashStop.reason().kind()).isEqualTo(ExitReason.Kind.ERROR);
        assertThat(processEvents("start", crashed.id()).get(1).pid().incarnation().isNewerThan(crashed.pid().incarnation())).isTrue();
        Event termStop = processEvents("stop", terminated.id()).get(0);
        assertThat(termStop.pid()).isEqualTo(terminated.pid());
        assertThat(termStop.reason()).isEqualTo(ExitReason.normal());
        assertThat(processEvents("start", started.get(0).id())).hasSize(1);
        assertThat(processEvents("stop", started.get(0).id())).isEmpty();

        // never on the caller's thread, nor on the child's
        Set<Thread> childThreads = started.stream().flatMap(r -> TestChildren.INIT_THREADS.get(r.id()).stream())
                .collect(Collectors.toSet());
        assertThat(events).allSatisfy(e -> {
            assertThat(e.thread()).isNotSameAs(caller);
            assertThat(childThreads).doesNotContain(e.thread());
        });
    }

    @Test
    void listenersNeverRunOnTheCallersThreadOnOneNodeEither() {
        DistributedSupervisor n1 = startNodes(1, false).get(0);
        Thread caller = Thread.currentThread();
        String id = uniqueId("thread");
        n1.startChild(ChildSpec.of(Counter.class).withId(id));
        n1.terminateChild((Object) id);
        await().atMost(WAIT).until(() -> processEvents("stop", id).size() == 1);
        assertThat(events).isNotEmpty().allSatisfy(e -> assertThat(e.thread()).isNotSameAs(caller));
        assertThat(processEvents("start", id).get(0).thread())
                .isNotIn(TestChildren.INIT_THREADS.get(id));
    }

    @Test
    void nodeUpFiresOnExactlyOneNodeTheRingOwnerOfTheNewcomersName() {
        List<DistributedSupervisor> nodes = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= 7; i++) {
            String name = "n" + i;
            nodes.add(startNode(name, true));
            names.add(name);
            Nodes.awaitRing(nodes, names);
            String owner = nodes.get(0).nodeFor(name);
            if (i > 1) {
                await().atMost(WAIT).until(() -> !Events.of(events, "up", e -> e.subject().equals(name)).isEmpty());
                assertThat(Events.of(events, "up", e -> e.subject().equals(name)))
                        .as("node up of %s", name).singleElement().satisfies(e -> {
                            assertThat(e.onNode()).isEqualTo(owner);
                            assertThat(e.info().get("nodes")).isEqualTo(names);
                        });
            }
        }
        // let every node finish its reconciliation, then no node fired any extra one
        String id = uniqueId("probe");
        nodes.get(0).startChild(ChildSpec.of(Counter.class).withId(id));
        for (String name : names.subList(1, names.size())) {
            assertThat(Events.of(events, "up", e -> e.subject().equals(name))).as("node up of %s", name).hasSize(1);
        }
    }

    @Test
    void noNodeEventsWithoutMonitorNodes() {
        List<DistributedSupervisor> nodes = startNodes(3, false);
        startNode("n4", false);
        harness.crash("n2");
        harness.stop("n3");
        String id = uniqueId("probe");
        nodes.get(0).startChild(ChildSpec.of(Counter.class).withId(id));
        await().atMost(WAIT).until(() -> Events.of(events, "terminate").size() == 2);
        assertThat(Events.of(events, "up")).isEmpty();
        assertThat(Events.of(events, "down")).isEmpty();
    }

    @Test
    void nodeDownAfterACrashFiresOnExactlyOneSurvivor() {
        List<DistributedSupervisor> nodes = startNodes(4, true);
        harness.crash("n3");
        List<DistributedSupervisor> survivors = nodes.stream().filter(n -> !n.node().equals("n3")).toList();
        Nodes.awaitRing(survivors, List.of("n1", "n2", "n4"));
        String owner = survivors.get(0).nodeFor("n3");

        await().atMost(WAIT).until(() -> !Events.of(events, "down").isEmpty());
        assertThat(Events.of(events, "down")).singleElement().satisfies(e -> {
            assertThat(e.subject()).isEqualTo("n3");
            assertThat(e.onNode()).isEqualTo(owner);
        });
        assertThat(Events.of(events, "terminate")).as("a crash is no graceful terminate").isEmpty();
        // the crashed node's supervisor is closed: its listeners get their last call
        await().atMost(WAIT).until(() -> Events.of(events, "sup-stop", e -> e.onNode().equals("n3")).size() == 1);
    }

    @Test
    void nodeTerminateFiresOnEveryOtherNodeWithTheStatusesOfItsChildren() {
        List<DistributedSupervisor> nodes = startNodes(4, true);
        DistributedSupervisor n2 = named(nodes, "n2");
        List<Object> onN2 = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            onN2.add(nodes.get(0).startChild(ChildSpec.of(Counter.class).withId(uniqueId("t" + i)), "n2").id());
        }
        List<Pid> n2Pids = n2.localChildren();

        harness.stop("n2");

        await().atMost(WAIT).until(() -> Events.of(events, "terminate").size() >= 3);
        List<Event> terminates = Events.of(events, "terminate");
        assertThat(terminates).extracting(Event::onNode).containsExactlyInAnyOrder("n1", "n3", "n4");
        assertThat(terminates).allSatisfy(e -> {
            assertThat(e.subject()).isEqualTo("n2");
            assertThat(e.statuses()).extracting(ChildStatus::id).containsExactlyInAnyOrderElementsOf(onN2);
            assertThat(e.statuses()).extracting(ChildStatus::pid).containsExactlyInAnyOrderElementsOf(n2Pids);
            assertThat(e.statuses()).allSatisfy(s -> assertThat(s.childClass()).isEqualTo(Counter.class.getName()));
        });
        assertThat(Events.of(events, "down")).as("a graceful stop is no node down").isEmpty();

        // close() directly does the same
        named(nodes, "n4").close();
        await().atMost(WAIT).until(() -> Events.of(events, "terminate", e -> e.subject().equals("n4")).size() >= 2);
        assertThat(Events.of(events, "terminate", e -> e.subject().equals("n4")))
                .extracting(Event::onNode).containsExactlyInAnyOrder("n1", "n3");
        assertThat(Events.of(events, "down")).isEmpty();
        await().atMost(WAIT).until(() -> Events.of(events, "sup-stop").size() == 2);
        assertThat(Events.of(events, "sup-stop")).extracting(Event::onNode).containsExactlyInAnyOrder("n2", "n4");
    }

    @Test
    void filteredListenerGetsOnlyTheProcessEventsOfMatchingIds() {
        List<Event> kept = Events.sink();
        DistributedSupervisor n1 = harness.start(Nodes.options("n1")
                .listeners(List.of(Listener.filtered(new Events("n1", kept), id -> id.toString().startsWith("keep")),
                        new Events("n1", events))));
        String keep = uniqueId("keep");
        String drop = uniqueId("drop");
        n1.startChild(ChildSpec.of(Counter.class).withId(keep));
        n1.startChild(ChildSpec.of(Counter.class).withId(drop));
        n1.terminateChild((Object) drop);
        n1.terminateChild((Object) keep);

        await().atMost(WAIT).until(() -> processEvents("stop", keep).size() == 1 && processEvents("stop", drop).size() == 1);
        await().atMost(WAIT).until(() -> Events.of(kept, "stop").size() == 1);
        assertThat(Events.of(kept, "start")).extracting(Event::subject).containsExactly(keep);
        assertThat(Events.of(kept, "stop")).extracting(Event::subject).containsExactly(keep);
        assertThat(Events.of(kept, "sup-start")).as("lifecycle events pass the filter").hasSize(1);
    }

    @Test
    void aThrowingListenerDoesNotStopTheOthersNorDisturbTheSupervisor() {
        Listener thrower = new Listener() {
            @Override
            public void onProcessStart(String supervisor, Object id, Pid pid) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void onProcessStop(String supervisor, Object id, List<Pid> pids, ExitReason reason) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void onNodeTerminate(String supervisor, String node, Object reason, List<ChildStatus> statuses) {
                throw new IllegalStateException("listener bug");
            }
        };
        DistributedSupervisor n1 = harness.start(Nodes.options("n1").listeners(List.of(thrower, new Events("n1", events))));
        DistributedSupervisor n2 = harness.start(Nodes.options("n2").listeners(List.of(thrower, new Events("n2", events))));
        Nodes.awaitRing(List.of(n1, n2), List.of("n1", "n2"));
        List<Object> ids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ids.add(n1.startChild(ChildSpec.of(Counter.class).withId(uniqueId("x" + i))).id());
        }
        for (Object id : ids) {
            assertThat(n2.<Integer>call(id, "inc")).isEqualTo(1);
        }
        assertThatThrownBy(() -> n2.call(ids.get(0), "crash")).isInstanceOf(ChildCrashedException.class);
        assertThat(n2.<Integer>call(ids.get(0), "inc")).isEqualTo(1);
        await().atMost(WAIT).until(() -> Events.of(events, "start").size() == 11 && Events.of(events, "stop").size() == 1);
        harness.stop("n2");
        await().atMost(WAIT).until(() -> Events.of(events, "terminate").size() == 1);
        for (Object id : ids) {
            assertThat(n1.<Integer>call(id, "get")).isNotNegative();
        }
    }

    @Test
    void supervisorStartAndStopAreTheFirstAndLastEvents() {
        DistributedSupervisor n1 = startNodes(1, false).get(0);
        String id = uniqueId("life");
        n1.startChild(ChildSpec.of(Counter.class).withId(id));
        n1.close();
        n1.close(); // idempotent
        await().atMost(WAIT).until(() -> Events.of(events, "sup-stop").size() == 1);
        assertThat(events.get(0).type()).isEqualTo("sup-start");
        assertThat(events.get(events.size() - 1).type()).isEqualTo("sup-stop");
        assertThat(Events.of(events, "sup-stop")).hasSize(1);
        assertThat(Map.of("stops", processEvents("stop", id).size())).containsEntry("stops", 1);
    }
}
