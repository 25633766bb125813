package io.distributedsupervisor.zookeeper.transport;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * One frame on the wire, after its 4-byte length prefix: a type byte, a request id (a long, 0
 * where there is none), the payload and, once the handshake has proved the cluster secret, a
 * {@value FrameMac#TAG_BYTES}-byte tag ({@link FrameMac}); the tag is null before that, and in
 * open mode always.
 */
record Frame(byte type, long requestId, byte[] payload, byte[] tag) {

    /** A frame without tag (the {@link FrameAuthenticator} adds it on the way out). */
    Frame(byte type, long requestId, byte[] payload) {
        this(type, requestId, payload, null);
    }

    /** Type byte plus request id: the smallest possible frame. */
    static final int HEADER_BYTES = 1 + 8;

    // Handshake (payloads in HandshakeProtocol).
    static final byte HELLO = 1;
    static final byte CHALLENGE = 2;
    static final byte PROOF = 3;
    /** The sender closes the connection; the payload says why (a reason byte and a text). */
    static final byte CLOSING = 4;
    /** The sender's node name, once both sides proved the secret (authenticated like what follows). */
    static final byte IDENTITY = 5;
    // After the handshake.
    static final byte REQUEST = 16;
    static final byte REPLY = 17;
    /** The remote handler failed, or the request could not be decoded there; the payload is the text. */
    static final byte REPLY_FAILURE = 18;
    static final byte ONE_WAY = 19;
    /**
     * Small frames written as one: the payload holds them one after the other, each as on the
     * wire (length prefix, type, request id, payload) but without tag; the request id is their
     * count. Per written message Netty pays an entry, a buffer and an I/O vector slot, and each
     * tag costs a fixed part of an HMAC (about 0.3 µs), so many small frames cost less as one.
     * The batch is authenticated as a whole, so every frame in it is. Only REQUEST, REPLY,
     * REPLY_FAILURE, ONE_WAY and REPLY_NOT_TAKEN frames go in a batch ({@link BatchSplitter} checks).
     */
    static final byte BATCH = 20;
    /**
     * Nothing on the peer took the request (it names a receiver the peer does not have), so
     * nothing of it ran; the payload is the text. Safe to retry, unlike {@link #REPLY_FAILURE}.
     */
    static final byte REPLY_NOT_TAKEN = 21;

    static final byte CLOSING_AUTHENTICATION = 1;
    static final byte CLOSING_PROTOCOL = 2;

    static boolean isKnown(byte type) {
        return (type >= HELLO && type <= IDENTITY) || (type >= REQUEST && type <= REPLY_NOT_TAKEN);
    }

    static boolean isHandshake(byte type) {
        return type >= HELLO && type <= IDENTITY && type != CLOSING;
    }

    static String typeName(byte type) {
        return switch (type) {
            case HELLO -> "HELLO";
            case CHALLENGE -> "CHALLENGE";
            case PROOF -> "PROOF";
            case CLOSING -> "CLOSING";
            case IDENTITY -> "IDENTITY";
            case REQUEST -> "REQUEST";
            case REPLY -> "REPLY";
            case REPLY_FAILURE -> "REPLY_FAILURE";
            case ONE_WAY -> "ONE_WAY";
            case BATCH -> "BATCH";
            case REPLY_NOT_TAKEN -> "REPLY_NOT_TAKEN";
            default -> String.format("unknown type 0x%02x", type);
        };
    }

    /** The bytes this frame takes on the wire, length prefix and tag included (for write-buffer accounting). */
    int wireBytes() {
        return wireBytes(payload.length) + (tag == null ? 0 : tag.length);
    }

    /** This frame with its tag. */
    Frame sealed(byte[] tag) {
        return new Frame(type, requestId, payload, tag);
    }

    static int wireBytes(int payloadBytes) {
        return 4 + HEADER_BYTES + payloadBytes;
    }

    /** A {@link #BATCH} of {@code frames} (untagged), whose wire bytes add up to {@code wireBytes}. */
    static Frame batch(List<Frame> frames, int wireBytes) {
        ByteBuffer out = ByteBuffer.allocate(wireBytes);
        for (Frame frame : frames) {
            out.putInt(HEADER_BYTES + frame.payload.length).put(frame.type).putLong(frame.requestId).put(frame.payload);
        }
        if (out.hasRemaining()) {
            throw new IllegalArgumentException("the batch's frames take " + out.position() + " bytes, not " + wireBytes);
        }
        return new Frame(BATCH, frames.size(), out.array());
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
        return typeName(type) + "#" + requestId + "(" + payload.length + " bytes" + (tag == null ? "" : ", tagged") + ")";
    }
}
