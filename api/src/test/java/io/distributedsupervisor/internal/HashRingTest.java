package io.distributedsupervisor.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HashRingTest {
    private static final int KEYS = 100_000;

    @Test
    void threeNodesEachHoldAThirdWithinTenPercent() {
        HashRing ring = HashRing.of(List.of("n1", "n2", "n3"));
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < KEYS; i++) {
            counts.merge(ring.nodeFor(ChildKey.encode("child-" + i)), 1, Integer::sum);
        }
        double third = KEYS / 3.0;
        assertThat(counts).hasSize(3);
        counts.forEach((node, n) -> assertThat((double) n).as("keys on %s", node).isBetween(third * 0.9, third * 1.1));
    }

    @Test
    void aFourthNodeMovesAtMostThirtyPercentOfKeysAndOnlyToItself() {
        HashRing three = HashRing.of(List.of("n1", "n2", "n3"));
        HashRing four = HashRing.of(List.of("n1", "n2", "n3", "n4"));
        int moved = 0;
        for (int i = 0; i < KEYS; i++) {
            String key = ChildKey.encode((long) i);
            String before = three.nodeFor(key);
            String after = four.nodeFor(key);
            if (!before.equals(after)) {
                moved++;
                assertThat(after).as("a moved key goes to the newcomer").isEqualTo("n4");
            }
        }
        assertThat(moved).isPositive().isLessThanOrEqualTo((int) (KEYS * 0.30));
    }

    @Test
    void placementDoesNotDependOnTheOrderNodesAreGivenIn() {
        HashRing a = HashRing.of(List.of("n3", "n1", "n2"));
        HashRing b = HashRing.of(List.of("n1", "n2", "n3", "n2"));
        for (int i = 0; i < 1_000; i++) {
            String key = ChildKey.encode(i);
            assertThat(a.nodeFor(key)).isEqualTo(b.nodeFor(key));
        }
        assertThat(a.nodes()).containsExactly("n1", "n2", "n3");
        assertThat(a.contains("n2")).isTrue();
        assertThat(a.contains("n4")).isFalse();
    }

    @Test
    void anEmptyRingRefusesToPlace() {
        HashRing empty = HashRing.of(List.of());
        assertThat(empty.isEmpty()).isTrue();
        assertThatThrownBy(() -> empty.nodeFor("sx")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no live node");
    }
}
