package io.distributedsupervisor.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distributedsupervisor.tck.LogCapture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the cluster secret comes from: code, a file, the environment, a system property (with a warning); never shown. */
class SecretSettingsTest {
    private static final String SECRET = "secret-settings-test-cluster-secret-0123";

    private static ZooKeeperBackend provided(Map<String, String> settings, Map<String, String> environment) {
        Map<String, String> all = new HashMap<>(settings);
        all.put("connectString", "zk:2181");
        all.put("openAcl", "true");
        return (ZooKeeperBackend) new ZooKeeperBackendProvider(environment).create(all);
    }

    private static String secretOf(ZooKeeperBackend backend) {
        return new String(backend.config().secret, StandardCharsets.UTF_8);
    }

    @Test
    void from_the_environment_a_file_or_a_setting(@TempDir Path dir) throws Exception {
        assertThat(secretOf(provided(Map.of(), Map.of("DS_CLUSTER_SECRET", SECRET + "\n")))).isEqualTo(SECRET);
        Path file = dir.resolve("cluster-secret");
        Files.writeString(file, SECRET + "\n"); // as openssl rand -base64 32 > file writes it
        assertThat(secretOf(provided(Map.of("secretFile", file.toString()), Map.of()))).isEqualTo(SECRET);
        assertThat(secretOf(provided(Map.of("secretFile", file.toString()), Map.of("DS_CLUSTER_SECRET", "x".repeat(40)))))
                .as("a setting wins over the environment").isEqualTo(SECRET);
        assertThat(secretOf(ZooKeeperBackend.builder("zk:2181").secretFile(file).openAcl(true).build())).isEqualTo(SECRET);
    }

    @Test
    void refused_when_short_missing_or_twice_without_showing_it(@TempDir Path dir) throws Exception {
        String shortSecret = "only-twenty-one-bytes";
        assertThatThrownBy(() -> provided(Map.of(), Map.of("DS_CLUSTER_SECRET", shortSecret)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("DS_CLUSTER_SECRET")
                .hasMessageContaining("at least 32 bytes").hasMessageContaining("openssl rand -base64 32")
                .message().doesNotContain(shortSecret);
        Path file = dir.resolve("short");
        Files.writeString(file, shortSecret);
        assertThatThrownBy(() -> provided(Map.of("secretFile", file.toString()), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(file.toString())
                .hasMessageContaining("at least 32 bytes").message().doesNotContain(shortSecret);
        assertThatThrownBy(() -> provided(Map.of("secretFile", dir.resolve("missing").toString()), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot read the cluster secret file");
        assertThatThrownBy(() -> provided(Map.of("secret", SECRET, "secretFile", file.toString()), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("set one, not both");
        assertThatThrownBy(() -> provided(Map.of(), Map.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no cluster secret").hasMessageContaining("DS_CLUSTER_SECRET");
    }

    @Test
    void a_system_property_works_but_warns_why_not() {
        try (LogCapture log = LogCapture.start()) {
            System.setProperty("ds.zookeeper.secret", SECRET);
            try {
                assertThat(secretOf(provided(Map.of(), Map.of()))).isEqualTo(SECRET);
            } finally {
                System.clearProperty("ds.zookeeper.secret");
            }
            assertThat(log.lines("WARN", "ds.zookeeper.secret", "command line", "DS_CLUSTER_SECRET", "secretFile"))
                    .isEqualTo(1);
            assertThat(log.text()).doesNotContain(SECRET);
            // Given in the map (code), no warning.
            provided(Map.of("secret", SECRET), Map.of());
            assertThat(log.lines("ds.zookeeper.secret")).isEqualTo(1);
        }
    }
}
