package io.distributedsupervisor.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The duration settings' forms: 500ms, 15s, 2m, 1h, ISO-8601; anything else refused, naming the setting. */
class DurationsTest {

    @Test
    void the_forms_accepted() {
        assertThat(Durations.parse("k", "15s")).isEqualTo(Duration.ofSeconds(15));
        assertThat(Durations.parse("k", "500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("k", "2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Durations.parse("k", "1h")).isEqualTo(Duration.ofHours(1));
        assertThat(Durations.parse("k", "PT15S")).isEqualTo(Duration.ofSeconds(15));
        assertThat(Durations.parse("k", "pt1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Durations.parse("k", " 0s\n")).isEqualTo(Duration.ZERO);
        assertThat(Durations.parse("k", "10 s")).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void negative_bare_and_garbage_refused_naming_the_setting_the_value_and_the_forms() {
        for (String bad : List.of("-1s", "PT-1S", "15", "15x", "", "1.5s", "s", "PT", "15 sec", "99999999999999999h")) {
            assertThatThrownBy(() -> Durations.parse("sessionTimeout", bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sessionTimeout")
                    .hasMessageContaining("'" + bad + "'").hasMessageContaining("15s").hasMessageContaining("PT15S");
        }
        assertThatThrownBy(() -> Durations.parse("failoverMargin", "-5s")).hasMessageContaining("negative");
    }
}
