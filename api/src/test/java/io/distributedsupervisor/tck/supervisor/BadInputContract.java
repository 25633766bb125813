package io.distributedsupervisor.tck.supervisor;

import static io.distributedsupervisor.tck.supervisor.TestChildren.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.Child;
import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.StartResult;
import io.distributedsupervisor.SupervisorClosedException;
import io.distributedsupervisor.SupervisorOptions;
import io.distributedsupervisor.UnknownNodeException;
import io.distributedsupervisor.tck.supervisor.TestChildren.Counter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each bad input is a clear exception at the call, and disturbs nothing else. */
public abstract class BadInputContract extends HarnessContract {

    private static final Double BAD_ID = 1.5;

    private List<DistributedSupervisor> nodes;
    private DistributedSupervisor n1;
    private String existing;
    private Pid existingPid;

    @BeforeEach
    void setUp() {
        nodes = Nodes.start(harness, 2);
        n1 = nodes.get(0);
        existing = uniqueId("existing");
        existingPid = n1.startChild(ChildSpec.of(Counter.class, 41).withId(existing), "n2").pid();
    }


    /** The existing child still answers through every node, and is still the same incarnation. */
    private void nothingDisturbed() {
        for (DistributedSupervisor n : nodes) {
            assertThat(n.<Integer>call(existing, "get")).isEqualTo(41);
            assertThat(n.whereis(existing)).contains(existingPid);
            assertThat(n.children()).containsOnlyKeys(existing);
        }
    }

    private static void assertIae(ThrowingCallable call, String... mentions) {
        assertThatThrownBy(call).isInstanceOf(IllegalArgumentException.class).message().contains(mentions);
    }

    private static void assertNpe(ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOf(NullPointerException.class).message().isNotBlank();
    }

    @Test
    void invalidSupervisorName() {
        for (String bad : List.of("", "has space", "slash/in", "x".repeat(65), "ünï")) {
            assertIae(() -> SupervisorOptions.builder(bad), "supervisor name");
        }
        assertThatThrownBy(() -> SupervisorOptions.builder(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("name");
        assertIae(() -> SupervisorOptions.builder("DS").nodeName("bad node"), "node name");
        assertIae(() -> SupervisorOptions.builder("DS").maxRestarts(-1), "maxRestarts");
        assertIae(() -> SupervisorOptions.builder("DS").callTimeout(Duration.ZERO), "callTimeout");
        assertIae(() -> SupervisorOptions.builder("DS").rebalance(io.distributedsupervisor.Rebalance.ACTIVE).build(),
                "monitorNodes");
        nothingDisturbed();
    }

    @Test
    void nodeNameThatIsTakenIsRefusedAndTheRunningNodeStays() {
        assertThatThrownBy(() -> harness.start(Nodes.options("n1")))
                .isInstanceOf(io.distributedsupervisor.DistributedSupervisorException.class)
                .hasMessageContaining("n1");
        nothingDisturbed();
    }

    @Test
    void unsupportedIdTypeIsRefusedByEveryMethodThatTakesAnId() {
        assertIae(() -> ChildSpec.of(Counter.class).withId(BAD_ID), "java.lang.Double");
        assertIae(() -> n1.whereis(BAD_ID), "java.lang.Double");
        assertIae(() -> n1.call(BAD_ID, "get"), "java.lang.Double");
        assertIae(() -> n1.call(BAD_ID, "get", Duration.ofSeconds(1)), "java.lang.Double");
        assertIae(() -> n1.callAsync(BAD_ID, "get", Duration.ofSeconds(1)), "java.lang.Double");
        assertIae(() -> n1.cast(BAD_ID, "inc"), "java.lang.Double");
        assertIae(() -> n1.send(BAD_ID, "inc"), "java.lang.Double");
        assertIae(() -> n1.terminateChild((Object) BAD_ID), "java.lang.Double");
        assertIae(() -> n1.viaName(BAD_ID), "java.lang.Double");
        assertIae(() -> n1.nodeFor(BAD_ID), "java.lang.Double");
        assertIae(() -> n1.isMine(BAD_ID), "java.lang.Double");
        assertIae(() -> ChildSpec.of(Counter.class).withId(""), "String child id");
        assertIae(() -> ChildSpec.of(Counter.class).withId("x".repeat(513)), "String child id");
        assertIae(() -> n1.call("", "get"), "String child id");
        nothingDisturbed();
    }

    @Test
    void specClassThatCannotBeAChildIsRefusedWhenTheSpecIsMade() {
        assertIae(() -> ChildSpec.of(TestChildren.NotAChild.class), "does not implement", Child.class.getName());
        assertIae(() -> ChildSpec.of(String.class, "x"), "does not implement");
        assertIae(() -> ChildSpec.of(TestChildren.NeedsString.class, 5), "no public constructor");
        assertIae(() -> ChildSpec.of(TestChildren.PrivateCtor.class), "no public constructor");
        assertIae(() -> ChildSpec.of(TestChildren.Recording.class), "abstract");
        assertIae(() -> ChildSpec.of(Child.class), "abstract");
        assertIae(() -> ChildSpec.of(Inner.class), "inner");
        assertIae(() -> ChildSpec.of(Counter.class).withShutdown(Duration.ofSeconds(-1)), "negative");
        // a constructor that takes the arg's supertype is fine
        String id = uniqueId("ok");
        n1.startChild(ChildSpec.of(TestChildren.NeedsString.class, "s").withId(id));
        n1.terminateChild((Object) id);
        await().atMost(Duration.ofSeconds(5)).until(() -> n1.whereis(id).isEmpty());
        nothingDisturbed();
    }

    /** Not static: cannot be built from a spec. */
    public class Inner implements Child {
    }

    @Test
    void unknownNodeIsNamedInTheException() {
        assertThatThrownBy(() -> n1.startChild(ChildSpec.of(Counter.class).withId(uniqueId("x")), "nope"))
                .isInstanceOfSatisfying(UnknownNodeException.class, e -> {
                    assertThat(e.node()).isEqualTo("nope");
                    assertThat(e.getMessage()).contains("nope").contains("n1").contains("n2");
                });
        nothingDisturbed();
    }

    @Test
    void nullsAreRefusedNamingTheParameter() {
        assertThatThrownBy(() -> n1.startChild(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("spec");
        assertThatThrownBy(() -> n1.startChild(null, "n1")).isInstanceOf(NullPointerException.class).hasMessageContaining("spec");
        assertThatThrownBy(() -> n1.startChild(ChildSpec.of(Counter.class), null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("node");
        assertThatThrownBy(() -> ChildSpec.of(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("class");
        assertThatThrownBy(() -> ChildSpec.of(Counter.class).withId(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("id");
        assertThatThrownBy(() -> ChildSpec.of(Counter.class).withRestart(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("restart");
        assertThatThrownBy(() -> n1.whereis(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("id");
        assertThatThrownBy(() -> n1.call(null, "get")).isInstanceOf(NullPointerException.class).hasMessageContaining("id");
        assertThatThrownBy(() -> n1.call(existing, "get", null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("timeout");
        assertThatThrownBy(() -> n1.callAsync(null, "get", Duration.ofSeconds(1))).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("id");
        assertThatThrownBy(() -> n1.callAsync(existing, "get", null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("timeout");
        assertThatThrownBy(() -> n1.cast(null, "inc")).isInstanceOf(NullPointerException.class).hasMessageContaining("id");
        assertThatThrownBy(() -> n1.send(null, "inc")).isInstanceOf(NullPointerException.class).hasMessageContaining("id");
        assertThatThrownBy(() -> n1.viaName(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("id");
        assertThatThrownBy(() -> n1.terminateChild((Pid) null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("pid");
        assertThatThrownBy(() -> n1.terminateChild((Object) null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("id");
        assertThatThrownBy(() -> n1.whois(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("pid");
        assertThatThrownBy(() -> n1.nodeFor(null)).isInstanceOf(NullPointerException.class).message().containsAnyOf("key", "id");
        assertThatThrownBy(() -> n1.isMine(null)).isInstanceOf(NullPointerException.class).message().containsAnyOf("key", "id");
        assertThatThrownBy(() -> DistributedSupervisor.start(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("options");
        nothingDisturbed();
    }

    @Test
    void callsAfterCloseThrowSupervisorClosedException() throws Exception {
        DistributedSupervisor n3 = harness.start(Nodes.options("n3"));
        Nodes.awaitRing(List.of(n1, n3), List.of("n1", "n2", "n3"));
        n3.close();
        assertClosed(n3);
        Nodes.awaitRing(nodes, List.of("n1", "n2"));
        nothingDisturbed();
    }

    @Test
    void callsOnACrashedNodeThrowSupervisorClosedException() throws Exception {
        DistributedSupervisor n3 = harness.start(Nodes.options("n3"));
        Nodes.awaitRing(List.of(n1, n3), List.of("n1", "n2", "n3"));
        harness.crash("n3");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThatThrownBy(() -> n3.whereis(existing)).isInstanceOf(SupervisorClosedException.class));
        assertClosed(n3);
        Nodes.awaitRing(nodes, List.of("n1", "n2"));
        nothingDisturbed();
    }

    private void assertClosed(DistributedSupervisor ds) throws Exception {
        Class<SupervisorClosedException> closed = SupervisorClosedException.class;
        ChildSpec spec = ChildSpec.of(Counter.class).withId(uniqueId("late"));
        assertThatThrownBy(() -> ds.startChild(spec)).isInstanceOf(closed);
        assertThatThrownBy(() -> ds.startChild(spec, "n1")).isInstanceOf(closed);
        assertThatThrownBy(() -> ds.children()).isInstanceOf(closed);
        assertThatThrownBy(() -> ds.whereis(existing)).isInstanceOf(closed);
        assertThatThrownBy(() -> ds.whois(existingPid)).isInstanceOf(closed);
        assertThatThrownBy(() -> ds.call(existing, "get")).isInstanceOf(closed);
        assertThatThrownBy(() -> ds.call(existing, "get", Duration.ofSeconds(1))).isInstanceOf(closed);
        assertThatThrownBy(() -> ds.cast(existing, "inc")).isInstanceOf(closed);
        assertThatThrownBy(() -> ds.send(existing, "inc")).isInstanceOf(closed);
        assertThatThrownBy(() -> ds.terminateChild((Object) existing)).isInstanceOf(closed);
        assertThatThrownBy(() -> ds.terminateChild(existingPid)).isInstanceOf(closed);
        assertThatThrownBy(() -> ds.viaName(existing).call("get")).isInstanceOf(closed);
        CompletableFuture<Object> f;
        try {
            f = ds.callAsync(existing, "get", Duration.ofSeconds(1));
        } catch (SupervisorClosedException e) {
            f = CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Object> async = f;
        assertThatThrownBy(() -> async.get(5, TimeUnit.SECONDS)).cause().isInstanceOf(closed);
        assertThat(ds.localChildren()).isEmpty();
        ds.close(); // idempotent
    }

    @Test
    void startThroughANodeWhoseExplicitTargetIsNotInTheRestrictedRing() {
        DistributedSupervisor n3 = harness.start(Nodes.options("n3").nodes(List.of("n1", "n2")));
        Nodes.awaitRing(List.of(n3), List.of("n1", "n2"));
        assertThatThrownBy(() -> n3.startChild(ChildSpec.of(Counter.class), "n3"))
                .isInstanceOfSatisfying(UnknownNodeException.class, e -> assertThat(e.node()).isEqualTo("n3"));
        StartResult r = n3.startChild(ChildSpec.of(Counter.class), "n1");
        assertThat(r.pid().node()).isEqualTo("n1");
        n3.terminateChild(r.pid());
        await().atMost(Duration.ofSeconds(5)).until(() -> n1.whereis(r.id()).isEmpty());
        nothingDisturbed();
    }
}
