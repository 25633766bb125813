/**
 * The in-memory backend of DistributedSupervisor: a cluster of nodes in one JVM
 * ({@link io.distributedsupervisor.inmemory.InMemoryCluster}), and the {@code inmemory}
 * {@link io.distributedsupervisor.spi.BackendProvider} that {@code ServiceLoader} finds.
 */
module io.distributedsupervisor.inmemory {
    // Transitive: InMemoryCluster's methods take and return the api's types (Backend, SupervisorOptions, ...).
    requires transitive io.distributedsupervisor;
    requires org.slf4j;

    exports io.distributedsupervisor.inmemory;

    provides io.distributedsupervisor.spi.BackendProvider
            with io.distributedsupervisor.inmemory.InMemoryBackendProvider;
}
