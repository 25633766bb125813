/**
 * DistributedSupervisor: the public API ({@code io.distributedsupervisor}) and the SPI for
 * backends and listeners ({@code io.distributedsupervisor.spi}). The node runtime in
 * {@code io.distributedsupervisor.internal} is not exported and may change freely.
 */
module io.distributedsupervisor {
    requires org.slf4j;

    exports io.distributedsupervisor;
    exports io.distributedsupervisor.spi;

    uses io.distributedsupervisor.spi.BackendProvider;
    uses io.distributedsupervisor.spi.Listener;
}
