package io.distributedsupervisor.spi;

import java.util.Map;

/**
 * Makes {@link Backend}s; found by {@link java.util.ServiceLoader} so that
 * {@code .backend("zookeeper", Map.of(...))} and the default backend work.
 */
public interface BackendProvider {
    /** A short unique name, such as {@code zookeeper} or {@code inmemory}. */
    String name();

    /**
     * A new backend from string settings (also read from system properties by some providers).
     *
     * @throws IllegalArgumentException naming the setting that is missing or wrong
     */
    Backend create(Map<String, String> config);
}
