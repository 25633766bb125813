package io.distributedsupervisor.zookeeper;

import java.io.IOException;

/**
 * Turns the messages nodes exchange into bytes and back: the codec SPI of the transport.
 *
 * <p>Implementations must be thread-safe: the transport encodes on the caller's thread and
 * decodes on its own threads, concurrently. {@link #decode} is the security boundary of a node:
 * it reads bytes that came over the network, so it must refuse anything it does not know to be
 * harmless, and must never run code of a class it refuses.
 */
public interface MessageCodec {

    /**
     * The bytes of {@code message}.
     *
     * @throws IOException if the message cannot be encoded (for Java serialization: a
     *                     {@link java.io.NotSerializableException} naming the class)
     */
    byte[] encode(Object message) throws IOException;

    /**
     * The message these bytes encode.
     *
     * @throws java.io.InvalidClassException (or another {@link IOException}) naming a refused
     *                                       class; no code of a class outside the codec's
     *                                       allow-list has run when it is thrown
     */
    Object decode(byte[] bytes) throws IOException;
}
