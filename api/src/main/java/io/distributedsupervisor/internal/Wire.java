package io.distributedsupervisor.internal;

import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.protocol.Message;
import io.distributedsupervisor.protocol.Payload;
import io.distributedsupervisor.protocol.Reply;
import io.distributedsupervisor.protocol.WireFormat;
import io.distributedsupervisor.spi.CodecException;
import io.distributedsupervisor.spi.MessageCodec;
import io.distributedsupervisor.spi.NodeSession;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * How this node's messages, replies and stored specs become the bytes a backend moves: through
 * the {@link WireFormat} and the codec ({@link #encoded}), or, when the backend
 * {@linkplain NodeSession#passesByReference() passes arrays by reference} within one JVM and the
 * codec is off, as tokens that stand for the objects themselves ({@link #byReference}).
 */
interface Wire {

    byte[] encode(Message message) throws CodecException;

    Message decodeMessage(byte[] bytes) throws CodecException;

    byte[] encode(Reply reply) throws CodecException;

    Reply decodeReply(byte[] bytes) throws CodecException;

    byte[] encodeSpec(ChildSpec spec) throws CodecException;

    ChildSpec decodeSpec(byte[] bytes) throws CodecException;

    ChildSpec decodeSpec(Payload spec) throws CodecException;

    /** A payload's value: decoded if it arrived encoded. */
    default Object value(Payload payload) throws CodecException {
        return payload.value(codec());
    }

    MessageCodec codec();

    static Wire encoded(WireFormat format) {
        return new Wire() {
            @Override
            public byte[] encode(Message message) throws CodecException {
                return format.encode(message);
            }

            @Override
            public Message decodeMessage(byte[] bytes) throws CodecException {
                return format.decodeMessage(bytes);
            }

            @Override
            public byte[] encode(Reply reply) throws CodecException {
                return format.encode(reply);
            }

            @Override
            public Reply decodeReply(byte[] bytes) throws CodecException {
                return format.decodeReply(bytes);
            }

            @Override
            public byte[] encodeSpec(ChildSpec spec) throws CodecException {
                return format.encodeSpec(spec);
            }

            @Override
            public ChildSpec decodeSpec(byte[] bytes) throws CodecException {
                return format.decodeSpec(bytes);
            }

            @Override
            public ChildSpec decodeSpec(Payload spec) throws CodecException {
                return format.decodeSpec(spec);
            }

            @Override
            public MessageCodec codec() {
                return format.codec();
            }
        };
    }

    /**
     * Tokens instead of bytes: each encoding is a fresh one-byte array mapped to the object in a
     * JVM-wide table with weak keys. A backend that passes arrays by reference hands the receiving
     * runtime the very token, which finds the object; once no one holds the token any more (the
     * message was read, or dropped undelivered), the garbage collector takes the entry with it.
     */
    static Wire byReference(WireFormat format) {
        return new ReferenceWire(format);
    }

    /** See {@link #byReference}. */
    final class ReferenceWire implements Wire {
        // Arrays compare by identity, so WeakHashMap keys each token by the array object itself.
        private static final Map<byte[], Object> TOKENS = Collections.synchronizedMap(new WeakHashMap<>());

        private final WireFormat format;

        private ReferenceWire(WireFormat format) {
            this.format = format;
        }

        private static byte[] token(Object value) {
            byte[] token = new byte[1];
            TOKENS.put(token, value);
            return token;
        }

        private static <T> T object(byte[] token, Class<T> type) throws CodecException {
            Object value = TOKENS.get(token);
            if (!type.isInstance(value)) {
                throw CodecException.failed("not a message passed by reference in this JVM (" + token.length + " bytes)", null);
            }
            return type.cast(value);
        }

        @Override
        public byte[] encode(Message message) {
            return token(message);
        }

        @Override
        public Message decodeMessage(byte[] bytes) throws CodecException {
            return object(bytes, Message.class);
        }

        @Override
        public byte[] encode(Reply reply) {
            return token(reply);
        }

        @Override
        public Reply decodeReply(byte[] bytes) throws CodecException {
            return object(bytes, Reply.class);
        }

        @Override
        public byte[] encodeSpec(ChildSpec spec) {
            return token(WireFormat.specForm(spec));
        }

        @Override
        public ChildSpec decodeSpec(byte[] bytes) throws CodecException {
            return format.decodeSpec(Payload.of(object(bytes, Map.class)));
        }

        @Override
        public ChildSpec decodeSpec(Payload spec) throws CodecException {
            return format.decodeSpec(spec);
        }

        @Override
        public MessageCodec codec() {
            return format.codec();
        }
    }
}
