package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.spi.Backend;
import io.distributedsupervisor.spi.BackendProvider;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * The {@code zookeeper} backend for {@code SupervisorOptions.Builder.backend("zookeeper", config)}:
 * {@link ZooKeeperSettings#backend(Map)}. Every setting has one name, the same as its
 * {@link ZooKeeperBackend.Builder} method; it may come from the map, a system property
 * {@code -Dds.zookeeper.<name>}, an environment variable {@code DS_ZOOKEEPER_<NAME>} (upper snake
 * case) or the properties file named by {@code configFile}, in that order of precedence. The
 * names, the defaults and the rules are in {@link ZooKeeperSettings} and the README's table.
 * An unknown name from any of these sources is an error, so that a typo does not silently leave a
 * default in place.
 */
public final class ZooKeeperBackendProvider implements BackendProvider {
    /** The environment variable that holds the cluster secret when neither secret nor secretFile is set. */
    static final String SECRET_ENV = ZooKeeperSettings.SECRET_ENV;
    /** The environment variable of {@code digestAcl} ({@code user:password}). */
    static final String DIGEST_ACL_ENV = "DS_ZOOKEEPER_DIGEST_ACL";

    private final Map<String, String> environment;
    private final Properties systemProperties;

    /** The provider ServiceLoader finds: reads the process's environment and system properties. */
    public ZooKeeperBackendProvider() {
        this(null, null);
    }

    /** A provider that reads {@code environment} instead of the process's; for tests. */
    ZooKeeperBackendProvider(Map<String, String> environment) {
        this(Objects.requireNonNull(environment, "environment"), null);
    }

    /** A provider that reads these instead of the process's (null: the process's); for tests. */
    ZooKeeperBackendProvider(Map<String, String> environment, Properties systemProperties) {
        this.environment = environment;
        this.systemProperties = systemProperties;
    }

    @Override
    public String name() {
        return "zookeeper";
    }

    @Override
    public Backend create(Map<String, String> config) {
        return new ZooKeeperSettings(environment != null ? environment : System.getenv(),
                systemProperties != null ? systemProperties : System.getProperties()).toBuilder(config).build();
    }
}
