package io.distributedsupervisor.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.Child;
import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.MoveCause;
import io.distributedsupervisor.MoveDecision;
import io.distributedsupervisor.MoveOutcome;
import io.distributedsupervisor.MoveVeto;
import io.distributedsupervisor.Scheduler;
import io.distributedsupervisor.SupervisorOptions;
import io.distributedsupervisor.Ticker;
import io.distributedsupervisor.spi.Listener;
import io.distributedsupervisor.spi.ListenerEvent;
import io.distributedsupervisor.spi.Member;
import io.distributedsupervisor.spi.NodeSession;
import io.distributedsupervisor.spi.Owner;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link MoveGate} on its own: a node n1 of a ring {n1, n2} with real local children, a session
 * that answers from memory, and a clock and timers moved by hand.
 */
class MoveGateTest {
    static {
        org.awaitility.Awaitility.setDefaultPollInterval(Duration.ofMillis(5));
        org.awaitility.Awaitility.setDefaultPollDelay(Duration.ZERO);
        org.awaitility.Awaitility.setDefaultTimeout(Duration.ofSeconds(10));
    }

    /** A child that does nothing. */
    public static final class Idle implements Child {
    }

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final Ticker ticker = now::get;
    private final List<Timer> timers = new ArrayList<>();
    private final Scheduler scheduler = (task, delay, unit) -> {
        Timer t = new Timer(now.get() + unit.toNanos(delay), task);
        synchronized (timers) {
            timers.add(t);
        }
        return t.future;
    };
    private final List<ListenerEvent.Move> events = new CopyOnWriteArrayList<>();
    private final Map<String, Member> members = new HashMap<>();
    private final List<LocalChild> children = new ArrayList<>();
    private NodeContext ctx;
    private ListenerDispatcher dispatcher;

    private record Timer(long atNanos, Runnable task, CompletableFuture<Void> future) {
        Timer(long atNanos, Runnable task) {
            this(atNanos, task, new CompletableFuture<>());
        }
    }

    private MoveGate gate(UnaryOperator<SupervisorOptions.Builder> custom) {
        SupervisorOptions options = custom.apply(SupervisorOptions.builder("DS").nodeName("n1").ticker(ticker)
                .scheduler(scheduler)).build();
        Listener recorder = new Listener() {
            @Override
            public void onEvent(ListenerEvent event) {
                if (event instanceof ListenerEvent.Move m) {
                    events.add(m);
                }
            }
        };
        dispatcher = new ListenerDispatcher("DS", "n1", List.of(recorder));
        ctx = new NodeContext(options, dispatcher, null);
        members.put("n1", new Member("n1", "a1", 0, "v"));
        members.put("n2", new Member("n2", "a2", 0, "v"));
        NodeSession session = (NodeSession) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {NodeSession.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "node" -> "n1";
                    case "sessionId" -> 1L;
                    case "holdsLease", "hasSpec" -> true;
                    case "members" -> Map.copyOf(members);
                    case "release", "releaseAndRemoveSpec", "updateOwner" -> true;
                    case "toString" -> "session";
                    case "hashCode" -> 1;
                    default -> null;
                });
        ctx.use(session, null);
        ctx.table.useSession(1L);
        ctx.refreshRing();
        return ctx.moves;
    }

    @AfterEach
    void close() {
        for (LocalChild c : children) {
            c.abort();
        }
        if (dispatcher != null) {
            dispatcher.close(1000);
        }
    }

    /** A running local child whose ring node is {@code ringNode}. */
    private LocalChild child(String ringNode) {
        HashRing ring = ctx.ring.current();
        for (int i = 0; ; i++) {
            String id = "c" + children.size() + "-" + i;
            String key = ChildKey.encode(id);
            if (ring.nodeFor(key).equals(ringNode) && ctx.table.get(key) == null) {
                LocalChild c = new LocalChild(ctx.host, key, ChildSpec.of(Idle.class).withId(id), null,
                        new Owner("n1", 7, 0, 1L), null);
                assertThat(ctx.table.add(c)).isTrue();
                c.begin();
                children.add(c);
                await().until(c::isRunning);
                return c;
            }
        }
    }

    /** Moves the clock and runs the timers that are due, in time order, as a scheduler would. */
    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
        for (;;) {
            Timer next;
            synchronized (timers) {
                next = timers.stream().filter(t -> !t.future().isCancelled() && t.atNanos() <= now.get())
                        .min((a, b) -> Long.compare(a.atNanos(), b.atNanos())).orElse(null);
                if (next == null) {
                    return;
                }
                timers.remove(next);
            }
            next.task().run();
        }
    }

    /** Waits until exactly {@code n} timers are pending: the gate sets them on its own threads. */
    private void awaitTimers(int n) {
        await().until(() -> {
            synchronized (timers) {
                return timers.stream().filter(t -> !t.future().isCancelled()).count() == n;
            }
        });
    }

    private List<ListenerEvent.Move> events(MoveOutcome outcome) {
        return events.stream().filter(e -> e.outcome() == outcome).toList();
    }

    @Test
    void startsAtMostTheRateWithinAnyOneSecondOnTheTicker() {
        MoveGate gate = gate(b -> b.maxMovesPerSecond(3));
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < 8; i++) {
            assertThat(gate.submit(child("n2"), "n2", MoveCause.JOIN, () -> {
                ran.incrementAndGet();
                return true;
            }).queued()).isTrue();
        }
        await().until(() -> events(MoveOutcome.MOVED).size() == 3);
        awaitTimers(1);
        advance(Duration.ofMillis(999));
        await().during(Duration.ofMillis(100)).until(() -> ran.get() == 3);
        advance(Duration.ofMillis(1));
        await().until(() -> events(MoveOutcome.MOVED).size() == 6);
        awaitTimers(1);
        advance(Duration.ofSeconds(1));
        await().until(() -> events(MoveOutcome.MOVED).size() == 8);
        List<Long> starts = events(MoveOutcome.MOVED).stream().map(ListenerEvent.Move::startedAtNanos).sorted().toList();
        for (int i = 0; i + 3 < starts.size(); i++) {
            assertThat(starts.get(i + 3) - starts.get(i)).isGreaterThanOrEqualTo(1_000_000_000L);
        }
        assertThat(events).allSatisfy(e -> {
            assertThat(e.cause()).isEqualTo(MoveCause.JOIN);
            assertThat(e.from()).isEqualTo("n1");
            assertThat(e.to()).isEqualTo("n2");
        });
        assertThat(gate.queued()).isZero();
    }

    @Test
    void holdsAtMostMaxMovesInFlight() throws Exception {
        MoveGate gate = gate(b -> b.maxMovesInFlight(2));
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger running = new AtomicInteger();
        for (int i = 0; i < 5; i++) {
            gate.submit(child("n2"), "n2", MoveCause.EXPLICIT, () -> {
                running.incrementAndGet();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return true;
            });
        }
        await().during(Duration.ofMillis(200)).until(() -> running.get() == 2);
        assertThat(gate.queued()).isEqualTo(3);
        release.countDown();
        await().until(() -> events(MoveOutcome.MOVED).size() == 5);
    }

    @Test
    void pauseHoldsPlannedMovesButNotTheHandOversOfALeaveOrDrain() {
        MoveGate gate = gate(b -> b);
        gate.pause();
        LocalChild join = child("n2");
        gate.submit(join, "n2", MoveCause.JOIN, () -> true);
        gate.submit(child("n2"), "n2", MoveCause.EXPLICIT, () -> true);
        gate.submit(child("n1"), "n2", MoveCause.LEAVE, () -> true);
        gate.submit(child("n1"), "n2", MoveCause.DRAIN, () -> true);
        await().until(() -> events(MoveOutcome.MOVED).size() == 2);
        await().during(Duration.ofMillis(200)).until(() -> events.size() == 2);
        assertThat(events).extracting(ListenerEvent.Move::cause).containsExactlyInAnyOrder(MoveCause.LEAVE, MoveCause.DRAIN);
        assertThat(gate.isPaused()).isTrue();
        assertThat(gate.queued()).isEqualTo(2);
        // one move per child: a second one gets the first's outcome
        assertThat(gate.submit(join, "n2", MoveCause.EXPLICIT, () -> true).queued()).isFalse();

        gate.resume();
        await().until(() -> events(MoveOutcome.MOVED).size() == 4);
        assertThat(events).extracting(ListenerEvent.Move::cause)
                .containsExactlyInAnyOrder(MoveCause.LEAVE, MoveCause.DRAIN, MoveCause.JOIN, MoveCause.EXPLICIT);
    }

    @Test
    void leaveAndDrainAreNotRateLimited() {
        MoveGate gate = gate(b -> b.maxMovesPerSecond(1).maxMovesInFlight(1));
        for (int i = 0; i < 20; i++) {
            gate.submit(child("n1"), "n2", i % 2 == 0 ? MoveCause.LEAVE : MoveCause.DRAIN, () -> true);
        }
        await().until(() -> events(MoveOutcome.MOVED).size() == 20);
        assertThat(events).extracting(ListenerEvent.Move::startedAtNanos).containsOnly(now.get());
    }

    @Test
    void aVetoVetoesDelaysAndAllowsEachCauseAndOneThatThrowsAllows() {
        Map<Object, MoveDecision> answers = new java.util.concurrent.ConcurrentHashMap<>();
        List<MoveCause> asked = new CopyOnWriteArrayList<>();
        List<Thread> threads = new CopyOnWriteArrayList<>();
        MoveVeto veto = (id, from, to, cause) -> {
            asked.add(cause);
            threads.add(Thread.currentThread());
            if (id.equals("boom")) {
                throw new IllegalStateException("a broken veto");
            }
            return answers.getOrDefault(id, MoveDecision.ALLOW);
        };
        MoveGate gate = gate(b -> b.moveVeto(veto));
        LocalChild vetoed = child("n2");
        LocalChild delayedJoin = child("n2");
        LocalChild delayedLeave = child("n1");
        answers.put(vetoed.id, MoveDecision.VETO);
        answers.put(delayedJoin.id, MoveDecision.delay(Duration.ofSeconds(2)));
        answers.put(delayedLeave.id, MoveDecision.delay());
        AtomicInteger ran = new AtomicInteger();
        gate.submit(vetoed, "n2", MoveCause.JOIN, () -> ran.incrementAndGet() > 0);
        gate.submit(delayedJoin, "n2", MoveCause.JOIN, () -> ran.incrementAndGet() > 0);
        gate.submit(delayedLeave, "n2", MoveCause.LEAVE, () -> ran.incrementAndGet() > 0);
        LocalChild boom = new LocalChild(ctx.host, ChildKey.encode("boom"), ChildSpec.of(Idle.class).withId("boom"), null,
                new Owner("n1", 7, 0, 1L), null);
        gate.submit(boom, "n2", MoveCause.DRAIN, () -> ran.incrementAndGet() > 0);

        await().until(() -> events(MoveOutcome.VETOED).size() == 1 && events(MoveOutcome.MOVED).size() == 1);
        assertThat(events(MoveOutcome.VETOED).get(0).id()).isEqualTo(vetoed.id);
        assertThat(events(MoveOutcome.MOVED).get(0).id()).as("a veto that throws allows").isEqualTo("boom");
        assertThat(ran.get()).isEqualTo(1);

        awaitTimers(2); // the LEAVE's and the JOIN's delays
        advance(Duration.ofMillis(100)); // the LEAVE is asked again, still delayed
        await().until(() -> asked.stream().filter(c -> c == MoveCause.LEAVE).count() == 2);
        awaitTimers(2);
        answers.remove(delayedLeave.id);
        answers.remove(delayedJoin.id);
        advance(Duration.ofMillis(100));
        await().until(() -> events(MoveOutcome.MOVED).size() == 2);
        assertThat(events(MoveOutcome.MOVED).get(1).id()).isEqualTo(delayedLeave.id);
        assertThat(gate.queued()).as("the JOIN waits out its delay, holding no slot").isEqualTo(1);
        advance(Duration.ofMillis(1800));
        await().until(() -> events(MoveOutcome.MOVED).size() == 3);
        assertThat(events(MoveOutcome.MOVED).get(2).id()).isEqualTo(delayedJoin.id);
        assertThat(threads).allSatisfy(t -> assertThat(t.isVirtual()).isTrue());
    }

    @Test
    void aMoveNoLongerValidAtItsTurnIsDroppedUnrun() {
        MoveGate gate = gate(b -> b);
        gate.pause();
        LocalChild stopped = child("n2");
        LocalChild ringChanged = child("n2");
        AtomicInteger ran = new AtomicInteger();
        gate.submit(stopped, "n2", MoveCause.JOIN, () -> ran.incrementAndGet() > 0);
        gate.submit(ringChanged, "n2", MoveCause.JOIN, () -> ran.incrementAndGet() > 0);
        stopped.stopAndWait(io.distributedsupervisor.ExitReason.shutdown());
        ctx.table.remove(stopped);
        members.remove("n2"); // the target leaves the ring
        ctx.refreshRing();
        gate.resume();
        await().until(() -> events(MoveOutcome.DROPPED).size() == 2);
        assertThat(ran.get()).isZero();
    }

    @Test
    void aLeaveReplacesAQueuedJoinAndStoppingDropsTheQueue() {
        MoveGate gate = gate(b -> b);
        gate.pause();
        LocalChild c = child("n2");
        LocalChild other = child("n2");
        CompletableFuture<MoveOutcome> join = gate.submit(c, "n2", MoveCause.JOIN, () -> true).outcome();
        CompletableFuture<MoveOutcome> queued = gate.submit(other, "n2", MoveCause.JOIN, () -> true).outcome();
        CompletableFuture<MoveOutcome> leave = gate.submit(c, "n2", MoveCause.LEAVE, () -> true).outcome();
        assertThat(join.join()).isEqualTo(MoveOutcome.DROPPED);
        assertThat(leave.join()).isEqualTo(MoveOutcome.MOVED);
        gate.stopPlanned();
        assertThat(queued.join()).isEqualTo(MoveOutcome.DROPPED);
        assertThat(gate.submit(child("n2"), "n2", MoveCause.EXPLICIT, () -> true).outcome().join())
                .isEqualTo(MoveOutcome.DROPPED);
        await().until(() -> events.size() == 4);
    }
}
