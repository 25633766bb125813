package io.distributedsupervisor.inmemory;

import io.distributedsupervisor.spi.Backend;
import io.distributedsupervisor.spi.BackendProvider;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code inmemory} backend for {@link java.util.ServiceLoader}: {@code
 * .backend("inmemory", Map.of("cluster", "test-1"))} gives a backend of
 * {@link InMemoryCluster#named InMemoryCluster.named("test-1")}, so that every supervisor
 * configured with the same cluster name in this JVM is a node of the same simulated cluster.
 *
 * <p>Settings: {@code cluster}, the cluster's name (default {@code "default"}). Any other key is
 * refused, so that a misspelt setting is not silently ignored.
 */
public final class InMemoryBackendProvider implements BackendProvider {
    /** The provider's name, as given to {@code SupervisorOptions.Builder.backend(String, Map)}. */
    public static final String NAME = "inmemory";
    /** The setting that names the shared cluster. */
    public static final String CLUSTER = "cluster";
    /** The cluster used when {@link #CLUSTER} is not set. */
    public static final String DEFAULT_CLUSTER = "default";

    /** For ServiceLoader. */
    public InMemoryBackendProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * A new backend of the named shared cluster; closing it closes only the sessions joined
     * through it.
     *
     * @throws IllegalArgumentException if {@code cluster} is blank or an unknown setting is given
     */
    @Override
    public Backend create(Map<String, String> config) {
        Objects.requireNonNull(config, "config");
        Set<String> unknown = new TreeSet<>(config.keySet());
        unknown.remove(CLUSTER);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown setting(s) " + unknown + " for the inmemory backend; the only one is '"
                    + CLUSTER + "'");
        }
        String cluster = config.getOrDefault(CLUSTER, DEFAULT_CLUSTER);
        if (cluster == null || cluster.isBlank()) {
            throw new IllegalArgumentException("setting '" + CLUSTER + "' of the inmemory backend must not be blank");
        }
        return InMemoryCluster.named(cluster).backend();
    }
}
