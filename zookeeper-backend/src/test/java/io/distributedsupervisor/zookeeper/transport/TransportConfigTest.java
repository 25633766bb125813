package io.distributedsupervisor.zookeeper.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TransportConfigTest {

    @Test
    void defaults() {
        TransportConfig config = TransportConfig.builder("n1").secret(TransportTestSupport.SECRET).build();
        assertThat(config.clusterName()).isEqualTo("distributed-supervisor");
        assertThat(config.bindHost()).isEqualTo("127.0.0.1");
        assertThat(config.advertisedHost()).isEqualTo("127.0.0.1");
        assertThat(config.port()).isZero();
        assertThat(config.maxFrameBytes()).isEqualTo(16 * 1024 * 1024);
        assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.handshakeTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.writeLowWaterMark()).isEqualTo(32 * 1024);
        assertThat(config.writeHighWaterMark()).isEqualTo(64 * 1024);
        assertThat(config.eventLoopThreads()).isEqualTo(2);
        assertThat(config.nativeTransport()).isTrue();
        assertThat(config.tls()).isNull();
        assertThat(config.openMode()).isFalse();
    }

    @Test
    void no_secret_without_open_mode_is_refused() {
        assertThatThrownBy(() -> TransportConfig.builder("n1").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cluster secret is required")
                .hasMessageContaining("openMode(true)");
        assertThat(TransportConfig.builder("n1").openMode(true).build().secret()).isNull();
    }

    @Test
    void a_short_secret_is_refused() {
        assertThatThrownBy(() -> TransportConfig.builder("n1").secret("too short").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 32 bytes");
    }

    @Test
    void other_invalid_values_are_refused_with_their_name() {
        assertThatThrownBy(() -> TransportConfig.builder("n1").openMode(true).port(70000).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port");
        assertThatThrownBy(() -> TransportConfig.builder(" ").openMode(true).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nodeName");
        assertThatThrownBy(() -> TransportConfig.builder("n1").openMode(true).maxFrameBytes(10).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxFrameBytes");
        assertThatThrownBy(() -> TransportConfig.builder("n1").openMode(true).writeBufferWaterMark(10, 5).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("water marks");
        assertThatThrownBy(() -> TransportConfig.builder("n1").openMode(true).connectTimeout(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("connectTimeout");
        assertThatThrownBy(() -> TransportConfig.builder("n1").openMode(true).eventLoopThreads(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("eventLoopThreads");
    }

    @Test
    void the_secret_is_copied_and_never_printed() {
        byte[] secret = TransportTestSupport.SECRET.clone();
        TransportConfig config = TransportConfig.builder("n1").secret(secret).build();
        secret[0] ^= 1;
        assertThat(config.secret()).isEqualTo(TransportTestSupport.SECRET);
        assertThat(config.toString()).doesNotContain(new String(TransportTestSupport.SECRET)).contains("secret=(32 bytes)");
    }
}
