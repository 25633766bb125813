package io.distributedsupervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ChildSpecTest {

    public static class Counter implements Child {
        final int start;

        public Counter(Integer start) {
            this.start = start;
        }

        public Counter() {
            this(0);
        }
    }

    public static class NoArgOnly implements Child {
    }

    public abstract static class AbstractChild implements Child {
    }

    public static class PrivateConstructor implements Child {
        private PrivateConstructor() {
        }
    }

    public static class NeedsString implements Child {
        public NeedsString(String s) {
        }
    }

    public class Inner implements Child {
    }

    @Test
    void defaultsArePermanentAndFiveSeconds() {
        ChildSpec spec = ChildSpec.of(Counter.class, 10);
        assertThat(spec.type()).isEqualTo(Counter.class);
        assertThat(spec.arg()).isEqualTo(10);
        assertThat(spec.id()).isNull();
        assertThat(spec.restart()).isEqualTo(Restart.PERMANENT);
        assertThat(spec.shutdown()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void withersReturnChangedCopies() {
        ChildSpec base = ChildSpec.of(Counter.class, 1);
        ChildSpec changed = base.withId("MGS").withRestart(Restart.TRANSIENT).withShutdown(Duration.ZERO);
        assertThat(base.id()).isNull();
        assertThat(changed.id()).isEqualTo("MGS");
        assertThat(changed.restart()).isEqualTo(Restart.TRANSIENT);
        assertThat(changed.shutdown()).isZero();
        assertThat(changed).isEqualTo(base.withId("MGS").withRestart(Restart.TRANSIENT).withShutdown(Duration.ZERO));
    }

    @Test
    void aClassWithOnlyANoArgConstructorTakesAnyArgument() {
        assertThat(ChildSpec.of(NoArgOnly.class, "anything").arg()).isEqualTo("anything");
    }

    @Test
    void badSpecsFailAtOnceNamingTheProblem() {
        assertThatThrownBy(() -> ChildSpec.of(String.class)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.lang.String does not implement");
        assertThatThrownBy(() -> ChildSpec.of(AbstractChild.class)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("abstract");
        assertThatThrownBy(() -> ChildSpec.of(Child.class)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("abstract");
        assertThatThrownBy(() -> ChildSpec.of(PrivateConstructor.class)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no public constructor");
        assertThatThrownBy(() -> ChildSpec.of(NeedsString.class, 42)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.lang.Integer");
        assertThatThrownBy(() -> ChildSpec.of(Inner.class)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("inner");
        assertThatThrownBy(() -> ChildSpec.of(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ChildSpec.of(Counter.class).withId(1.5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unsupported child id type java.lang.Double");
        assertThatThrownBy(() -> ChildSpec.of(Counter.class).withShutdown(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative");
        assertThatThrownBy(() -> ChildSpec.of(Counter.class).withRestart(null)).isInstanceOf(NullPointerException.class);
    }
}
