/**
 * DistributedSupervisor: the public API ({@code io.distributedsupervisor}), the SPI for backends,
 * listeners and codecs ({@code io.distributedsupervisor.spi}), the wire protocol between nodes
 * ({@code io.distributedsupervisor.protocol}) and the message codecs
 * ({@code io.distributedsupervisor.codec}). The node runtime in
 * {@code io.distributedsupervisor.internal} is not exported and may change freely.
 */
module io.distributedsupervisor {
    requires org.slf4j;
    requires com.fasterxml.jackson.annotation;
    requires com.fasterxml.jackson.core;
    requires com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.dataformat.cbor;
    requires com.fasterxml.jackson.datatype.jsr310;

    exports io.distributedsupervisor;
    exports io.distributedsupervisor.spi;
    exports io.distributedsupervisor.protocol;
    exports io.distributedsupervisor.codec;

    uses io.distributedsupervisor.spi.BackendProvider;
    uses io.distributedsupervisor.spi.Listener;
}
