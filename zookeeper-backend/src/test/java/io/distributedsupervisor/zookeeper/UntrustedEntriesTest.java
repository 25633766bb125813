package io.distributedsupervisor.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;

import io.distributedsupervisor.spi.SessionListener;
import io.distributedsupervisor.tck.LogCapture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Untrusted entries are told once each, to the log within a budget and to the listener always; memory stays bounded. */
class UntrustedEntriesTest {
    private final List<String> told = new ArrayList<>();
    private final AtomicLong now = new AtomicLong(1_000);
    private final UntrustedEntries entries = new UntrustedEntries("n1", new SessionListener() {
        @Override
        public void onUntrusted(String what, String why) {
            told.add(what + " " + why);
        }
    }, () -> false, now::get);

    @Test
    void anEntryIsToldOnceUntilItIsMadeAgain() {
        try (LogCapture log = LogCapture.start()) {
            assertThat(entries.report("/ns/DS/members/ghost", 5, "no proof")).isTrue();
            assertThat(entries.report("/ns/DS/members/ghost", 5, "no proof")).isFalse();
            assertThat(entries.report("/ns/DS/members/ghost", 5, "another reason")).isFalse();
            assertThat(entries.report("/ns/DS/members/ghost", 9, "no proof")).as("a new znode at that path").isTrue();
            entries.forget("/ns/DS/members/ghost");
            assertThat(entries.report("/ns/DS/members/ghost", 9, "no proof")).as("forgotten once deleted").isTrue();
            assertThat(told).containsExactly("/ns/DS/members/ghost no proof", "/ns/DS/members/ghost no proof",
                    "/ns/DS/members/ghost no proof");
            assertThat(log.lines("node n1: ignoring /ns/DS/members/ghost: no proof")).isEqualTo(3);
        }
    }

    @Test
    void aFloodIsLoggedWithinABudgetAndSummedUpOnceAMinuteLater() {
        try (LogCapture log = LogCapture.start()) {
            for (int i = 0; i < 500; i++) {
                entries.report("/ns/DS/owners/k" + i, 1, "forged");
            }
            assertThat(told).hasSize(500);
            assertThat(log.lines("node n1: ignoring /ns/DS/owners/k")).isEqualTo(UntrustedEntries.LINES_PER_MINUTE);
            now.addAndGet(TimeUnit.SECONDS.toNanos(61));
            entries.report("/ns/DS/owners/late", 1, "forged");
            assertThat(log.lines("node n1: " + (500 - UntrustedEntries.LINES_PER_MINUTE)
                    + " more untrusted znodes were ignored in the last minute")).isEqualTo(1);
            assertThat(log.lines("node n1: ignoring /ns/DS/owners/late: forged")).isEqualTo(1);
        }
    }

    @Test
    void whatIsRememberedIsBounded() {
        for (int i = 0; i < 3 * UntrustedEntries.REMEMBERED; i++) {
            entries.report("/ns/DS/members/m" + i, 1, "forged");
        }
        assertThat(entries.remembered()).isEqualTo(UntrustedEntries.REMEMBERED);
    }
}
