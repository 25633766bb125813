package io.distributedsupervisor.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class AllowListTest {

    @Test
    void patterns_match_as_object_input_filter_does() {
        AllowList list = AllowList.of(List.of("com.example.Foo", "org.one.*", "org.tree.**", "net.Prefix*"));

        assertThat(list.allows("com.example.Foo")).isTrue();
        assertThat(list.allows("com.example.Foo2")).as("exact name only").isFalse();
        assertThat(list.allows("com.example.Bar")).isFalse();
        assertThat(list.allows("org.one.A")).isTrue();
        assertThat(list.allows("org.one.A$Inner")).isTrue();
        assertThat(list.allows("org.one.sub.A")).as(".* is one package").isFalse();
        assertThat(list.allows("org.tree.A")).isTrue();
        assertThat(list.allows("org.tree.sub.deeper.A")).as(".** takes subpackages").isTrue();
        assertThat(list.allows("org.treehouse.A")).isFalse();
        assertThat(list.allows("net.PrefixAnything")).isTrue();
        assertThat(list.allows("net.Other")).isFalse();
    }

    @Test
    void the_first_matching_pattern_decides_and_no_match_refuses() {
        AllowList list = AllowList.of(List.of("!org.one.Bad", "org.one.*", "org.two.*", "!org.two.Late"));

        assertThat(list.allows("org.one.Bad")).isFalse();
        assertThat(list.allows("org.one.Good")).isTrue();
        assertThat(list.allows("org.two.Late")).as("an earlier pattern already allowed it").isTrue();
        assertThat(list.allows("org.three.Any")).isFalse();
    }

    @Test
    void arrays_are_judged_by_their_element_class() {
        AllowList list = AllowList.of(List.of("com.example.Foo"));

        assertThat(list.allows("[Lcom.example.Foo;")).isTrue();
        assertThat(list.allows("[[Lcom.example.Foo;")).isTrue();
        assertThat(list.allows("[Lcom.example.Bar;")).isFalse();
        assertThat(list.allows("[I")).isTrue();
        assertThat(list.allows("[[J")).isTrue();
        for (String malformed : List.of("[X", "[Lcom.example.Foo", "[L;", "[", "[[")) {
            assertThat(list.allows(malformed)).as(malformed).isFalse();
        }
    }

    @Test
    void only_plain_binary_names_can_be_allowed() {
        AllowList everything = AllowList.of(List.of("*"));

        assertThat(everything.allows("any.Thing$1")).isTrue();
        // A generic signature would make a loader parse and load more names than the one checked.
        for (String notAName : List.of("java.util.ArrayList<evil.Gadget>", "a..B", ".a.B", "a.B.", "a/B", "a B", "",
                "java.lang.String\u0000")) {
            assertThat(everything.allows(notAName)).as("'%s'", notAName).isFalse();
        }
    }

    @Test
    void defaults_hold_the_value_types_and_not_the_runtime_or_the_spi() {
        AllowList defaults = AllowList.defaults();

        for (Class<?> allowed : List.of(io.distributedsupervisor.Pid.class, io.distributedsupervisor.ExitReason.Kind.class,
                io.distributedsupervisor.RemoteChildException.class, Long.class, String.class, java.util.UUID.class,
                java.time.ZonedDateTime.class, List.of(1).getClass(), java.util.Collections.emptyMap().getClass(),
                java.util.Arrays.asList().getClass(), IllegalStateException.class, StackTraceElement.class,
                java.util.concurrent.TimeUnit.class, java.math.BigDecimal.class, Class.class)) {
            assertThat(defaults.allows(allowed.getName())).as(allowed.getName()).isTrue();
        }
        for (String refused : List.of("io.distributedsupervisor.internal.Protocol", "io.distributedsupervisor.spi.Member",
                "io.distributedsupervisor.codec.CborCodec", "io.distributedsupervisor.DistributedSupervisor",
                "java.util.PriorityQueue", "javax.management.BadAttributeValueExpException", "java.net.URL",
                "java.util.concurrent.atomic.AtomicLong", "java.lang.Runtime", "java.lang.ProcessBuilder")) {
            assertThat(defaults.allows(refused)).as(refused).isFalse();
        }
    }

    @Test
    void and_appends_after_the_defaults_and_of_starts_empty() {
        AllowList extended = AllowList.defaults().and(List.of("com.example.**", " org.Spaced "));

        assertThat(extended.patterns()).startsWith(AllowList.defaults().patterns().toArray(String[]::new))
                .endsWith("com.example.**", "org.Spaced");
        assertThat(extended.allows("com.example.deep.Type")).isTrue();
        assertThat(extended.allows("org.Spaced")).isTrue();
        // The defaults come first, so a refusal added after them cannot take back what they allow.
        assertThat(AllowList.defaults().and(List.of("!java.lang.Long")).allows("java.lang.Long")).isTrue();
        assertThat(AllowList.of(List.of("!java.lang.Long", "java.lang.*")).allows("java.lang.Long")).isFalse();
        assertThat(AllowList.of(List.of()).allows("java.lang.String")).isFalse();
        assertThat(extended).isEqualTo(AllowList.defaults().and(List.of("com.example.**", "org.Spaced")))
                .hasSameHashCodeAs(AllowList.defaults().and(List.of("com.example.**", "org.Spaced")));
        assertThat(extended.toString()).isEqualTo("AllowList.defaults().and([com.example.**, org.Spaced])");
        assertThat(AllowList.defaults()).hasToString("AllowList.defaults()");
        assertThat(AllowList.of(List.of("a.B"))).hasToString("AllowList.of([a.B])");
    }

    @Test
    void invalid_patterns_are_refused_with_a_message_naming_them() {
        for (String bad : List.of("", "  ", "a.B;c.D", "maxdepth=5", "java.base/java.util.*", "a*b", "*.Foo", "a.**.B",
                "com..Foo", "!", "a b", "com.example.*x")) {
            assertThatThrownBy(() -> AllowList.of(List.of(bad))).as("pattern '%s'", bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'" + bad + "'");
            assertThatThrownBy(() -> AllowList.defaults().and(List.of(bad))).as("pattern '%s'", bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> AllowList.of(java.util.Arrays.asList("a.B", null)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'null'");
    }
}
