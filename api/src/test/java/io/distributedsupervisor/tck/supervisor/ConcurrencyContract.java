package io.distributedsupervisor.tck.supervisor;

import static io.distributedsupervisor.tck.supervisor.TestChildren.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.CallTimeoutException;
import io.distributedsupervisor.ChildAlreadyStartedException;
import io.distributedsupervisor.ChildCrashedException;
import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.StartResult;
import io.distributedsupervisor.tck.supervisor.TestChildren.RacyCounter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What several callers at once see: one winner per id, one message at a time, crashes and slow starts. */
public abstract class ConcurrencyContract extends HarnessContract {

    private List<DistributedSupervisor> nodes;

    @BeforeEach
    void setUp() {
        nodes = Nodes.start(harness, 3, (name, b) -> b.callTimeout(Duration.ofSeconds(1)));
    }


    @Test
    void concurrentStartsOfOneIdThroughEveryNodeHaveExactlyOneWinner() throws Exception {
        for (int round = 0; round < 20; round++) {
            String id = uniqueId("race");
            CountDownLatch go = new CountDownLatch(1);
            List<CompletableFuture<Object>> results = new ArrayList<>();
            for (int t = 0; t < 9; t++) {
                DistributedSupervisor via = nodes.get(t % 3);
                CompletableFuture<Object> f = new CompletableFuture<>();
                results.add(f);
                Thread.ofPlatform().start(() -> {
                    try {
                        go.await();
                        f.complete(via.startChild(ChildSpec.of(TestChildren.Counter.class).withId(id)));
                    } catch (Throwable e) {
                        f.complete(e);
                    }
                });
            }
            go.countDown();
            List<StartResult> wins = new ArrayList<>();
            List<ChildAlreadyStartedException> losses = new ArrayList<>();
            for (CompletableFuture<Object> f : results) {
                Object o = f.get(10, TimeUnit.SECONDS);
                if (o instanceof StartResult r) {
                    wins.add(r);
                } else {
                    assertThat(o).isInstanceOf(ChildAlreadyStartedException.class);
                    losses.add((ChildAlreadyStartedException) o);
                }
            }
            assertThat(wins).hasSize(1);
            Pid winner = wins.get(0).pid();
            assertThat(losses).hasSize(8).allSatisfy(e -> assertThat(e.pid()).isEqualTo(winner));
            assertThat(TestChildren.inits(id)).isEqualTo(1);
            assertThat(nodes.get(0).terminateChild((Object) id)).isTrue(); // so that closing moves no slow child
        }
    }

    @Test
    void messagesAreHandledOneAtATimeWhateverNodeTheyComeThrough() throws Exception {
        String id = uniqueId("racy");
        nodes.get(0).startChild(ChildSpec.of(RacyCounter.class).withId(id));
        List<Thread> threads = new ArrayList<>();
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        for (int t = 0; t < 12; t++) {
            DistributedSupervisor via = nodes.get(t % 3);
            boolean casts = t % 2 == 0;
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 0; i < 200; i++) {
                        if (casts) {
                            via.cast(id, "inc");
                        } else {
                            via.call(id, "inc");
                        }
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(errors).isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> nodes.get(1).<Integer>call(id, "get") == 12 * 200);
    }

    @Test
    void callsQueuedBehindACrashingMessageFailWithChildCrashedAndTheChildRestarts() throws Exception {
        String id = uniqueId("queued");
        StartResult r = nodes.get(0).startChild(ChildSpec.of(RacyCounter.class).withId(id));
        Nodes.awaitSeenEverywhere(nodes, r.pid()); // whereis/children read each node's own copy of the registry
        for (DistributedSupervisor via : nodes) { // remote and local senders
            Pid before = via.whereis(id).orElseThrow();
            via.cast(id, "slow-crash"); // handled first: sleeps, then throws
            List<CompletableFuture<Object>> queued = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                queued.add(via.callAsync(id, "get", Duration.ofSeconds(3)));
            }
            for (CompletableFuture<Object> f : queued) {
                assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                        .cause().isInstanceOf(ChildCrashedException.class)
                        .cause().hasMessage("slow crash");
            }
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    via.whereis(id).filter(p -> p.incarnation().isNewerThan(before.incarnation())).isPresent());
            assertThat(via.<Integer>call(id, "get")).isZero();
        }
        assertThat(r.pid().node()).isNotNull();
    }

    @Test
    void remoteStartWhoseInitOutlivesTheCallTimeoutThrowsCallTimeoutAndNeverDoublesTheChild() {
        for (DistributedSupervisor on : nodes.subList(1, 3)) {
            String id = uniqueId("slowinit-" + on.node());
            assertThatThrownBy(() -> nodes.get(0).startChild(
                    ChildSpec.of(TestChildren.SlowInit.class, Duration.ofMillis(1500)).withId(id), on.node()))
                    .as("init on %s", on.node()).isInstanceOf(CallTimeoutException.class);
            // As with GenServer.call, the start may still complete after the caller gave up; it never runs twice,
            // and a second start of the id is refused while the first one is under way.
            assertThatThrownBy(() -> nodes.get(2).startChild(ChildSpec.of(TestChildren.Counter.class).withId(id)))
                    .isInstanceOf(ChildAlreadyStartedException.class);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(nodes.get(1).<String>call(id, "x")).isEqualTo("ok");
                for (DistributedSupervisor n : nodes) {
                    assertThat(n.whereis(id)).map(Pid::node).contains(on.node());
                }
            });
            assertThat(TestChildren.inits(id)).isEqualTo(1);
        }
    }

    @Test
    void localStartRunsInitOnTheCallingThreadAndIsNotTimedOut() {
        // documented on DistributedSupervisor.startChild: a child started on this node runs init on the calling thread
        String id = uniqueId("slowinit-local");
        StartResult r = nodes.get(0).startChild(ChildSpec.of(TestChildren.SlowInit.class, Duration.ofMillis(1500))
                .withId(id), nodes.get(0).node());
        assertThat(TestChildren.INIT_THREADS.get(id)).containsExactly(Thread.currentThread());
        Nodes.awaitSeenEverywhere(nodes, r.pid()); // whereis/children read each node's own copy of the registry
        assertThat(nodes.get(1).<String>call(id, "x")).isEqualTo("ok");
        assertThat(nodes.get(2).whereis(id)).contains(r.pid());
        assertThat(nodes.get(0).terminateChild(r.pid())).isTrue();
    }

    @Test
    void slowInitWithinTheTimeoutIsFine() {
        String id = uniqueId("slowish");
        StartResult r = nodes.get(0).startChild(ChildSpec.of(TestChildren.SlowInit.class, Duration.ofMillis(300)).withId(id));
        Nodes.awaitSeenEverywhere(nodes, r.pid()); // whereis/children read each node's own copy of the registry
        assertThat(nodes.get(2).<String>call(id, "x")).isEqualTo("ok");
        assertThat(nodes.get(1).whereis(id)).contains(r.pid());
    }

    @Test
    void concurrentTerminationsOfOneChildHaveExactlyOneTrue() throws Exception {
        List<Events.Event> events = Events.sink();
        harness.close();
        harness = newHarness();
        nodes = Nodes.start(harness, 3, (name, b) -> b.listeners(List.of(new Events(name, events))));
        for (int round = 0; round < 10; round++) {
            String id = uniqueId("term-race");
            StartResult r = nodes.get(0).startChild(ChildSpec.of(TestChildren.Counter.class).withId(id));
            CountDownLatch go = new CountDownLatch(1);
            List<CompletableFuture<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                DistributedSupervisor via = nodes.get(t % 3);
                boolean byPid = t % 2 == 0;
                CompletableFuture<Boolean> f = new CompletableFuture<>();
                results.add(f);
                Thread.ofPlatform().start(() -> {
                    try {
                        go.await();
                        f.complete(byPid ? via.terminateChild(r.pid()) : via.terminateChild((Object) id));
                    } catch (Throwable e) {
                        f.completeExceptionally(e);
                    }
                });
            }
            go.countDown();
            int trues = 0;
            for (CompletableFuture<Boolean> f : results) {
                if (f.get(10, TimeUnit.SECONDS)) {
                    trues++;
                }
            }
            assertThat(trues).as("round %d", round).isEqualTo(1);
            assertThat(TestChildren.terminated(id)).hasSize(1);
            await().atMost(Duration.ofSeconds(5)).until(() -> Events.of(events, "stop", e -> e.subject().equals(id)).size() >= 1);
            String probe = uniqueId("probe");
            nodes.get(0).startChild(ChildSpec.of(TestChildren.Counter.class).withId(probe), r.pid().node());
            await().atMost(Duration.ofSeconds(5)).until(() -> Events.of(events, "start", e -> e.subject().equals(probe)).size() == 1);
            assertThat(Events.of(events, "stop", e -> e.subject().equals(id))).hasSize(1);
        }
    }

    /**
     * One thread puts thousands of calls in flight to a child on another node; they wait behind
     * its first call, which blocks. No thread waits per call (the JVM's threads, virtual ones
     * included, are counted meanwhile), and once the child goes on every call gets its own reply,
     * processed in the order sent.
     */
    @Test
    void thousandsOfAsyncCallsFromOneThreadNeedNoThreadEachAndArriveInOrder() throws Exception {
        int calls = 5_000;
        String id = uniqueId("in-flight");
        java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
        TestChildren.GATES.put(id, gate);
        Pid pid = nodes.get(0).startChild(ChildSpec.of(TestChildren.Sequencer.class).withId(id), "n2").pid();
        Nodes.awaitSeenEverywhere(nodes, pid);
        int before = io.distributedsupervisor.tck.ThreadCount.now();
        List<CompletableFuture<Integer>> replies = new ArrayList<>(calls);
        try {
            for (int i = 0; i < calls; i++) {
                replies.add(nodes.get(0).callAsync(id, i, Duration.ofSeconds(60)));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> TestChildren.SEQUENCE.getOrDefault(id, List.of()).size() == 1);
            int during = io.distributedsupervisor.tck.ThreadCount.now();
            assertThat(during - before).as("threads started while %d calls were in flight", calls).isLessThan(calls / 20);
            assertThat(replies).allMatch(f -> !f.isDone());
        } finally {
            gate.countDown();
        }
        for (int i = 0; i < calls; i++) {
            assertThat(replies.get(i).get(30, TimeUnit.SECONDS)).isEqualTo(i);
        }
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            expected.add(i);
        }
        assertThat(TestChildren.SEQUENCE.get(id)).isEqualTo(expected);
    }
}
