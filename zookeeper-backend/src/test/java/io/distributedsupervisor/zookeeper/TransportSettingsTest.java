package io.distributedsupervisor.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The transport's event-loop count and native transport, from the builder and the provider's settings. */
class TransportSettingsTest {

    @Test
    void defaults_and_the_builder() {
        ZooKeeperBackend.Builder defaults = ZooKeeperBackend.builder("zk:2181").openMode(true).openAcl(true).build().config();
        assertThat(defaults.eventLoopThreads).isEqualTo(2);
        assertThat(defaults.nativeTransport).isTrue();

        ZooKeeperBackend.Builder set = ZooKeeperBackend.builder("zk:2181").openMode(true).openAcl(true)
                .eventLoopThreads(4).nativeTransport(false).build().config();
        assertThat(set.eventLoopThreads).isEqualTo(4);
        assertThat(set.nativeTransport).isFalse();
        assertThatThrownBy(() -> ZooKeeperBackend.builder("zk:2181").eventLoopThreads(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("eventLoopThreads");
    }

    @Test
    void the_providers_settings() {
        ZooKeeperBackend backend = (ZooKeeperBackend) new ZooKeeperBackendProvider().create(Map.of("connectString", "zk:2181",
                "openMode", "true", "openAcl", "true", "eventLoopThreads", "3", "nativeTransport", "false"));
        assertThat(backend.config().eventLoopThreads).isEqualTo(3);
        assertThat(backend.config().nativeTransport).isFalse();
        assertThatThrownBy(() -> new ZooKeeperBackendProvider().create(Map.of("connectString", "zk:2181",
                "openMode", "true", "openAcl", "true", "nativeTransport", "yes")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nativeTransport");
    }
}
