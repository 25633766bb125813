package io.distributedsupervisor.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** What a tool learns from {@link Placement}: keys and ids both ways, and the ring's node for a key. */
class PlacementTest {
    @Test
    void idsAndKeysGoBothWays() {
        UUID uuid = UUID.fromString("6f1c2e1a-0000-4000-8000-000000000001");
        for (Object id : List.of("order-17", "é/ü 1", 42, 42L, uuid)) {
            assertThat(Placement.idOf(Placement.keyOf(id))).as("%s", id).isEqualTo(id);
        }
        assertThat(Placement.keyOf("order-17")).isEqualTo("sorder-17");
        assertThat(Placement.keyOf(42)).isEqualTo("i42");
        assertThat(Placement.keyOf("a/b")).isEqualTo("sa%2Fb");
        assertThatThrownBy(() -> Placement.idOf("x1")).hasMessageContaining("malformed child key 'x1'");
    }

    @Test
    void theRingIsTheSameWhateverTheOrderOfItsNodes() {
        UnaryOperator<String> ring = Placement.ring(List.of("n1", "n2", "n3"));
        UnaryOperator<String> shuffled = Placement.ring(List.of("n3", "n1", "n2", "n1"));
        int[] counts = new int[3];
        for (int i = 0; i < 3000; i++) {
            String key = Placement.keyOf("child-" + i);
            assertThat(shuffled.apply(key)).isEqualTo(ring.apply(key));
            counts[Integer.parseInt(ring.apply(key).substring(1)) - 1]++;
        }
        assertThat(java.util.Arrays.stream(counts).boxed().toList()).allSatisfy(c -> assertThat(c).isBetween(700, 1300));
        assertThatThrownBy(() -> Placement.ring(List.of())).hasMessageContaining("at least one node");
    }
}
