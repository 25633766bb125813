package io.distributedsupervisor.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChildEntriesTest {
    private final ChildEntries<String, Integer> entries = new ChildEntries<>();

    @Test
    void eachPartActsAsAMapOfItsOwn() {
        entries.specs.put("a", "spec-a");
        entries.owners.put("b", 2);

        assertThat(entries.specs.get("a")).isEqualTo("spec-a");
        assertThat(entries.owners.get("a")).isNull();
        assertThat(entries.specs.containsKey("b")).isFalse();
        assertThat(entries.owners.containsKey("b")).isTrue();
        assertThat(entries.specs.keys()).containsExactly("a");
        assertThat(entries.owners.keys()).containsExactly("b");
    }

    @Test
    void aKeyWithBothPartsKeepsOneWhenTheOtherIsRemoved() {
        entries.specs.put("k", "spec");
        entries.owners.put("k", 1);

        assertThat(entries.owners.remove("k")).isEqualTo(1);
        assertThat(entries.specs.get("k")).isEqualTo("spec");
        assertThat(entries.specs.remove("k", "other spec")).isFalse();
        assertThat(entries.specs.remove("k", "spec")).isTrue();
        assertThat(entries.specs.keys()).isEmpty();
        assertThat(entries.owners.keys()).isEmpty();
    }

    @Test
    void theFirstInstanceOfAKeyIsKeptForBothParts() {
        String first = new String("key");
        String second = new String("key");
        entries.specs.put(first, "spec");
        entries.owners.put(second, 7);

        Map<String, Integer> seen = new HashMap<>();
        entries.owners.forEach(seen::put);
        assertThat(seen).containsEntry("key", 7);
        assertThat(seen.keySet().iterator().next()).isSameAs(first);
    }

    @Test
    void mergePutIfAbsentAndComputeIfPresentFollowTheMapContract() {
        assertThat(entries.owners.putIfAbsent("k", 1)).isNull();
        assertThat(entries.owners.putIfAbsent("k", 2)).isEqualTo(1);
        assertThat(entries.owners.merge("k", 5, Math::max)).isEqualTo(5);
        assertThat(entries.owners.merge("k", 3, Math::max)).isEqualTo(5);
        assertThat(entries.specs.computeIfPresent("k", (k, v) -> v + "!")).isNull();
        assertThat(entries.specs.containsKey("k")).isFalse();
        assertThat(entries.owners.computeIfPresent("k", (k, v) -> null)).isNull();
        assertThat(entries.owners.keys()).isEmpty();
    }

    @Test
    void anyMatchLooksAtOnePartOnly() {
        entries.specs.put("a", "x");
        entries.owners.put("b", 9);

        assertThat(entries.owners.anyMatch(v -> v == 9)).isTrue();
        assertThat(entries.owners.anyMatch(v -> v == 1)).isFalse();
        assertThat(entries.specs.anyMatch("x"::equals)).isTrue();
    }

    @Test
    void theKeysWithASpecAndNoOwnerAreTheOnesToldAsEachChangeMakesOrEndsOne() {
        entries.specs.put("stored", "spec");
        entries.specs.put("claimed", "spec");
        entries.owners.put("claimed", 1);
        entries.owners.put("owner-only", 2);
        assertThat(withoutOwner()).containsExactly("stored");

        entries.owners.put("stored", 3); // claimed
        entries.owners.remove("claimed"); // released, its spec kept
        assertThat(withoutOwner()).containsExactly("claimed");

        entries.specs.computeIfPresent("claimed", (k, v) -> v + "!"); // its slot changes, still no owner
        entries.specs.put("owner-only", "spec"); // a spec for a key that has an owner already
        assertThat(withoutOwner()).containsExactly("claimed");

        entries.specs.remove("claimed", "spec!"); // its spec deleted
        entries.owners.remove("stored");
        assertThat(withoutOwner()).containsExactly("stored");
        entries.specs.remove("stored");
        assertThat(withoutOwner()).isEmpty();
        assertThat(entries.specs.keys()).containsExactly("owner-only");
    }

    @Test
    void theKeysWithoutOwnerStayRightUnderConcurrentClaimsAndReleases() throws Exception {
        int keys = 2_000;
        for (int i = 0; i < keys; i++) {
            entries.specs.put("k" + i, "spec");
        }
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int from = t;
            threads.add(Thread.startVirtualThread(() -> {
                for (int round = 0; round < 50; round++) {
                    for (int i = from; i < keys; i += 2) {
                        if (round % 2 == 0) {
                            entries.owners.merge("k" + i, i, Math::max);
                        } else {
                            entries.owners.remove("k" + i);
                        }
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        List<String> expected = new ArrayList<>();
        entries.specs.forEach((k, v) -> {
            if (entries.owners.get(k) == null) {
                expected.add(k);
            }
        });
        assertThat(withoutOwner()).containsExactlyInAnyOrderElementsOf(expected);
    }

    private List<String> withoutOwner() {
        List<String> keys = new ArrayList<>();
        entries.forEachSpecWithoutOwner(keys::add);
        return keys;
    }
}
