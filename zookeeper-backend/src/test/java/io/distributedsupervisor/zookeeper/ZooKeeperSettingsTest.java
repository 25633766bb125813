package io.distributedsupervisor.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distributedsupervisor.tck.LogCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The settings' names from every source (map, system property, environment, properties file),
 * their precedence, unknown names refused from each, bad values named, and the README's table.
 * Needs no ZooKeeper: the backend is built, never joined.
 */
class ZooKeeperSettingsTest {
    private static final String SECRET = "zookeeper-settings-test-secret-0123456789";

    /** A valid value for each setting, as text. */
    private static final Map<String, String> SAMPLES = samples();

    private static Map<String, String> samples() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("connectString", "zk1:2181,zk2:2181");
        m.put("secret", SECRET);
        m.put("openMode", "false");
        m.put("sessionTimeout", "20s");
        m.put("connectionTimeout", "PT12S");
        m.put("retryBaseSleep", "50ms");
        m.put("retryMaxSleep", "1m");
        m.put("retryMaxRetries", "5");
        m.put("namespace", "settings-test");
        m.put("digestAcl", "ds:pw");
        m.put("saslAcl", "ds");
        m.put("bindHost", "0.0.0.0");
        m.put("port", "7400");
        m.put("advertisedHost", "node-a.example");
        m.put("tls", "false");
        m.put("requireTls", "false");
        m.put("maxPendingHandshakes", "100");
        m.put("maxPendingHandshakesPerAddress", "7");
        m.put("maxFrameBytes", "65536");
        m.put("eventLoopThreads", "3");
        m.put("nativeTransport", "false");
        m.put("failoverMargin", "2s");
        return m;
    }

    private static ZooKeeperSettings settings(Map<String, String> env, Properties props) {
        return new ZooKeeperSettings(env, props);
    }

    private static Properties props(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) {
            p.setProperty(kv[i], kv[i + 1]);
        }
        return p;
    }

    private static Map<String, String> base(String... kv) {
        Map<String, String> m = new HashMap<>(Map.of("connectString", "zk:2181", "openMode", "true", "openAcl", "true"));
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private static Path file(Path dir, String text) throws Exception {
        Path f = dir.resolve("ds-" + System.nanoTime() + ".properties");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void every_setting_from_every_source_by_the_same_name(@TempDir Path dir) throws Exception {
        for (String name : ZooKeeperSettings.NAMES) {
            if (name.equals(ZooKeeperSettings.CONFIG_FILE)) {
                continue;
            }
            String value = SAMPLES.getOrDefault(name, "x");
            assertThat(settings(Map.of(), new Properties()).resolve(Map.of(name, value)).get(name).source())
                    .isEqualTo("the setting " + name);
            assertThat(settings(Map.of(), props("ds.zookeeper." + name, value)).resolve(Map.of()).get(name).source())
                    .isEqualTo("-Dds.zookeeper." + name);
            String env = ZooKeeperSettings.envName(name);
            assertThat(settings(Map.of(env, value), new Properties()).resolve(Map.of()).get(name).source())
                    .isEqualTo("the environment variable " + env);
            Path f = file(dir, name + "=" + value + "\n");
            ZooKeeperSettings.Value fromFile = settings(Map.of(), new Properties())
                    .resolve(Map.of("configFile", f.toString())).get(name);
            assertThat(fromFile.source()).isEqualTo("the file " + f + ", key " + name);
            assertThat(fromFile.text()).isEqualTo(value);
        }
        assertThat(ZooKeeperSettings.envName("connectString")).isEqualTo("DS_ZOOKEEPER_CONNECT_STRING");
        assertThat(ZooKeeperSettings.envName("sessionTimeout")).isEqualTo("DS_ZOOKEEPER_SESSION_TIMEOUT");
        assertThat(ZooKeeperSettings.envName("digestAcl")).isEqualTo(ZooKeeperBackendProvider.DIGEST_ACL_ENV);
        assertThat(ZooKeeperSettings.envName("maxPendingHandshakesPerAddress"))
                .isEqualTo("DS_ZOOKEEPER_MAX_PENDING_HANDSHAKES_PER_ADDRESS");
    }

    @Test
    void every_setting_reaches_the_builder(@TempDir Path dir) throws Exception {
        Map<String, String> env = new HashMap<>();
        SAMPLES.forEach((k, v) -> env.put(ZooKeeperSettings.envName(k), v));
        ZooKeeperBackend.Builder c = settings(env, new Properties()).toBuilder(Map.of()).build().config();
        assertThat(c.connectString).isEqualTo("zk1:2181,zk2:2181");
        assertThat(new String(c.secret, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(SECRET);
        assertThat(c.sessionTimeout).isEqualTo(Duration.ofSeconds(20));
        assertThat(c.connectionTimeout).isEqualTo(Duration.ofSeconds(12));
        assertThat(((ExponentialBackoffRetry) c.retryPolicy).getBaseSleepTimeMs()).isEqualTo(50);
        assertThat(((ExponentialBackoffRetry) c.retryPolicy).getN()).isEqualTo(5);
        assertThat(c.namespace).isEqualTo("settings-test");
        assertThat(c.digestUser).isEqualTo("ds");
        assertThat(c.saslPrincipals).containsExactly("ds");
        assertThat(c.bindHost).isEqualTo("0.0.0.0");
        assertThat(c.port).isEqualTo(7400);
        assertThat(c.advertisedHost).isEqualTo("node-a.example");
        assertThat(c.tls).isNull();
        assertThat(c.maxPendingHandshakes).isEqualTo(100);
        assertThat(c.maxPendingHandshakesPerAddress).isEqualTo(7);
        assertThat(c.maxFrameBytes).isEqualTo(65536);
        assertThat(c.eventLoopThreads).isEqualTo(3);
        assertThat(c.nativeTransport).isFalse();
        assertThat(c.failoverMargin).isEqualTo(Duration.ofSeconds(2));

        Path secret = file(dir, SECRET + "\n");
        Path acl = file(dir, "ds:from-file\n");
        ZooKeeperBackend.Builder files = settings(Map.of(), new Properties()).toBuilder(Map.of("connectString", "zk:2181",
                "secretFile", secret.toString(), "digestAclFile", acl.toString())).build().config();
        assertThat(new String(files.secret, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(SECRET);
        assertThat(files.digestPassword).isEqualTo("from-file");

        ZooKeeperBackend.Builder defaults = settings(Map.of(), new Properties()).toBuilder(base()).build().config();
        assertThat(defaults.sessionTimeout).isEqualTo(Duration.ofSeconds(15));
        assertThat(defaults.connectionTimeout).isEqualTo(Duration.ofSeconds(10));
        assertThat(((ExponentialBackoffRetry) defaults.retryPolicy).getBaseSleepTimeMs()).isEqualTo(100);
        assertThat(((ExponentialBackoffRetry) defaults.retryPolicy).getN()).isEqualTo(10);
        assertThat(defaults.failoverMargin).isZero();
    }

    @Test
    void precedence_map_then_property_then_environment_then_file_then_default(@TempDir Path dir) throws Exception {
        Path f = file(dir, "sessionTimeout=4s\n");
        Map<String, String> env = Map.of("DS_ZOOKEEPER_SESSION_TIMEOUT", "3s", "DS_ZOOKEEPER_CONFIG_FILE", f.toString());
        Properties p = props("ds.zookeeper.sessionTimeout", "2s");
        assertThat(timeout(env, p, base("sessionTimeout", "1s"))).isEqualTo(Duration.ofSeconds(1));
        assertThat(timeout(env, p, base())).isEqualTo(Duration.ofSeconds(2));
        assertThat(timeout(env, new Properties(), base())).isEqualTo(Duration.ofSeconds(3));
        assertThat(timeout(Map.of("DS_ZOOKEEPER_CONFIG_FILE", f.toString()), new Properties(), base()))
                .isEqualTo(Duration.ofSeconds(4));
        assertThat(timeout(Map.of(), new Properties(), base())).isEqualTo(Duration.ofSeconds(15));

        // configFile itself: the map over the property over the environment.
        Path g = file(dir, "sessionTimeout=5s\n");
        Path h = file(dir, "sessionTimeout=6s\n");
        assertThat(timeout(Map.of("DS_ZOOKEEPER_CONFIG_FILE", f.toString()), props("ds.zookeeper.configFile", g.toString()),
                base("configFile", h.toString()))).isEqualTo(Duration.ofSeconds(6));
        assertThat(timeout(Map.of("DS_ZOOKEEPER_CONFIG_FILE", f.toString()), props("ds.zookeeper.configFile", g.toString()),
                base())).isEqualTo(Duration.ofSeconds(5));
    }

    private static Duration timeout(Map<String, String> env, Properties p, Map<String, String> map) {
        return settings(env, p).toBuilder(map).build().config().sessionTimeout;
    }

    @Test
    void secret_and_acl_are_each_taken_as_a_group_from_the_highest_source(@TempDir Path dir) throws Exception {
        Path secret = file(dir, SECRET);
        // A secretFile in the map, a secret in the environment: the map's group wins, no "set one, not both".
        ZooKeeperBackend.Builder c = settings(Map.of("DS_CLUSTER_SECRET", "y".repeat(40), "DS_ZOOKEEPER_DIGEST_ACL", "a:b"),
                new Properties()).toBuilder(Map.of("connectString", "zk:2181", "secretFile", secret.toString(),
                "openAcl", "true")).build().config();
        assertThat(new String(c.secret, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(SECRET);
        assertThat(c.digestUser).isNull();
        assertThat(c.openAcl).isTrue();
        // Both in one source: refused, naming both.
        assertThatThrownBy(() -> settings(Map.of(), new Properties()).toBuilder(base("secret", SECRET,
                "secretFile", secret.toString()))).hasMessageContaining("secret").hasMessageContaining("secretFile")
                .hasMessageContaining("set one, not both");
        assertThatThrownBy(() -> settings(Map.of("DS_CLUSTER_SECRET", SECRET, "DS_ZOOKEEPER_SECRET", SECRET),
                new Properties()).toBuilder(base())).hasMessageContaining("DS_CLUSTER_SECRET")
                .hasMessageContaining("DS_ZOOKEEPER_SECRET");
    }

    @Test
    void unknown_names_refused_from_every_source_listing_the_known_ones(@TempDir Path dir) throws Exception {
        ZooKeeperSettings none = settings(Map.of(), new Properties());
        assertThatThrownBy(() -> none.toBuilder(base("sessionTimeOut", "5s")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'sessionTimeOut'")
                .hasMessageContaining("sessionTimeout").hasMessageContaining("connectString");
        assertThatThrownBy(() -> settings(Map.of(), props("ds.zookeeper.sessiontimeout", "5s")).toBuilder(base()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ds.zookeeper.sessiontimeout")
                .hasMessageContaining("ds.zookeeper.sessionTimeout");
        assertThatThrownBy(() -> settings(Map.of("DS_ZOOKEEPER_SESSION_TIMEOUT_SECONDS", "5"), new Properties())
                .toBuilder(base())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("DS_ZOOKEEPER_SESSION_TIMEOUT_SECONDS").hasMessageContaining("DS_ZOOKEEPER_SESSION_TIMEOUT");
        Path f = file(dir, "sessionTimeout=5s\nretryPolicy=exponential\n");
        assertThatThrownBy(() -> none.toBuilder(base("configFile", f.toString())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(f.toString())
                .hasMessageContaining("'retryPolicy'").hasMessageContaining("retryMaxRetries");
        Path nested = file(dir, "configFile=/etc/other.properties\n");
        assertThatThrownBy(() -> none.toBuilder(base("configFile", nested.toString())))
                .hasMessageContaining("cannot name another");
        assertThatThrownBy(() -> none.toBuilder(base("configFile", dir.resolve("missing.properties").toString())))
                .hasMessageContaining("configFile").hasMessageContaining("missing.properties");
        // Other system properties and environment variables are not ours.
        settings(Map.of("DS_OTHER", "1", "ZOOKEEPER_X", "1"), props("ds.other", "1", "zookeeper.x", "1")).toBuilder(base());
    }

    @Test
    void bad_values_name_the_setting_its_source_the_value_and_the_form() {
        assertThatThrownBy(() -> settings(Map.of("DS_ZOOKEEPER_SESSION_TIMEOUT", "15"), new Properties()).toBuilder(base()))
                .hasMessageContaining("sessionTimeout").hasMessageContaining("DS_ZOOKEEPER_SESSION_TIMEOUT")
                .hasMessageContaining("'15'").hasMessageContaining("15s").hasMessageContaining("PT15S");
        assertThatThrownBy(() -> settings(Map.of(), props("ds.zookeeper.failoverMargin", "-1s")).toBuilder(base()))
                .hasMessageContaining("failoverMargin").hasMessageContaining("-Dds.zookeeper.failoverMargin")
                .hasMessageContaining("'-1s'").hasMessageContaining("negative");
        assertThatThrownBy(() -> settings(Map.of(), new Properties()).toBuilder(base("sessionTimeout", "0s")))
                .hasMessageContaining("sessionTimeout").hasMessageContaining("positive");
        assertThatThrownBy(() -> settings(Map.of(), new Properties()).toBuilder(base("port", "74OO")))
                .hasMessageContaining("port").hasMessageContaining("'74OO'").hasMessageContaining("whole number");
        assertThatThrownBy(() -> settings(Map.of(), new Properties()).toBuilder(base("nativeTransport", "yes")))
                .hasMessageContaining("nativeTransport").hasMessageContaining("'yes'").hasMessageContaining("true or false");
        assertThatThrownBy(() -> settings(Map.of(), new Properties()).toBuilder(base("retryMaxRetries", "30")))
                .hasMessageContaining("retryMaxRetries").hasMessageContaining("0 and 29");
        assertThatThrownBy(() -> settings(Map.of(), new Properties()).toBuilder(Map.of("openMode", "true")))
                .hasMessageContaining("connectString").hasMessageContaining("DS_ZOOKEEPER_CONNECT_STRING");
        assertThatThrownBy(() -> settings(Map.of("DS_ZOOKEEPER_DIGEST_ACL", "only-a-password"), new Properties())
                .toBuilder(Map.of("connectString", "zk:2181", "openMode", "true")))
                .hasMessageContaining("digestAcl").hasMessageContaining("user:password")
                .message().doesNotContain("only-a-password");
    }

    @Test
    void the_old_millisecond_names_work_with_a_warning() {
        try (LogCapture log = LogCapture.start()) {
            ZooKeeperBackend.Builder c = settings(Map.of(), props("ds.zookeeper.connectionTimeoutMs", "7000"))
                    .toBuilder(base("sessionTimeoutMs", "4000", "failoverMarginMs", "250")).build().config();
            assertThat(c.sessionTimeout).isEqualTo(Duration.ofSeconds(4));
            assertThat(c.connectionTimeout).isEqualTo(Duration.ofSeconds(7));
            assertThat(c.failoverMargin).isEqualTo(Duration.ofMillis(250));
            assertThat(log.lines("WARN", "sessionTimeoutMs", "deprecated", "sessionTimeout=4000ms")).isEqualTo(1);
            assertThat(log.lines("WARN", "ds.zookeeper.connectionTimeoutMs", "deprecated", "connectionTimeout=")).isEqualTo(1);
            assertThat(log.lines("WARN", "failoverMarginMs", "deprecated")).isEqualTo(1);
        }
        assertThatThrownBy(() -> settings(Map.of(), new Properties())
                .toBuilder(base("sessionTimeoutMs", "4000", "sessionTimeout", "4s")))
                .hasMessageContaining("sessionTimeoutMs").hasMessageContaining("set sessionTimeout only");
        assertThatThrownBy(() -> settings(Map.of(), new Properties()).toBuilder(base("sessionTimeoutMs", "4s")))
                .hasMessageContaining("sessionTimeoutMs").hasMessageContaining("'4s'").hasMessageContaining("milliseconds");
    }

    @Test
    void retry_settings_or_a_retry_policy_not_both() {
        assertThatThrownBy(() -> ZooKeeperSettings.builder(base("retryMaxRetries", "3"))
                .retryPolicy(new RetryOneTime(10)).build()).hasMessageContaining("retryPolicy")
                .hasMessageContaining("retryMaxRetries");
        ZooKeeperBackend.Builder c = ZooKeeperSettings.builder(base()).retryPolicy(new RetryOneTime(10)).build().config();
        assertThat(c.retryPolicy).isInstanceOf(RetryOneTime.class);
    }

    /** Every row of the README's ZooKeeper settings table names a setting that works, by every source's spelling. */
    @Test
    void the_readmes_table_lists_every_setting_as_the_code_spells_it() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        int start = readme.indexOf("| builder method | key | system property | environment variable | default | meaning |");
        assertThat(start).as("the README's settings table").isPositive();
        List<String> keys = new ArrayList<>();
        Pattern row = Pattern.compile("^\\| (.*?) \\| `(\\w+)`[^|]* \\| `([\\w.]+)`[^|]* \\| `(\\w+)`[^|]*\\|", Pattern.MULTILINE);
        String table = readme.substring(start, readme.indexOf("\n\n", start));
        Matcher m = row.matcher(table);
        while (m.find()) {
            String key = m.group(2);
            keys.add(key);
            assertThat(m.group(3)).isEqualTo("ds.zookeeper." + key);
            assertThat(m.group(4)).isEqualTo(ZooKeeperSettings.envName(key));
            if (!key.equals("connectString") && !key.equals("configFile")) {
                assertThat(m.group(1)).as("the builder method of " + key).startsWith("`" + key + "(");
                assertThat(ZooKeeperBackend.Builder.class.getMethods()).as(key)
                        .anyMatch(meth -> meth.getName().equals(key));
            }
        }
        assertThat(keys).containsExactlyElementsOf(ZooKeeperSettings.NAMES);
        for (String old : ZooKeeperSettings.DEPRECATED.keySet()) {
            assertThat(readme).contains("`" + old + "`");
        }
    }
}
