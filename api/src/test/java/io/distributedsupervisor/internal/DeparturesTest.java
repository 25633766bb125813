package io.distributedsupervisor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.distributedsupervisor.Scheduler;
import io.distributedsupervisor.SupervisorOptions;
import io.distributedsupervisor.Ticker;
import io.distributedsupervisor.codec.CborCodec;
import io.distributedsupervisor.protocol.Message;
import io.distributedsupervisor.protocol.WireFormat;
import io.distributedsupervisor.spi.Delivery;
import io.distributedsupervisor.spi.Member;
import io.distributedsupervisor.spi.NodeSession;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sending side of a planned move: which message waits for a barrier through the node a child
 * left, when one is sent, and when the wait ends. The transport is a recording session; time is a
 * fake ticker and scheduler.
 */
class DeparturesTest {
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(3);

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final Ticker ticker = now::get;
    private final List<Timer> timers = new ArrayList<>();
    private final Scheduler scheduler = (task, delay, unit) -> {
        Timer t = new Timer(now.get() + unit.toNanos(delay), task, new CompletableFuture<>());
        synchronized (timers) {
            timers.add(t);
        }
        return t.future();
    };
    /** The requests the node sent, in order: to whom, and the answer the test gives. */
    private final List<Sent> sent = new ArrayList<>();
    /** The live members as the session has them. */
    private final java.util.Map<String, Member> members = new java.util.concurrent.ConcurrentHashMap<>();
    private final WireFormat format = new WireFormat("DS", CborCodec.withDefaults());
    private ListenerDispatcher dispatcher;
    private NodeContext ctx;
    private Departures departures;

    private record Timer(long atNanos, Runnable task, CompletableFuture<Void> future) {
    }

    private record Sent(String node, Message message, CompletableFuture<Delivery> delivery) {
    }

    @BeforeEach
    void node() {
        for (String n : List.of("n1", "n2", "n3")) {
            members.put(n, new Member(n, "127.0.0.1:1", 0, "test"));
        }
        SupervisorOptions options = SupervisorOptions.builder("DS").nodeName("n1").ticker(ticker).scheduler(scheduler)
                .callTimeout(CALL_TIMEOUT).build();
        dispatcher = new ListenerDispatcher("DS", "n1", List.of());
        ctx = new NodeContext(options, dispatcher, null);
        NodeSession session = (NodeSession) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {NodeSession.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "request" -> {
                        CompletableFuture<Delivery> d = new CompletableFuture<>();
                        synchronized (sent) {
                            sent.add(new Sent((String) args[0], format.decodeMessage((byte[]) args[1]), d));
                        }
                        yield d;
                    }
                    case "node" -> "n1";
                    case "members" -> members;
                    case "toString" -> "session";
                    case "hashCode" -> 1;
                    default -> null;
                });
        ctx.use(session, Wire.encoded(format));
        departures = ctx.departures;
    }

    @AfterEach
    void close() {
        dispatcher.close(1000);
    }

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
        List<Timer> due;
        synchronized (timers) {
            due = timers.stream().filter(t -> t.atNanos() <= now.get()).sorted((a, b) -> Long.compare(a.atNanos(), b.atNanos()))
                    .toList();
            timers.removeAll(due);
        }
        due.forEach(t -> t.task().run());
    }

    @Test
    void aMessageElsewhereWaitsForOneBarrierThroughTheOldNodeWhichAllSendersShare() {
        assertThat(departures.before("k", "n3")).as("no move seen: nothing to wait for").isNull();

        departures.left("k", "n2");
        CompletableFuture<Void> first = departures.before("k", "n3");
        CompletableFuture<Void> local = departures.before("k", "n1");

        assertThat(first).isNotNull().isNotDone();
        assertThat(local).as("offered here, where the child came to").isSameAs(first);
        assertThat(departures.before("k", "n2")).as("through the old node itself: behind the rest anyway").isNull();
        assertThat(departures.before("other", "n3")).isNull();
        assertThat(sent).containsExactly(new Sent("n2", new Message.Barrier("k"), sent.get(0).delivery()));

        sent.get(0).delivery().complete(new Delivery.Replied(new byte[0]));

        assertThat(first).isDone();
        assertThat(departures.before("k", "n3")).as("passed: the messages go straight on").isNull();
        assertThat(sent).hasSize(1);
    }

    @Test
    void aMessageThatStillWentToTheOldNodeAfterTheBarrierMakesTheNextOneSendAnother() {
        departures.left("k", "n2");
        departures.before("k", "n3");
        sent.get(0).delivery().complete(new Delivery.NotSent("gone"));
        assertThat(departures.before("k", "n3")).as("any outcome passes it").isNull();

        // A sender that read the route a moment before the move sends to n2 now, after the barrier.
        departures.sent("k", "n2");
        CompletableFuture<Void> again = departures.before("k", "n3");

        assertThat(again).isNotNull().isNotDone();
        assertThat(sent).hasSize(2);
        assertThat(sent.get(1).node()).isEqualTo("n2");
        departures.sent("k", "n3");
        assertThat(sent).as("a message to the new node needs no barrier of its own").hasSize(2);
    }

    @Test
    void aBarrierTheOldNodeDoesNotAnswerCountsAsPassedAfterTheCallTimeout() {
        departures.left("k", "n2");
        CompletableFuture<Void> barrier = departures.before("k", "n3");

        advance(CALL_TIMEOUT.minusMillis(1));
        assertThat(barrier).isNotDone();
        advance(Duration.ofMillis(1));

        assertThat(barrier).isDone();
        assertThat(departures.before("k", "n3")).isNull();
    }

    @Test
    void aMoveIsForgottenOnceTheOldNodeForwardsNoMoreAndNoneIsKeptForThisNode() {
        departures.left("self", "n1");
        assertThat(departures.before("self", "n3")).as("this node forwards what reaches it itself").isNull();

        departures.left("k", "n2");
        advance(Duration.ofNanos(ctx.handoffs.holdNanos() + 1));

        assertThat(departures.before("k", "n3")).isNull();
        assertThat(sent).isEmpty();
    }

    @Test
    void noBarrierGoesThroughANodeLostWithoutAGoodbyeButOneGoesThroughANodeThatSaidGoodbye() {
        departures.left("k", "n2");
        members.remove("n2"); // its session ended: crashed, or frozen past the session timeout

        assertThat(departures.before("k", "n3")).as("it forwards nothing: no first message waits for it").isNull();
        departures.left("j", "n2");
        assertThat(departures.before("j", "n3")).isNull();
        assertThat(sent).isEmpty();

        ctx.membership.nodeTerminating("n3"); // n3 said goodbye, then left the members: a drain
        members.remove("n3");
        departures.left("m", "n3");
        CompletableFuture<Void> barrier = departures.before("m", "n1");

        assertThat(barrier).as("a draining node forwards what it holds").isNotNull().isNotDone();
        assertThat(sent).extracting(Sent::node).containsExactly("n3");
    }
}
