package io.distributedsupervisor.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;

import io.distributedsupervisor.spi.Owner;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The successions a view knows: found by session however many, final, and followed in order. */
class SuccessionsTest {
    private final Successions successions = new Successions();

    private static Successions.Succession of(long session, long czxid, String... heirs) {
        List<ZnodeData.Heir> list = new ArrayList<>();
        for (String h : heirs) {
            list.add(new ZnodeData.Heir(h, h.hashCode()));
        }
        return new Successions.Succession(session, "dead-" + session, czxid, list);
    }

    @Test
    void eachIsFoundByItsSessionInWhateverOrderTheyCame() {
        List<Long> sessions = new ArrayList<>(LongStream.rangeClosed(1, 200).map(i -> i * 7919 - 100_000).boxed().toList());
        Collections.shuffle(sessions, new Random(12));
        for (long s : sessions) {
            assertThat(successions.add(of(s, 1000 + s, "n1"))).isTrue();
        }
        for (long s : sessions) {
            assertThat(successions.of(s).session).isEqualTo(s);
            assertThat(successions.of(s + 1)).isNull();
        }
        assertThat(successions.add(of(sessions.get(0), 5, "n9"))).as("final").isFalse();
        assertThat(successions.of(sessions.get(0)).czxid).isEqualTo(1000 + sessions.get(0));
    }

    @Test
    void anEntryIsFollowedThroughEachSuccessionOlderThanItOnly() {
        Owner entry = new Owner("a", 10, 3, 1);
        assertThat(successions.resolve("k", entry)).isSameAs(entry);
        successions.add(of(1, 20, "b"));
        Owner toB = successions.resolve("k", entry);
        assertThat(toB).isEqualTo(new Owner("b", 20, 0, "b".hashCode()));
        successions.add(of("b".hashCode(), 30, "c"));
        assertThat(successions.resolve("k", entry)).isEqualTo(new Owner("c", 30, 0, "c".hashCode()));
        Owner newer = new Owner("a", 25, 0, 1);
        assertThat(successions.resolve("k", newer)).as("written after its session's succession").isSameAs(newer);
        assertThat(successions.before("k", entry, successions.of("b".hashCode()))).isEqualTo(toB);
    }
}
