package io.distributedsupervisor.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.Child;
import io.distributedsupervisor.ChildContext;
import io.distributedsupervisor.ChildCrashedException;
import io.distributedsupervisor.ChildRef;
import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.ExitReason;
import io.distributedsupervisor.NoSuchChildException;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.StartResult;
import io.distributedsupervisor.SupervisorOptions;
import io.distributedsupervisor.inmemory.InMemoryCluster;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The README's worked example and its unit-test example, run as written there. */
class ReadmeExampleTest {

    public static class Counter implements Child {
        private long count;

        public Counter(Long start) {
            this.count = start;
        }

        @Override
        public Object handleCall(Object request, ChildContext ctx) {
            return switch ((String) request) {
                case "get" -> count;
                case "crash" -> throw new IllegalStateException("boom");
                default -> throw new IllegalArgumentException("unknown " + request);
            };
        }

        @Override
        public void handleCast(Object message, ChildContext ctx) {
            count += (Long) message;
        }

        @Override
        public void handleInfo(Object message, ChildContext ctx) {
            count = 0;
        }

        @Override
        public void terminate(ExitReason reason, ChildContext ctx) {
        }
    }

    /** The README's children live in one package, which their nodes' codec must allow. */
    private static final List<String> ALLOW = List.of("io.distributedsupervisor.demo.*");

    private final InMemoryCluster cluster = new InMemoryCluster();

    @AfterEach
    void close() {
        cluster.close();
    }

    @Test
    void workedExample() {
        DistributedSupervisor n1 = cluster.start(SupervisorOptions.builder("DS").nodeName("n1").allowList(ALLOW));
        DistributedSupervisor n2 = cluster.start(SupervisorOptions.builder("DS").nodeName("n2").allowList(ALLOW));
        DistributedSupervisor n3 = cluster.start(SupervisorOptions.builder("DS").nodeName("n3").allowList(ALLOW));

        StartResult r = n1.startChild(ChildSpec.of(Counter.class, 10L).withId("MGS"));
        StartResult pinned = n1.startChild(ChildSpec.of(Counter.class, 0L).withId("pinned"), "n2");
        StartResult anon = n1.startChild(ChildSpec.of(Counter.class, 0L));
        assertThat(pinned.pid().node()).isEqualTo("n2");
        assertThat(anon.id()).isInstanceOf(java.util.UUID.class);

        n2.cast("MGS", 5L);
        await().until(() -> n3.<Long>call("MGS", "get") == 15L);
        assertThat(n1.send("MGS", "reset")).isTrue();
        await().until(() -> n3.<Long>call("MGS", "get") == 0L);
        Optional<Pid> where = n2.whereis("MGS");
        assertThat(where).isEqualTo(n1.whereis("MGS")).isEqualTo(n3.whereis("MGS")).contains(r.pid());
        ChildRef ref = n3.viaName("MGS");

        assertThatThrownBy(() -> n1.call("MGS", "crash")).isInstanceOf(ChildCrashedException.class)
                .hasCauseInstanceOf(IllegalStateException.class);
        await().until(() -> n1.whereis("MGS").map(p -> p.incarnation().isNewerThan(r.pid().incarnation()))
                .orElse(false));
        assertThat(ref.<Long>call("get")).isEqualTo(10L);

        String home = n1.whereis("MGS").orElseThrow().node();
        DistributedSupervisor survivor = List.of(n1, n2, n3).stream().filter(n -> !n.node().equals(home))
                .findFirst().orElseThrow();
        cluster.crash(home);
        await().until(() -> survivor.whereis("MGS").map(p -> !p.node().equals(home)).orElse(false));
        assertThat(survivor.viaName("MGS").<Long>call("get")).as("a fresh incarnation").isEqualTo(10L);

        assertThat(survivor.terminateChild("MGS")).isTrue();
        assertThatThrownBy(() -> survivor.call("MGS", "get")).isInstanceOf(NoSuchChildException.class);
    }

    @Test
    void survivesTheLossOfItsNode() {
        var n1 = cluster.start(SupervisorOptions.builder("DS").nodeName("n1").allowList(ALLOW));
        var n2 = cluster.start(SupervisorOptions.builder("DS").nodeName("n2").allowList(ALLOW));
        n1.startChild(ChildSpec.of(Counter.class, 0L).withId("c"));
        String home = n1.whereis("c").orElseThrow().node();
        DistributedSupervisor survivor = home.equals("n1") ? n2 : n1;

        cluster.crash(home);

        await().until(() -> survivor.whereis("c").map(p -> p.node().equals(survivor.node())).orElse(false));
        assertThat((Long) survivor.call("c", "get")).isZero();
    }
}
