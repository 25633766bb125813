package io.distributedsupervisor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RestartIntensityTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void allowsMaxRestartsWithinTheWindowThenRefuses() {
        RestartIntensity r = new RestartIntensity(3);
        assertThat(r.allow(0, 3, SECOND)).isTrue();
        assertThat(r.allow(10, 3, SECOND)).isTrue();
        assertThat(r.allow(20, 3, SECOND)).isTrue();
        assertThat(r.allow(30, 3, SECOND)).isFalse();
    }

    @Test
    void restartsOlderThanTheWindowNoLongerCount() {
        RestartIntensity r = new RestartIntensity(2);
        assertThat(r.allow(0, 2, SECOND)).isTrue();
        assertThat(r.allow(SECOND / 2, 2, SECOND)).isTrue();
        assertThat(r.allow(SECOND, 2, SECOND)).as("the first one left the window").isTrue();
        assertThat(r.allow(SECOND + 1, 2, SECOND)).isFalse();
    }

    @Test
    void zeroRestartsGivesUpAtTheFirstCrash() {
        assertThat(new RestartIntensity(0).allow(0, 0, SECOND)).isFalse();
    }
}
