package io.distributedsupervisor.protocol;

import io.distributedsupervisor.spi.CodecException;
import io.distributedsupervisor.spi.MessageCodec;
import java.util.Objects;

/**
 * A user payload inside a {@link Message} or {@link Reply}: a value (about to be encoded, or
 * passed by reference within one JVM), or the bytes it arrived as, which are decoded only where
 * the payload is used (a child's own thread, a caller's thread), never on a transport thread.
 */
public sealed interface Payload {

    /** The payload's value; encoded bytes are decoded with {@code codec}. */
    Object value(MessageCodec codec) throws CodecException;

    /** A payload holding {@code value} (which may be null). */
    static Payload of(Object value) {
        return new Value(value);
    }

    /** A value, not encoded (yet). */
    record Value(Object value) implements Payload {
        @Override
        public Object value(MessageCodec codec) {
            return value;
        }
    }

    /**
     * {@code length} bytes of {@code bytes} from {@code offset}, as a codec wrote them: a slice of
     * the message they came in, not a copy. Equality is that of the array's identity.
     */
    record Encoded(byte[] bytes, int offset, int length) implements Payload {
        public Encoded {
            Objects.checkFromIndexSize(offset, length, bytes.length);
        }

        @Override
        public Object value(MessageCodec codec) throws CodecException {
            return codec.decode(bytes, offset, length);
        }

        @Override
        public String toString() {
            return "Encoded[" + length + " bytes]";
        }
    }
}
