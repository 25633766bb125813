package io.distributedsupervisor.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The transport's event-loop count, native transport and TLS settings, from the builder and the provider's settings. */
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

    @Test
    void require_tls_without_tls_is_refused_at_build_by_the_builder_and_the_provider() throws Exception {
        assertThatThrownBy(() -> ZooKeeperBackend.builder("zk:2181").openMode(true).openAcl(true).requireTls(true).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("requireTls")
                .hasMessageContaining("in the clear");
        assertThatThrownBy(() -> new ZooKeeperBackendProvider().create(Map.of("connectString", "zk:2181",
                "openMode", "true", "openAcl", "true", "requireTls", "true")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("requireTls");

        ZooKeeperBackend.Builder withTls = ZooKeeperBackend.builder("zk:2181").openMode(true).openAcl(true)
                .tls(javax.net.ssl.SSLContext.getDefault()).requireTls(true).build().config();
        assertThat(withTls.requireTls).isTrue();
        ZooKeeperBackend viaProvider = (ZooKeeperBackend) new ZooKeeperBackendProvider().create(Map.of("connectString",
                "zk:2181", "openMode", "true", "openAcl", "true", "tls", "true", "requireTls", "true"));
        assertThat(viaProvider.config().tls).isSameAs(javax.net.ssl.SSLContext.getDefault());
    }
}
