package io.distributedsupervisor.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;

import io.distributedsupervisor.spi.Owner;
import io.distributedsupervisor.spi.Placement;
import io.distributedsupervisor.spi.SessionListener;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The view's owner entries and successions: an entry of an ended session stands for the heir the
 * ring over the succession's heirs names, with the succession's czxid as epoch; what a
 * succession changes for this node is told once; an entry written after the succession is its
 * session's own.
 */
class OwnerEntriesTest {
    private static final long OURS = 0x1;
    private static final long DEAD = 0x2;
    private static final long OTHER = 0x3;
    private static final List<ZnodeData.Heir> HEIRS = List.of(new ZnodeData.Heir("n1", OURS),
            new ZnodeData.Heir("n3", OTHER));

    private record Removal(String key, Owner previous) {
    }

    private final List<Removal> told = new ArrayList<>();
    private final List<String> inherited = new ArrayList<>();
    /** The {@code more} flag of each telling of inherited keys, in order. */
    private final List<Boolean> moreFlags = new ArrayList<>();
    private final SessionListener listener = new SessionListener() {
        @Override
        public void onOwnerRemoved(String key, Owner previous) {
            told.add(new Removal(key, previous));
        }

        @Override
        public void onInherited(Collection<String> keys, boolean more) {
            inherited.addAll(keys);
            moreFlags.add(more);
        }
    };
    private final Set<String> specs = new HashSet<>();
    private final Successions successions = new Successions();
    private final OwnerEntries entries = new OwnerEntries(new ChildEntries<SpecSlot, Owner>().owners, OURS,
            ZnodeLayout.of("S"), listener, () -> false, null, null, successions, specs::contains);

    /** Keys of {@code count} children, with a spec each, owned by the dead session n2 at epoch 100. */
    private List<String> deadNodesChildren(int count) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String key = "sc" + i;
            keys.add(key);
            specs.add(key);
            entries.put(key, new Owner("n2", 100, 2, DEAD));
        }
        return keys;
    }

    @Test
    void aSuccessionGivesEachEntryToTheRingsHeirWithItsEpochAndTellsThisNodeItsShare() {
        List<String> keys = deadNodesChildren(40);
        Successions.Succession s = new Successions.Succession(DEAD, "n2", 500, HEIRS);
        successions.add(s);

        List<String> sweep = entries.succeeded(s).withoutHeir();

        var ring = Placement.ring(List.of("n1", "n3"));
        List<String> ours = keys.stream().filter(k -> ring.apply(k).equals("n1")).toList();
        assertThat(ours).isNotEmpty().hasSizeLessThan(keys.size());
        assertThat(inherited).containsExactlyInAnyOrderElementsOf(ours);
        assertThat(moreFlags).as("told in one part, the last").containsExactly(false);
        for (String key : keys) {
            boolean mine = ring.apply(key).equals("n1");
            assertThat(entries.get(key)).as(key).isEqualTo(new Owner(mine ? "n1" : "n3", 500, 0, mine ? OURS : OTHER));
            assertThat(entries.raw(key)).as("nothing written").isEqualTo(new Owner("n2", 100, 2, DEAD));
        }
        assertThat(told).as("no entry of this session, none without heir").isEmpty();
        assertThat(sweep).isEmpty();
    }

    @Test
    void aLargeShareIsToldInPartsWhileTheScanGoesOnEachKeyOnce() {
        List<String> parts = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        List<Boolean> more = new ArrayList<>();
        OwnerEntries counted = new OwnerEntries(new ChildEntries<SpecSlot, Owner>().owners, OURS, ZnodeLayout.of("S"),
                new SessionListener() {
                    @Override
                    public void onInherited(Collection<String> keys, boolean follow) {
                        sizes.add(keys.size());
                        more.add(follow);
                        parts.addAll(keys);
                    }
                }, () -> false, null, null, successions, k -> true);
        int n = 5 * OwnerEntries.INHERITED_TOLD_TOGETHER;
        for (int i = 0; i < n; i++) {
            counted.put("sc" + i, new Owner("n2", 100, 2, DEAD));
        }
        Successions.Succession s = new Successions.Succession(DEAD, "n2", 500, HEIRS);
        successions.add(s);

        List<String> share = counted.succeeded(s).inherited();

        assertThat(share).hasSizeBetween(n / 4, 3 * n / 4);
        assertThat(parts).as("every key of the share told once").containsExactlyInAnyOrderElementsOf(share)
                .doesNotHaveDuplicates();
        assertThat(sizes).as("told in parts").hasSizeGreaterThan(1);
        int last = sizes.size() - 1;
        assertThat(sizes.subList(0, last)).as("full parts while the scan goes on")
                .containsOnly(OwnerEntries.INHERITED_TOLD_TOGETHER);
        assertThat(sizes.get(last)).as("the rest").isBetween(0, OwnerEntries.INHERITED_TOLD_TOGETHER - 1);
        assertThat(more.subList(0, last)).as("more follow").containsOnly(true);
        assertThat(more.get(last)).as("the last part says so").isFalse();
    }

    @Test
    void aSuccessionThatGivesThisNodeNothingTellsItNothing() {
        List<String> keys = deadNodesChildren(40);
        Successions.Succession s = new Successions.Succession(DEAD, "n2", 500, List.of(HEIRS.get(1)));
        successions.add(s);

        entries.succeeded(s);

        assertThat(keys).allSatisfy(key -> assertThat(entries.get(key).node()).isEqualTo("n3"));
        assertThat(moreFlags).as("no part, not even an empty last one").isEmpty();
        assertThat(inherited).isEmpty();
    }

    @Test
    void anEntryWithoutSpecHasNoHeirAndIsToldGoneEverywhereAndSweptByItsHeir() {
        Owner temporary = new Owner("n2", 100, 0, DEAD);
        List<String> keys = List.of("st0", "st1", "st2", "st3", "st4", "st5");
        keys.forEach(k -> entries.put(k, temporary));
        Successions.Succession s = new Successions.Succession(DEAD, "n2", 500, HEIRS);
        successions.add(s);

        List<String> sweep = entries.succeeded(s).withoutHeir();

        keys.forEach(k -> assertThat(entries.get(k)).as(k).isNull());
        assertThat(told).extracting(Removal::key).containsExactlyInAnyOrderElementsOf(keys);
        assertThat(told).extracting(Removal::previous).containsOnly(temporary);
        var ring = Placement.ring(List.of("n1", "n3"));
        assertThat(sweep).containsExactlyInAnyOrderElementsOf(keys.stream().filter(k -> ring.apply(k).equals("n1")).toList());
        assertThat(inherited).isEmpty();

        entries.remove("st0", 600); // its heir deleted it
        assertThat(told).as("told once").hasSize(keys.size());
    }

    @Test
    void anEntryWrittenAfterTheSuccessionIsItsSessionsOwn() {
        specs.add("sk");
        Owner later = new Owner("n2", 700, 0, DEAD);
        entries.put("sk", later);
        successions.add(new Successions.Succession(DEAD, "n2", 500, HEIRS));

        assertThat(entries.get("sk")).isEqualTo(later);
    }

    @Test
    void anHeirsEndedSessionPassesItsShareOnAndThisNodeLosesWhatWasTakenFromIt() {
        List<String> keys = deadNodesChildren(40);
        Successions.Succession first = new Successions.Succession(DEAD, "n2", 500, HEIRS);
        successions.add(first);
        entries.succeeded(first);
        // This node's own session is succeeded (say its member znode was deleted by hand): n3 takes all.
        Successions.Succession second = new Successions.Succession(OURS, "n1", 800,
                List.of(new ZnodeData.Heir("n3", OTHER)));
        successions.add(second);
        inherited.clear();

        entries.succeeded(second);

        var ring = Placement.ring(List.of("n1", "n3"));
        List<String> wereOurs = keys.stream().filter(k -> ring.apply(k).equals("n1")).toList();
        keys.forEach(k -> assertThat(entries.get(k)).as(k).isEqualTo(wereOurs.contains(k)
                ? new Owner("n3", 800, 0, OTHER) : new Owner("n3", 500, 0, OTHER)));
        assertThat(told).as("this node drops what it held").containsExactlyInAnyOrderElementsOf(
                wereOurs.stream().map(k -> new Removal(k, new Owner("n1", 500, 0, OURS))).toList());
        assertThat(inherited).isEmpty();
    }

    @Test
    void releasingAnInheritedEntryTellsTheEntryThatStoodForIt() {
        List<String> keys = deadNodesChildren(20);
        Successions.Succession s = new Successions.Succession(DEAD, "n2", 500, HEIRS);
        successions.add(s);
        entries.succeeded(s);
        String mine = inherited.get(0);

        entries.released(mine);
        assertThat(entries.get(mine)).isNull();
        entries.remove(mine, 900);

        assertThat(told).containsExactly(new Removal(mine, new Owner("n1", 500, 0, OURS)));
        assertThat(keys).contains(mine);
    }

    @Test
    void theSameEntryReadLateIsNoNewClaim() {
        Owner newer = new Owner("n2", 300, 1, OTHER);
        entries.put("k", newer);

        entries.put("k", new Owner("n2", 100, 0, DEAD)); // an older entry, read late

        assertThat(entries.get("k")).isEqualTo(newer);
    }
}
