package io.distributedsupervisor.tck.supervisor;

import static io.distributedsupervisor.tck.supervisor.TestChildren.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.distributedsupervisor.Child;
import io.distributedsupervisor.ChildContext;
import io.distributedsupervisor.ChildCrashedException;
import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.MessageRefusedException;
import io.distributedsupervisor.Operation;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.RemoteChildException;
import io.distributedsupervisor.tck.LogCapture;
import io.distributedsupervisor.tck.supervisor.TestChildren.Counter;
import io.distributedsupervisor.tck.unlisted.Unlisted;
import io.distributedsupervisor.tck.unlisted.UnlistedChild;
import io.distributedsupervisor.tck.unlisted.UnlistedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a codec refuses fails at once, as a {@link MessageRefusedException} naming the operation,
 * the class and the node that refused, never as a timeout; and disturbs nothing else. Node n1
 * allows the {@code tck.unlisted} classes, n2 does not, so each side of the wire refuses in turn.
 * The call timeout is long (30 s): an operation that waited for it instead of failing at once would
 * fail this suite's time limit.
 */
public abstract class RefusalContract extends HarnessContract {
    private static final Duration AT_ONCE = Duration.ofSeconds(10);
    private static final String UNLISTED = Unlisted.class.getName();

    private List<DistributedSupervisor> nodes;
    private DistributedSupervisor n1;
    private DistributedSupervisor n2;
    private String steady;
    private Pid steadyPid;

    /** Answers a call with the request; a call "unlisted" with an {@link Unlisted}; a call "throw" throws an {@link UnlistedException}. */
    public static final class Echo implements Child {
        private final List<Object> got = new ArrayList<>();

        @Override
        public Object handleCall(Object request, ChildContext ctx) {
            if (!(request instanceof String s)) {
                return request;
            }
            return switch (s) {
                case "unlisted" -> new Unlisted("made by " + ctx.supervisor().node());
                case "throw" -> throw new UnlistedException("thrown by " + ctx.id());
                case "got" -> List.copyOf(got);
                default -> s;
            };
        }

        @Override
        public void handleCast(Object message, ChildContext ctx) {
            got.add(message);
        }

        @Override
        public void handleInfo(Object message, ChildContext ctx) {
            got.add(message);
        }
    }

    @BeforeEach
    void setUp() {
        List<String> generous = new ArrayList<>(Nodes.ALLOW_LIST);
        generous.add("io.distributedsupervisor.tck.unlisted.*");
        nodes = Nodes.start(harness, 2, (name, b) -> {
            b.callTimeout(Duration.ofSeconds(30));
            return name.equals("n1") ? b.allowList(generous) : b;
        });
        n1 = nodes.get(0);
        n2 = nodes.get(1);
        steady = uniqueId("steady");
        steadyPid = n1.startChild(ChildSpec.of(Counter.class, 41).withId(steady), "n2").pid();
        Nodes.awaitSeenEverywhere(nodes, steadyPid);
    }

    private static void assertRefused(ThrowingCallable call, Operation op, String node, String refusedClass) {
        assertTimeoutPreemptively(AT_ONCE, () -> assertThatThrownBy(call).isInstanceOfSatisfying(
                MessageRefusedException.class, e -> refusal(e, op, node, refusedClass)));
    }

    private static void refusal(MessageRefusedException e, Operation op, String node, String refusedClass) {
        assertThat(e.operation()).isEqualTo(op);
        assertThat(e.node()).isEqualTo(node);
        assertThat(e.refusedClass()).contains(refusedClass);
        assertThat(e.getMessage()).contains(refusedClass).contains(node);
    }

    private static Consumer<Throwable> refusedAsync(Operation op, String node, String refusedClass) {
        return t -> assertThat(t).isInstanceOf(ExecutionException.class).cause()
                .isInstanceOfSatisfying(MessageRefusedException.class, e -> refusal(e, op, node, refusedClass));
    }

    /** The steady child answers through both nodes as the same incarnation, and a remote terminate still works. */
    private void nothingDisturbed() {
        for (DistributedSupervisor n : nodes) {
            assertThat(n.<Integer>call(steady, "get")).isEqualTo(41);
            assertThat(n.whereis(steady)).contains(steadyPid);
        }
        String probe = uniqueId("probe");
        Pid p = n2.startChild(ChildSpec.of(Counter.class).withId(probe), "n2").pid();
        assertThat(n1.terminateChild(p)).as("a remote terminate").isTrue();
    }

    private String echoOn(DistributedSupervisor on) {
        String id = uniqueId("echo-" + on.node());
        Pid pid = n1.startChild(ChildSpec.of(Echo.class).withId(id), on.node()).pid();
        Nodes.awaitSeenEverywhere(nodes, pid);
        return id;
    }

    /** An id the ring gives to {@code node}. */
    private String idOn(String node, String prefix) {
        for (;;) {
            String id = uniqueId(prefix);
            if (n1.nodeFor(id).equals(node)) {
                return id;
            }
        }
    }

    @Test
    void everyOperationSendingAClassItsOwnNodeRefusesFailsAtOnceThere() throws Exception {
        String echo = echoOn(n1);
        Unlisted secret = new Unlisted("secret");

        assertRefused(() -> n2.call(echo, secret), Operation.CALL, "n2", UNLISTED);
        assertTimeoutPreemptively(AT_ONCE, () -> assertThat(n2.callAsync(echo, secret, Duration.ofSeconds(30)))
                .failsWithin(AT_ONCE).withThrowableThat().satisfies(refusedAsync(Operation.CALL, "n2", UNLISTED)));
        assertRefused(() -> n2.cast(echo, secret), Operation.CAST, "n2", UNLISTED);
        assertRefused(() -> n2.send(echo, secret), Operation.SEND, "n2", UNLISTED);
        assertRefused(() -> n2.startChild(ChildSpec.of(Echo.class, secret).withId(idOn("n1", "ring"))),
                Operation.START_CHILD, "n2", UNLISTED);
        assertRefused(() -> n2.startChild(ChildSpec.of(Echo.class, secret).withId(uniqueId("pinned")), "n1"),
                Operation.START_CHILD, "n2", UNLISTED);
        assertRefused(() -> n2.startChild(ChildSpec.of(UnlistedChild.class).withId(uniqueId("class")), "n1"),
                Operation.START_CHILD, "n2", UnlistedChild.class.getName());
        assertRefused(() -> n2.startChild(ChildSpec.of(Echo.class, secret).withId(idOn("n2", "here"))),
                Operation.START_CHILD, "n2", UNLISTED);
        assertThat(n1.<List<Object>>call(echo, "got")).as("nothing arrived").isEmpty();
        nothingDisturbed();
    }

    @Test
    void aClassOnlyTheReceiverRefusesFailsAtOnceNamingTheReceiverWhichLogsItOnce() throws Exception {
        String echo = echoOn(n2);
        Unlisted secret = new Unlisted("secret");

        try (LogCapture log = LogCapture.start()) {
            assertRefused(() -> n1.call(echo, secret), Operation.CALL, "n2", UNLISTED);
            assertTimeoutPreemptively(AT_ONCE, () -> assertThat(n1.callAsync(echo, secret, Duration.ofSeconds(30)))
                    .failsWithin(AT_ONCE).withThrowableThat().satisfies(refusedAsync(Operation.CALL, "n2", UNLISTED)));
            assertRefused(() -> n1.startChild(ChildSpec.of(Echo.class, secret).withId(uniqueId("pinned")), "n2"),
                    Operation.START_CHILD, "n2", UNLISTED);
            assertRefused(() -> n1.startChild(ChildSpec.of(Echo.class, secret).withId(idOn("n2", "ring"))),
                    Operation.START_CHILD, "n2", UNLISTED);
            assertRefused(() -> n1.startChild(ChildSpec.of(UnlistedChild.class).withId(uniqueId("class")), "n2"),
                    Operation.START_CHILD, "n2", UnlistedChild.class.getName());
            // One-way: the sender cannot know; the receiver drops them and says so once.
            for (int i = 0; i < 20; i++) {
                n1.cast(echo, secret);
                assertThat(n1.send(echo, secret)).isTrue();
            }
            assertThat(n1.<String>call(echo, "after")).as("a call behind the casts, in order").isEqualTo("after");
            assertThat(n1.<List<Object>>call(echo, "got")).as("nothing refused arrived").isEmpty();
            assertThat(log.lines("refused a cast from node n1", UNLISTED)).isEqualTo(1);
            assertThat(log.lines("refused a send from node n1", UNLISTED)).isEqualTo(1);
        }
        nothingDisturbed();
    }

    @Test
    void aReplyTheCallerRefusesFailsThereAndOneItsChildCannotSendFailsAtTheChild() throws Exception {
        String onN1 = echoOn(n1);
        String onN2 = echoOn(n2);

        assertRefused(() -> n2.call(onN1, "unlisted"), Operation.CALL, "n2", UNLISTED);
        assertRefused(() -> n1.call(onN2, "unlisted"), Operation.CALL, "n2", UNLISTED);
        assertThat(n2.<String>call(onN1, "still")).isEqualTo("still");
        nothingDisturbed();
    }

    @Test
    void anExceptionOfAClassTheCallerRefusesCrossesAsRemoteChildException() throws Exception {
        String onN1 = echoOn(n1);
        assertThatThrownBy(() -> n2.call(onN1, "throw")).isInstanceOf(ChildCrashedException.class)
                .cause().isInstanceOfSatisfying(RemoteChildException.class, e -> {
                    assertThat(e.remoteClassName()).isEqualTo(UnlistedException.class.getName());
                    assertThat(e.getMessage()).contains("thrown by " + onN1);
                });
        assertThatThrownBy(() -> n1.callAsync(onN1, "throw", Duration.ofSeconds(30)).get(10, TimeUnit.SECONDS))
                .cause().isInstanceOf(ChildCrashedException.class).cause().isInstanceOf(UnlistedException.class);
        nothingDisturbed();
    }
}
