package io.distributedsupervisor.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ChildKeyTest {

    @Test
    void everySupportedIdRoundTripsWithItsType() {
        List<Object> ids = List.of("MGS", "with space/and slash", "ünïcødé ✓", "%41", ".", "..", 5, 5L, -7L,
                Integer.MIN_VALUE, Long.MAX_VALUE, UUID.randomUUID(), "x".repeat(ChildKey.MAX_STRING_ID));
        for (Object id : ids) {
            String key = ChildKey.encode(id);
            assertThat(key).doesNotContain("/").isNotIn(".", "..");
            assertThat(ChildKey.decode(key)).isEqualTo(id).hasSameClassAs(id);
        }
    }

    @Test
    void integerAndLongWithTheSameValueAreDifferentIds() {
        assertThat(ChildKey.encode(5)).isNotEqualTo(ChildKey.encode(5L));
    }

    @Test
    void unsupportedOrInvalidIdsAreRejectedWithTheReason() {
        assertThatThrownBy(() -> ChildKey.encode(3.5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.lang.Double").hasMessageContaining("String, Integer, Long or UUID");
        assertThatThrownBy(() -> ChildKey.encode("")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1 to 512");
        assertThatThrownBy(() -> ChildKey.encode("x".repeat(513))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ChildKey.encode(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("child id");
    }

    @Test
    void malformedKeysAreRejectedNotMisread() {
        for (String bad : List.of("", "x12", "iabc", "l", "unot-a-uuid", "s", "s%4", "s%zz", "sa/b")) {
            assertThatThrownBy(() -> ChildKey.decode(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
