package io.distributedsupervisor.protocol;

import io.distributedsupervisor.spi.CodecException;
import java.nio.charset.StandardCharsets;

/**
 * Reads what {@link WireWriter} wrote, from bytes that came from another process: every length
 * is checked against what is left, so a malformed message fails with a {@link CodecException}
 * and can never make this node allocate more than the message's own size.
 */
final class WireReader {
    private final byte[] b;
    private int pos;

    WireReader(byte[] b) {
        this.b = b;
    }

    private CodecException malformed(String what) {
        return CodecException.failed("malformed message: " + what + " at byte " + pos + " of " + b.length, null);
    }

    int readByte() throws CodecException {
        if (pos >= b.length) {
            throw malformed("truncated");
        }
        return b[pos++] & 0xff;
    }

    int readVarInt() throws CodecException {
        int value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int x = readByte();
            value |= (x & 0x7f) << shift;
            if ((x & 0x80) == 0) {
                if (value < 0) {
                    throw malformed("negative length");
                }
                return value;
            }
        }
        throw malformed("overlong varint");
    }

    long readLong() throws CodecException {
        if (b.length - pos < 8) {
            throw malformed("truncated long");
        }
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[pos++] & 0xff);
        }
        return v;
    }

    int readInt() throws CodecException {
        if (b.length - pos < 4) {
            throw malformed("truncated length");
        }
        int v = ((b[pos] & 0xff) << 24) | ((b[pos + 1] & 0xff) << 16) | ((b[pos + 2] & 0xff) << 8) | (b[pos + 3] & 0xff);
        pos += 4;
        return v;
    }

    String readString() throws CodecException {
        return text(readVarInt());
    }

    String readNullableString() throws CodecException {
        int n = readVarInt();
        return n == 0 ? null : text(n - 1);
    }

    private String text(int n) throws CodecException {
        if (n > b.length - pos) {
            throw malformed("string of " + n + " bytes");
        }
        String s = new String(b, pos, n, StandardCharsets.UTF_8);
        pos += n;
        return s;
    }

    /** A length-prefixed payload, as a slice of this message. */
    Payload.Encoded readPayload() throws CodecException {
        int n = readInt();
        if (n < 0 || n > b.length - pos) {
            throw malformed("payload of " + n + " bytes");
        }
        Payload.Encoded p = new Payload.Encoded(b, pos, n);
        pos += n;
        return p;
    }

    /** A count of items of at least {@code minBytes} each: never more than what is left could hold. */
    int readCount(int minBytes) throws CodecException {
        int n = readVarInt();
        if ((long) n * minBytes > b.length - pos) {
            throw malformed("count " + n);
        }
        return n;
    }

    void end() throws CodecException {
        if (pos != b.length) {
            throw malformed((b.length - pos) + " trailing bytes");
        }
    }
}
