package io.distributedsupervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SupervisorOptionsTest {

    @Test
    void defaultsAreTheElixirLibrarys() {
        SupervisorOptions o = SupervisorOptions.builder("DS").build();
        assertThat(o.name()).isEqualTo("DS");
        assertThat(o.nodeName()).matches("[A-Za-z0-9_.@-]+-\\d+");
        assertThat(o.cacheChildren()).isTrue();
        assertThat(o.nodes()).isEmpty();
        assertThat(o.monitorNodes()).isFalse();
        assertThat(o.rebalance()).isEqualTo(Rebalance.PASSIVE);
        assertThat(o.listeners()).isEmpty();
        assertThat(o.serviceLoaderListeners()).isTrue();
        assertThat(o.backend()).isEmpty();
        assertThat(o.maxRestarts()).isEqualTo(100);
        assertThat(o.maxRestartWindow()).isEqualTo(Duration.ofSeconds(1));
        assertThat(o.callTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(o.maxMovesPerSecond()).isEqualTo(500);
        assertThat(o.maxMovesInFlight()).isEqualTo(64);
        assertThat(o.moveVeto().decide("id", "n1", "n2", MoveCause.JOIN)).isEqualTo(MoveDecision.ALLOW);
        assertThat(o.settleTime()).isEqualTo(Duration.ofSeconds(3));
        assertThat(o.drainTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(o.shutdownHook()).isTrue();
    }

    @Test
    void settleTimeMayBeZeroButNotNegative() {
        assertThat(SupervisorOptions.builder("DS").settleTime(Duration.ZERO).build().settleTime()).isZero();
        assertThat(SupervisorOptions.builder("DS").settleTime(Duration.ofMinutes(1)).build().settleTime())
                .isEqualTo(Duration.ofMinutes(1));
        var b = SupervisorOptions.builder("DS");
        assertThatThrownBy(() -> b.settleTime(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("settleTime must not be negative");
        assertThatThrownBy(() -> b.settleTime(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("settleTime");
    }

    @Test
    void invalidValuesFailAtOnceNamingTheOption() {
        for (String bad : List.of("", "has space", "a/b", "x".repeat(65), "ünï")) {
            assertThatThrownBy(() -> SupervisorOptions.builder(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid supervisor name");
        }
        assertThatThrownBy(() -> SupervisorOptions.builder(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("supervisor name");
        var b = SupervisorOptions.builder("DS");
        assertThatThrownBy(() -> b.nodeName("bad/node")).hasMessageContaining("invalid node name");
        assertThatThrownBy(() -> b.nodes(List.of("ok", "bad node"))).hasMessageContaining("invalid node name in nodes");
        assertThatThrownBy(() -> b.maxRestarts(-1)).hasMessageContaining("maxRestarts");
        assertThatThrownBy(() -> b.callTimeout(Duration.ZERO)).hasMessageContaining("callTimeout must be positive");
        assertThatThrownBy(() -> b.maxRestartWindow(Duration.ofSeconds(-1))).hasMessageContaining("maxRestartWindow");
        assertThatThrownBy(() -> b.listeners(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> b.maxMovesPerSecond(0)).hasMessageContaining("maxMovesPerSecond must be positive");
        assertThatThrownBy(() -> b.maxMovesInFlight(-1)).hasMessageContaining("maxMovesInFlight must be positive");
        assertThatThrownBy(() -> b.moveVeto(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("moveVeto");
        assertThatThrownBy(() -> MoveDecision.delay(Duration.ZERO)).hasMessageContaining("retryAfter must be positive");
        assertThatThrownBy(() -> SupervisorOptions.builder("DS").rebalance(Rebalance.ACTIVE).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("monitorNodes");
    }
}
