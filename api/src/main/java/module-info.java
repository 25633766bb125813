/**
 * DistributedSupervisor: the public API ({@code io.distributedsupervisor}), the SPI for backends,
 * listeners and codecs ({@code io.distributedsupervisor.spi}), the wire protocol between nodes
 * ({@code io.distributedsupervisor.protocol}) and the codecs ({@code io.distributedsupervisor.codec}).
 * The node runtime in {@code io.distributedsupervisor.internal} is not exported and may change freely.
 */
module io.distributedsupervisor {
    requires org.slf4j;

    exports io.distributedsupervisor;
    exports io.distributedsupervisor.spi;
    exports io.distributedsupervisor.protocol;
    exports io.distributedsupervisor.codec;

    uses io.distributedsupervisor.spi.BackendProvider;
    uses io.distributedsupervisor.spi.Listener;
}
