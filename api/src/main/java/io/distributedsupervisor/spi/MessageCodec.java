package io.distributedsupervisor.spi;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;

/**
 * Turns the payloads that cross between nodes into bytes and back: a spec's argument, the
 * messages of {@code call}, {@code cast} and {@code send}, replies, and the exceptions of
 * crashed children. The runtime frames everything else itself (ids, pids, incarnations, the kind
 * of message), so a codec sees only what the user sent, plus the few standard shapes listed
 * below. One codec serves a node both on the wire and for the specs it stores.
 *
 * <p>What every codec must round-trip, because the runtime hands it these itself:
 * <ul>
 *   <li>{@code null}, {@link String}, {@link Integer}, {@link Long}, {@link Boolean} and
 *       {@link java.util.UUID};</li>
 *   <li>a {@code Map<String, Object>} of these, of the user's payloads and of a
 *       {@link Class} (a stored spec names its child class that way): a codec decides by the
 *       class's name, before it loads it, whether a peer may name it;</li>
 *   <li>a {@link Throwable} (the cause of a crash). A codec may decode an exception whose class
 *       it will not load as an {@link io.distributedsupervisor.RemoteChildException}.</li>
 * </ul>
 *
 * <p>Contract:
 * <ul>
 *   <li><b>Refuse before anything runs.</b> {@link #decode} reads bytes that came from another
 *       process: it must refuse every class it does not know to be harmless <em>before</em> it
 *       loads it, so that no code of a refused class runs (no static initializer, constructor or
 *       setter), and must bound the work a message can cause (size, nesting depth, element
 *       count), so that a small message cannot cost more than a small, linear amount of time.</li>
 *   <li><b>Refuse on both sides.</b> {@link #encode} should refuse what the same codec would
 *       refuse to decode, so that the sender learns of it at once.</li>
 *   <li><b>Thread-safe.</b> The runtime encodes and decodes on many threads at once.</li>
 * </ul>
 *
 * <p>The defaults live in {@code io.distributedsupervisor.codec}: CBOR through Jackson behind a
 * class allow-list, and Java serialization behind the same allow-list as an opt-in.
 */
public interface MessageCodec {

    /**
     * Writes {@code payload} to {@code out}.
     *
     * @throws CodecException if the payload may not or cannot be encoded; {@link CodecException#refusedClass()}
     *                        names the class when a class was refused
     */
    void encode(Object payload, OutputStream out) throws CodecException;

    /**
     * The payload encoded in {@code length} bytes of {@code bytes} from {@code offset}.
     *
     * @throws CodecException if the bytes are malformed, exceed a limit, or name a refused class
     *                        (then {@link CodecException#refusedClass()} names it, and none of its
     *                        code has run)
     */
    Object decode(byte[] bytes, int offset, int length) throws CodecException;

    /**
     * The number of bytes {@link #encode(Object, OutputStream)} would write for {@code payload},
     * when the codec knows it without encoding (a size the runtime allocates a message's buffer
     * by, so that the message is not copied into a smaller array at the end); -1 when it does not.
     * The default is -1. Must not throw: a payload the codec refuses gives -1 (encode refuses it).
     */
    default int encodedSize(Object payload) {
        return -1;
    }

    /** {@link #encode(Object, OutputStream)} into a new array. */
    default byte[] encode(Object payload) throws CodecException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        encode(payload, out);
        return out.toByteArray();
    }

    /** {@link #decode(byte[], int, int)} of a whole array. */
    default Object decode(byte[] bytes) throws CodecException {
        return decode(bytes, 0, bytes.length);
    }
}
