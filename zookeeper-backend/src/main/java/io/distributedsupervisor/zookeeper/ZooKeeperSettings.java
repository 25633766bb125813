package io.distributedsupervisor.zookeeper;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The zookeeper backend's settings by name: one spelling for the {@link ZooKeeperBackend.Builder}
 * method, the key of a settings map or properties file, the system property
 * {@code ds.zookeeper.<name>} and the environment variable {@code DS_ZOOKEEPER_<NAME>} (the name
 * in upper snake case: {@code sessionTimeout} is {@code DS_ZOOKEEPER_SESSION_TIMEOUT}).
 *
 * <p>Each setting is taken from the first of these that has it: the map given (code, or a Spring
 * Boot binding), a system property, an environment variable, the properties file named by the
 * setting {@code configFile} (from any of the three before), the default. The cluster secret
 * ({@code secret}, {@code secretFile}) and the ACL settings ({@code digestAcl},
 * {@code digestAclFile}, {@code saslAcl}, {@code openAcl=true}) are each taken as a group from
 * the first source that has any of the group, so that a {@code secretFile} in the map is not
 * contradicted by a {@code DS_CLUSTER_SECRET} in the environment.
 *
 * <p>Aliases: the environment variable {@code DS_CLUSTER_SECRET} is {@code secret};
 * {@code DS_ZOOKEEPER_DIGEST_ACL} is {@code digestAcl} by the rule above. Deprecated:
 * {@code sessionTimeoutMs}, {@code connectionTimeoutMs}, {@code failoverMarginMs} (milliseconds,
 * in the map, a system property or the file) still work and log a WARN naming the new key.
 *
 * <p>Fails loudly: an unknown key in the map or the file, an unknown {@code ds.zookeeper.*} system
 * property and an unknown {@code DS_ZOOKEEPER_*} environment variable are errors naming the known
 * names; a bad value is an error naming the setting, where it came from, the value (never for
 * {@code secret} and {@code digestAcl}) and the form expected.
 *
 * <p>Code only (no setting): {@code retryPolicy(RetryPolicy)} (the settings {@code retryBaseSleep},
 * {@code retryMaxSleep}, {@code retryMaxRetries} shape the default one), {@code tls(SSLContext)}
 * (the setting {@code tls=true} takes the JVM's default {@code SSLContext}), {@code ticker},
 * {@code scheduler}. The codec is not a backend setting: {@code SupervisorOptions.Builder.codec},
 * code only.
 */
public final class ZooKeeperSettings {
    /** The prefix of the system properties: {@code -Dds.zookeeper.sessionTimeout=15s}. */
    public static final String PROPERTY_PREFIX = "ds.zookeeper.";
    /** The prefix of the environment variables: {@code DS_ZOOKEEPER_SESSION_TIMEOUT=15s}. */
    public static final String ENV_PREFIX = "DS_ZOOKEEPER_";
    /** The environment variable that is an alias of {@code secret}. */
    public static final String SECRET_ENV = "DS_CLUSTER_SECRET";
    /** The setting that names a properties file of further settings. */
    public static final String CONFIG_FILE = "configFile";

    /** Every setting's name, in the order the README's table lists them. */
    public static final List<String> NAMES = List.of("connectString", "secret", "secretFile", "openMode",
            "sessionTimeout", "connectionTimeout", "retryBaseSleep", "retryMaxSleep", "retryMaxRetries", "namespace",
            "digestAcl", "digestAclFile", "saslAcl", "openAcl", "bindHost", "port", "advertisedHost", "tls", "requireTls",
            "maxPendingHandshakes", "maxPendingHandshakesPerAddress", "maxFrameBytes", "eventLoopThreads",
            "nativeTransport", "failoverMargin", CONFIG_FILE);

    /** Deprecated names (milliseconds as a bare number) and the setting each stands for. */
    public static final Map<String, String> DEPRECATED = Map.of("sessionTimeoutMs", "sessionTimeout",
            "connectionTimeoutMs", "connectionTimeout", "failoverMarginMs", "failoverMargin");

    private static final Set<String> SECRET_GROUP = Set.of("secret", "secretFile");
    private static final Set<String> ACL_GROUP = Set.of("digestAcl", "digestAclFile", "saslAcl", "openAcl");
    private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperSettings.class);

    private final Map<String, String> environment;
    private final Properties systemProperties;

    /** Settings read from {@code environment} and {@code systemProperties} besides the map; for tests. */
    ZooKeeperSettings(Map<String, String> environment, Properties systemProperties) {
        this.environment = Objects.requireNonNull(environment, "environment");
        this.systemProperties = Objects.requireNonNull(systemProperties, "systemProperties");
    }

    /**
     * The entry point for code and containers (a Spring Boot starter): a builder from
     * {@code settings}, the {@code ds.zookeeper.*} system properties, the {@code DS_ZOOKEEPER_*}
     * environment variables and the {@code configFile}, in that order of precedence. Code-only
     * settings (a custom {@code retryPolicy}, an {@code SSLContext}, a ticker) may still be added
     * to it before {@link ZooKeeperBackend.Builder#build()}.
     *
     * @param settings by name (see {@link #NAMES}); not changed
     * @throws IllegalArgumentException naming an unknown setting (and the known ones), or a bad
     *                                  value (with its source and the form expected)
     */
    public static ZooKeeperBackend.Builder builder(Map<String, String> settings) {
        return new ZooKeeperSettings(System.getenv(), System.getProperties()).toBuilder(settings);
    }

    /** {@link #builder(Map)}, built: what {@code backend("zookeeper", settings)} makes. */
    public static ZooKeeperBackend backend(Map<String, String> settings) {
        return builder(settings).build();
    }

    /** The environment variable of a setting: {@code sessionTimeout} is {@code DS_ZOOKEEPER_SESSION_TIMEOUT}. */
    public static String envName(String name) {
        return ENV_PREFIX + name.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
    }

    /** A setting's value and where it came from, for messages. */
    record Value(String text, String source) {
    }

    /** The settings in effect, by name, from every source, the higher sources winning. */
    Map<String, Value> resolve(Map<String, String> settings) {
        Map<String, Value> explicit = layer(settings, key -> "the setting " + key, "unknown zookeeper backend setting",
                "known: " + NAMES);
        Map<String, Value> properties = systemProperties();
        Map<String, Value> env = environment();
        List<Map<String, Value>> layers = new ArrayList<>(List.of(explicit, properties, env));
        Value file = first(layers, CONFIG_FILE);
        if (file != null) {
            layers.add(file(file));
        }
        Map<String, Value> merged = new LinkedHashMap<>();
        boolean secretTaken = false;
        boolean aclTaken = false;
        for (Map<String, Value> layer : layers) {
            boolean secretHere = layer.keySet().stream().anyMatch(SECRET_GROUP::contains);
            boolean aclHere = layer.entrySet().stream().anyMatch(e -> ACL_GROUP.contains(e.getKey())
                    && !(e.getKey().equals("openAcl") && e.getValue().text().strip().equals("false")));
            for (Map.Entry<String, Value> e : layer.entrySet()) {
                String key = e.getKey();
                if ((secretTaken && SECRET_GROUP.contains(key)) || (aclTaken && ACL_GROUP.contains(key))) {
                    continue; // a higher source set this group
                }
                merged.putIfAbsent(key, e.getValue());
            }
            secretTaken |= secretHere;
            aclTaken |= aclHere;
        }
        return merged;
    }

    /** A builder with the settings in effect (see {@link #builder(Map)}). */
    ZooKeeperBackend.Builder toBuilder(Map<String, String> settings) {
        Map<String, Value> c = resolve(settings);
        Value connect = c.get("connectString");
        if (connect == null || connect.text().isBlank()) {
            throw new IllegalArgumentException("the zookeeper backend needs connectString (the setting connectString, "
                    + "-Dds.zookeeper.connectString, the environment variable " + envName("connectString")
                    + " or the configFile)");
        }
        ZooKeeperBackend.Builder b = apply(c, "connectString", v -> ZooKeeperBackend.builder(v.strip()));
        both(c, "secret", "secretFile");
        both(c, "digestAcl", "digestAclFile");
        if (c.containsKey("secret")) {
            Value v = c.get("secret");
            if (v.source().startsWith("-D")) {
                LOG.warn("the cluster secret comes from the system property ds.zookeeper.secret: a JVM's command line is "
                        + "visible to every user of the host (ps, /proc/<pid>/cmdline) and kept in shell histories and "
                        + "process listings; set the environment variable {} or the setting secretFile instead", SECRET_ENV);
            }
            boolean strip = v.source().startsWith("the environment") || v.source().startsWith("the file");
            apply(c, "secret", s -> b.secret(strip ? s.strip() : s));
        }
        apply(c, "secretFile", v -> b.secretFile(Path.of(v.strip())));
        apply(c, "openMode", v -> b.openMode(bool("openMode", v)));
        apply(c, "sessionTimeout", v -> b.sessionTimeout(Durations.parse("sessionTimeout", v)));
        apply(c, "connectionTimeout", v -> b.connectionTimeout(Durations.parse("connectionTimeout", v)));
        apply(c, "retryBaseSleep", v -> b.retryBaseSleep(Durations.parse("retryBaseSleep", v)));
        apply(c, "retryMaxSleep", v -> b.retryMaxSleep(Durations.parse("retryMaxSleep", v)));
        apply(c, "retryMaxRetries", v -> b.retryMaxRetries(integer("retryMaxRetries", v)));
        apply(c, "namespace", v -> b.namespace(v.strip()));
        apply(c, "openAcl", v -> b.openAcl(bool("openAcl", v)));
        apply(c, "saslAcl", v -> b.saslAcl(v.strip()));
        apply(c, "digestAcl", v -> digest(b, v));
        apply(c, "digestAclFile", v -> b.digestAclFile(Path.of(v.strip())));
        apply(c, "bindHost", v -> b.bindHost(v.strip()));
        apply(c, "port", v -> b.port(integer("port", v)));
        apply(c, "advertisedHost", v -> b.advertisedHost(v.strip()));
        apply(c, "tls", v -> bool("tls", v) ? b.tls(defaultTls()) : b);
        apply(c, "requireTls", v -> b.requireTls(bool("requireTls", v)));
        apply(c, "maxPendingHandshakes", v -> b.maxPendingHandshakes(integer("maxPendingHandshakes", v)));
        apply(c, "maxPendingHandshakesPerAddress",
                v -> b.maxPendingHandshakesPerAddress(integer("maxPendingHandshakesPerAddress", v)));
        apply(c, "maxFrameBytes", v -> b.maxFrameBytes(integer("maxFrameBytes", v)));
        apply(c, "eventLoopThreads", v -> b.eventLoopThreads(integer("eventLoopThreads", v)));
        apply(c, "nativeTransport", v -> b.nativeTransport(bool("nativeTransport", v)));
        apply(c, "failoverMargin", v -> b.failoverMargin(Durations.parse("failoverMargin", v)));
        return b;
    }

    /**
     * Applies the setting {@code key} when it is set; an {@link IllegalArgumentException} gets the
     * setting's source in front (the value only when it is not a credential).
     */
    private static <T> T apply(Map<String, Value> c, String key, java.util.function.Function<String, T> f) {
        Value v = c.get(key);
        if (v == null) {
            return null;
        }
        try {
            return f.apply(v.text());
        } catch (IllegalArgumentException e) {
            String own = "zookeeper backend setting " + key + ": ";
            String m = String.valueOf(e.getMessage());
            throw new IllegalArgumentException("zookeeper backend setting " + key + " (from " + v.source() + "): "
                    + (m.startsWith(own) ? m.substring(own.length()) : m), e);
        }
    }

    private static void both(Map<String, Value> c, String one, String other) {
        if (c.containsKey(one) && c.containsKey(other)) {
            throw new IllegalArgumentException("zookeeper backend settings " + one + " (from " + c.get(one).source()
                    + ") and " + other + " (from " + c.get(other).source() + "): set one, not both");
        }
    }

    private static Value first(List<Map<String, Value>> layers, String key) {
        for (Map<String, Value> layer : layers) {
            if (layer.containsKey(key)) {
                return layer.get(key);
            }
        }
        return null;
    }

    /**
     * One source's settings by name: deprecated names turned into the new ones (with a WARN),
     * unknown names refused.
     */
    private static Map<String, Value> layer(Map<String, String> raw, java.util.function.UnaryOperator<String> source,
                                            String unknown, String known) {
        Map<String, Value> out = new TreeMap<>();
        for (Map.Entry<String, String> e : raw.entrySet()) {
            String key = Objects.requireNonNull(e.getKey(), "setting name");
            String value = Objects.requireNonNull(e.getValue(), () -> "the value of " + key);
            String where = source.apply(key);
            if (DEPRECATED.containsKey(key)) {
                String now = DEPRECATED.get(key);
                if (raw.containsKey(now)) {
                    throw new IllegalArgumentException(where + " is the deprecated name of " + now
                            + ", which is set there too: set " + now + " only");
                }
                long millis;
                try {
                    millis = Long.parseLong(value.strip());
                } catch (NumberFormatException x) {
                    throw new IllegalArgumentException("zookeeper backend setting " + key + " (from " + where + "): '" + value
                            + "' is not a number of milliseconds; better, use " + now + " with " + Durations.FORMS);
                }
                LOG.warn("{} is deprecated and will be removed: use {}={}ms (or {}: {})", where, now, millis, now,
                        Durations.FORMS);
                out.put(now, new Value(millis + "ms", where));
            } else if (NAMES.contains(key)) {
                out.put(key, new Value(value, where));
            } else {
                throw new IllegalArgumentException(unknown + " '" + key + "' (" + where + "); " + known);
            }
        }
        return out;
    }

    private Map<String, Value> systemProperties() {
        Map<String, String> raw = new TreeMap<>();
        for (String name : systemProperties.stringPropertyNames()) {
            if (name.startsWith(PROPERTY_PREFIX)) {
                raw.put(name.substring(PROPERTY_PREFIX.length()), systemProperties.getProperty(name));
            }
        }
        return layer(raw, key -> "-D" + PROPERTY_PREFIX + key, "unknown system property",
                "known: " + NAMES.stream().map(n -> PROPERTY_PREFIX + n).toList());
    }

    private Map<String, Value> environment() {
        Map<String, String> byEnv = NAMES.stream().collect(Collectors.toMap(ZooKeeperSettings::envName, n -> n));
        Map<String, Value> out = new TreeMap<>();
        for (Map.Entry<String, String> e : new TreeMap<>(environment).entrySet()) {
            String var = e.getKey();
            if (!var.startsWith(ENV_PREFIX)) {
                continue;
            }
            String name = byEnv.get(var);
            if (name == null) {
                throw new IllegalArgumentException("unknown environment variable " + var + "; known: "
                        + new java.util.TreeSet<>(byEnv.keySet()) + " and " + SECRET_ENV);
            }
            if (!e.getValue().isBlank()) {
                out.put(name, new Value(e.getValue(), "the environment variable " + var));
            }
        }
        String secret = environment.get(SECRET_ENV);
        if (secret != null && !secret.isBlank()) {
            if (out.containsKey("secret")) {
                throw new IllegalArgumentException("the environment variables " + SECRET_ENV + " and " + envName("secret")
                        + " are both set: set one");
            }
            out.put("secret", new Value(secret, "the environment variable " + SECRET_ENV));
        }
        return out;
    }

    private static Map<String, Value> file(Value configFile) {
        Path path = Path.of(configFile.text().strip());
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("zookeeper backend setting configFile (from " + configFile.source()
                    + "): cannot read the properties file " + path + ": " + e, e);
        }
        if (p.containsKey(CONFIG_FILE)) {
            throw new IllegalArgumentException("the zookeeper backend's properties file " + path
                    + " sets configFile: a file cannot name another one");
        }
        Map<String, String> raw = new TreeMap<>();
        p.stringPropertyNames().forEach(n -> raw.put(n, p.getProperty(n)));
        return layer(raw, key -> "the file " + path + ", key " + key, "unknown key",
                "known: " + NAMES.stream().filter(n -> !n.equals(CONFIG_FILE)).toList());
    }

    private static ZooKeeperBackend.Builder digest(ZooKeeperBackend.Builder b, String value) {
        String v = value.strip();
        int colon = v.indexOf(':');
        if (colon <= 0 || colon == v.length() - 1) {
            // The value is a password: never in the message.
            throw new IllegalArgumentException("must hold user:password (a non-empty user and password)");
        }
        return b.digestAcl(v.substring(0, colon), v.substring(colon + 1));
    }

    private static javax.net.ssl.SSLContext defaultTls() {
        try {
            return javax.net.ssl.SSLContext.getDefault();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalArgumentException("tls=true: the JVM's default SSLContext cannot be made (check "
                    + "javax.net.ssl.keyStore and javax.net.ssl.trustStore and their passwords): " + e, e);
        }
    }

    private static int integer(String key, String value) {
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + value + "' is not a whole number (e.g. 16)");
        }
    }

    private static boolean bool(String key, String value) {
        String v = value.strip();
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException("'" + value + "' must be true or false");
        }
        return Boolean.parseBoolean(v);
    }
}
