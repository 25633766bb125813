package io.distributedsupervisor.zookeeper.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Rate-limited lines about bad peers, on a clock moved by hand. */
class PeerLogTest {
    private final List<String> lines = new ArrayList<>();
    private final AtomicLong now = new AtomicLong();

    private PeerLog log(int addresses, int linesPerMinute) {
        return new PeerLog(lines::add, now::get, addresses, linesPerMinute);
    }

    private void advanceSeconds(long seconds) {
        now.addAndGet(TimeUnit.SECONDS.toNanos(seconds));
    }

    @Test
    void the_first_of_a_kind_per_address_then_a_count_once_a_minute() {
        PeerLog log = log(100, 100);
        for (int i = 0; i < 2000; i++) {
            log.warn("10.0.0.1", "failed handshakes", "bad " + i);
        }
        log.warn("10.0.0.1", "bad frames", "frame");
        log.warn("10.0.0.2", "failed handshakes", "other");
        assertThat(lines).containsExactly("bad 0", "frame", "other");

        advanceSeconds(30);
        log.flush();
        assertThat(lines).hasSize(3); // its minute is not over

        advanceSeconds(31);
        log.flush();
        assertThat(lines).hasSize(4).last().asString().startsWith("1999 more failed handshakes from 10.0.0.1 in the last minute")
                .endsWith("the last: bad 1999");
        log.warn("10.0.0.1", "failed handshakes", "again");
        assertThat(lines).hasSize(4); // within a minute of the count

        advanceSeconds(61);
        log.warn("10.0.0.1", "failed handshakes", "later");
        assertThat(lines.get(4)).isEqualTo("later (1 more failed handshakes from 10.0.0.1 before this one, not logged one by one)");
    }

    @Test
    void many_addresses_get_no_more_lines_than_the_bound_and_the_rest_is_counted() {
        PeerLog log = log(50, 20);
        for (int i = 0; i < 10_000; i++) {
            log.warn("10.0." + (i / 250) + "." + (i % 250), "refused connections", "refused " + i);
        }
        assertThat(lines).hasSize(20);
        advanceSeconds(61);
        log.flush();
        assertThat(lines).hasSize(21).last().asString().startsWith("9980 more events about bad peers were not logged");
    }
}
