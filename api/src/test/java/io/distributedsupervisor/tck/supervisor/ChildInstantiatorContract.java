package io.distributedsupervisor.tck.supervisor;

import static io.distributedsupervisor.tck.supervisor.TestChildren.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.Child;
import io.distributedsupervisor.ChildContext;
import io.distributedsupervisor.ChildCrashedException;
import io.distributedsupervisor.ChildInstantiator;
import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.Restart;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link ChildInstantiator}: each node builds children through its own instantiator (so a child
 * reaches the services of the node it runs on), once per incarnation; what it throws and what it
 * returns wrongly fail the start clearly.
 */
public abstract class ChildInstantiatorContract extends HarnessContract {

    /** A service an instantiator injects: one per node. */
    public record Greeter(String node) {
        String greet(String who) {
            return "hello " + who + " from " + node;
        }
    }

    /** A child whose constructor takes an injected service and no argument the reflective default could give. */
    public static final class Greeting implements Child {
        private final Greeter greeter;

        public Greeting(Greeter greeter) {
            this.greeter = greeter;
        }

        @Override
        public Object handleCall(Object request, ChildContext ctx) {
            if ("crash".equals(request)) {
                throw new IllegalStateException("asked to crash");
            }
            return greeter.greet(ctx.arg() + "/" + request);
        }
    }

    /** Something that is not a {@link Greeting}. */
    public static final class Other implements Child {
    }

    /** Builds {@link Greeting}s with this node's {@link Greeter}, counting its calls. */
    private static ChildInstantiator injecting(String node, AtomicInteger built) {
        Greeter greeter = new Greeter(node);
        return (type, arg) -> {
            built.incrementAndGet();
            if (type == Greeting.class) {
                return new Greeting(greeter);
            }
            return ChildInstantiator.reflective().instantiate(type, arg);
        };
    }

    @Test
    void aChildGetsTheServicesOfTheNodeItRunsOnOncePerIncarnation() {
        AtomicInteger builtOnN1 = new AtomicInteger();
        AtomicInteger builtOnN2 = new AtomicInteger();
        List<DistributedSupervisor> nodes = Nodes.start(harness, 2, (name, b) -> b.childInstantiator(
                injecting(name, name.equals("n1") ? builtOnN1 : builtOnN2)));
        DistributedSupervisor n1 = nodes.get(0);
        String id = uniqueId("greeting");

        Pid first = n1.startChild(ChildSpec.injected(Greeting.class, "arg").withId(id), "n2").pid();

        assertThat(n1.<String>call(id, "x")).isEqualTo("hello arg/x from n2");
        assertThat(builtOnN2).hasValue(1);
        assertThat(builtOnN1).hasValue(0);

        assertThatThrownBy(() -> n1.call(id, "crash")).isInstanceOf(ChildCrashedException.class);
        await().until(() -> n1.whereis(id).filter(p -> !p.equals(first)).isPresent());
        assertThat(n1.<String>call(id, "y")).isEqualTo("hello arg/y from n2");
        assertThat(builtOnN2).as("a new instance for the restart").hasValue(2);
    }

    @Test
    void anInstantiatorThatThrowsFailsTheStart() {
        List<DistributedSupervisor> nodes = Nodes.start(harness, 1, (name, b) -> b.childInstantiator((type, arg) -> {
            throw new IllegalStateException("no bean for " + type.getSimpleName());
        }));
        String id = uniqueId("throws");

        assertThatThrownBy(() -> nodes.get(0).startChild(ChildSpec.injected(Greeting.class).withId(id)
                        .withRestart(Restart.TEMPORARY)))
                .isInstanceOf(ChildCrashedException.class)
                .hasMessageContaining("no bean for Greeting");
        assertThat(nodes.get(0).whereis(id)).isEmpty();
    }

    @Test
    void anInstanceOfAnotherClassIsRefusedNamingBoth() {
        List<DistributedSupervisor> nodes = Nodes.start(harness, 1,
                (name, b) -> b.childInstantiator((type, arg) -> new Other()));

        assertThatThrownBy(() -> nodes.get(0).startChild(ChildSpec.injected(Greeting.class).withId(uniqueId("wrong"))
                        .withRestart(Restart.TEMPORARY)))
                .isInstanceOf(ChildCrashedException.class)
                .hasMessageContaining(Other.class.getName())
                .hasMessageContaining(Greeting.class.getName())
                .hasMessageContaining("must return a new instance of that class");
    }

    @Test
    void nullIsRefused() {
        List<DistributedSupervisor> nodes = Nodes.start(harness, 1, (name, b) -> b.childInstantiator((type, arg) -> null));

        assertThatThrownBy(() -> nodes.get(0).startChild(ChildSpec.injected(Greeting.class).withId(uniqueId("null"))
                        .withRestart(Restart.TEMPORARY)))
                .isInstanceOf(ChildCrashedException.class)
                .hasMessageContaining("returned null");
    }

    @Test
    void anInjectedSpecWithTheReflectiveDefaultFailsAtStartNamingTheConstructor() {
        List<DistributedSupervisor> nodes = Nodes.start(harness, 1);

        assertThatThrownBy(() -> nodes.get(0).startChild(ChildSpec.injected(Greeting.class, "text").withId(uniqueId("plain"))
                        .withRestart(Restart.TEMPORARY)))
                .isInstanceOf(ChildCrashedException.class)
                .hasMessageContaining("no usable constructor");
    }

    @Test
    void injectedStillChecksTheClass() {
        assertThatThrownBy(() -> ChildSpec.injected(String.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not implement");
        assertThatThrownBy(() -> ChildSpec.injected(Child.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("abstract");
    }
}
