package io.distributedsupervisor.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;

import io.distributedsupervisor.Scheduler;
import io.distributedsupervisor.spi.Owner;
import io.distributedsupervisor.spi.SessionListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The view's owner entries with a failover margin: another node's entry whose znode is gone stays
 * for the margin, and its removal is told when the margin ends, or at once when a new claim
 * replaces it first (a planned move's new owner claims within milliseconds; the runtime keeps a
 * sender's order across the move only if it hears that the child left the old node).
 */
class OwnerEntriesTest {
    private static final long OURS = 0x1;
    private static final long THEIRS = 0x2;
    private static final long NEWCOMER = 0x3;

    private record Removal(String key, Owner previous) {
    }

    private final List<Removal> told = new ArrayList<>();
    private final List<Runnable> timers = new ArrayList<>();
    private final Scheduler scheduler = (task, delay, unit) -> {
        timers.add(task);
        return new CompletableFuture<>();
    };
    private final SessionListener listener = new SessionListener() {
        @Override
        public void onOwnerRemoved(String key, Owner previous) {
            told.add(new Removal(key, previous));
        }
    };
    private final OwnerEntries entries = new OwnerEntries(new ChildEntries<SpecSlot, Owner>().owners, OURS,
            ZnodeLayout.of("S"), listener, Duration.ofSeconds(5), scheduler, () -> false, null, null);

    @Test
    void anEntryKeptForTheMarginIsToldRemovedWhenANewClaimReplacesIt() {
        Owner old = new Owner("n2", 100, 0, THEIRS);
        entries.put("k", old);

        entries.remove("k", 200);
        assertThat(entries.get("k")).as("kept for the margin").isEqualTo(old);
        assertThat(told).isEmpty();

        Owner moved = new Owner("n3", 201, 0, NEWCOMER);
        entries.put("k", moved);

        assertThat(entries.get("k")).isEqualTo(moved);
        assertThat(told).containsExactly(new Removal("k", old));

        timers.forEach(Runnable::run); // the margin ends
        assertThat(told).as("told once").hasSize(1);
        assertThat(entries.get("k")).isEqualTo(moved);
    }

    @Test
    void anEntryKeptForTheMarginIsToldRemovedWhenTheMarginEnds() {
        Owner old = new Owner("n2", 100, 0, THEIRS);
        entries.put("k", old);
        entries.remove("k", 200);

        timers.forEach(Runnable::run);

        assertThat(entries.get("k")).isNull();
        assertThat(told).containsExactly(new Removal("k", old));
    }

    @Test
    void theSameEntryReadLateIsNoNewClaim() {
        Owner old = new Owner("n2", 100, 0, THEIRS);
        entries.put("k", old);
        entries.remove("k", 200);

        entries.put("k", new Owner("n2", 100, 0, THEIRS)); // the same entry, read late

        assertThat(told).as("nothing replaced it").isEmpty();
        timers.forEach(Runnable::run);
        assertThat(told).containsExactly(new Removal("k", old));
    }

    @Test
    void thisSessionsOwnEntriesHaveNoMargin() {
        Owner ours = new Owner("n1", 100, 0, OURS);
        entries.put("k", ours);

        entries.remove("k", 200);

        assertThat(entries.get("k")).isNull();
        assertThat(told).containsExactly(new Removal("k", ours));
        assertThat(timers).isEmpty();
    }
}
