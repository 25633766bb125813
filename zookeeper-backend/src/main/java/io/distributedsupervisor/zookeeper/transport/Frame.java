package io.distributedsupervisor.zookeeper.transport;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * One frame on the wire, after its 4-byte length prefix: a type byte, a request id (a long, 0
 * where there is none) and the payload.
 */
record Frame(byte type, long requestId, byte[] payload) {

    /** Type byte plus request id: the smallest possible frame. */
    static final int HEADER_BYTES = 1 + 8;

    // Handshake (payloads in HandshakeHandler).
    static final byte HELLO = 1;
    static final byte CHALLENGE = 2;
    static final byte PROOF = 3;
    /** The sender closes the connection; the payload says why (a reason byte and a text). */
    static final byte CLOSING = 4;
    // After the handshake.
    static final byte REQUEST = 16;
    static final byte REPLY = 17;
    /** The remote handler failed, or the request could not be decoded there; the payload is the text. */
    static final byte REPLY_FAILURE = 18;
    static final byte ONE_WAY = 19;

    static final byte CLOSING_AUTHENTICATION = 1;
    static final byte CLOSING_PROTOCOL = 2;

    static boolean isKnown(byte type) {
        return (type >= HELLO && type <= CLOSING) || (type >= REQUEST && type <= ONE_WAY);
    }

    static boolean isHandshake(byte type) {
        return type >= HELLO && type <= PROOF;
    }

    static String typeName(byte type) {
        return switch (type) {
            case HELLO -> "HELLO";
            case CHALLENGE -> "CHALLENGE";
            case PROOF -> "PROOF";
            case CLOSING -> "CLOSING";
            case REQUEST -> "REQUEST";
            case REPLY -> "REPLY";
            case REPLY_FAILURE -> "REPLY_FAILURE";
            case ONE_WAY -> "ONE_WAY";
            default -> String.format("unknown type 0x%02x", type);
        };
    }

    /** The bytes this frame takes on the wire, length prefix included (for write-buffer accounting). */
    int wireBytes() {
        return wireBytes(payload.length);
    }

    static int wireBytes(int payloadBytes) {
        return 4 + HEADER_BYTES + payloadBytes;
    }

    /**
     * Frames written as one buffer: per written message Netty pays an entry, a buffer and an I/O
     * vector slot, so many small frames cost less as one.
     */
    record Batch(List<Frame> frames, int wireBytes) {
    }

    static Frame closing(byte reason, String text) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(reason);
            out.writeUTF(text.length() > 1000 ? text.substring(0, 1000) + "..." : text);
            return new Frame(CLOSING, 0, bytes.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return typeName(type) + "#" + requestId + "(" + payload.length + " bytes)";
    }
}
