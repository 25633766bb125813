package io.distributedsupervisor.protocol;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A growable byte array that codecs write payloads into directly; one copy at the end. */
final class WireWriter extends OutputStream {
    private byte[] buf;
    private int count;

    WireWriter(int capacity) {
        buf = new byte[capacity];
    }

    private void ensure(int more) {
        if (count + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length << 1, count + more));
        }
    }

    @Override
    public void write(int b) {
        ensure(1);
        buf[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, buf, count, len);
        count += len;
    }

    void writeVarInt(int value) {
        ensure(5);
        while ((value & ~0x7f) != 0) {
            buf[count++] = (byte) ((value & 0x7f) | 0x80);
            value >>>= 7;
        }
        buf[count++] = (byte) value;
    }

    void writeLong(long v) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buf[count++] = (byte) (v >>> shift);
        }
    }

    /** A string as its UTF-8 length (a varint) and bytes. */
    void writeString(String s) {
        int n = s.length();
        boolean ascii = true;
        for (int i = 0; i < n && ascii; i++) {
            ascii = s.charAt(i) < 0x80;
        }
        if (ascii) {
            writeVarInt(n);
            ensure(n);
            for (int i = 0; i < n; i++) {
                buf[count++] = (byte) s.charAt(i);
            }
        } else {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            writeVarInt(utf8.length);
            write(utf8, 0, utf8.length);
        }
    }

    /** The bytes {@link #writeString} writes for {@code s}, or -1 when it is not ASCII (its UTF-8 length would have to be computed). */
    static int asciiStringSize(String s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            if (s.charAt(i) >= 0x80) {
                return -1;
            }
        }
        return varIntSize(n) + n;
    }

    static int varIntSize(int value) {
        int bytes = 1;
        while ((value & ~0x7f) != 0) {
            value >>>= 7;
            bytes++;
        }
        return bytes;
    }

    /** A string that may be null: length + 1, 0 for null. */
    void writeNullableString(String s) {
        if (s == null) {
            writeVarInt(0);
            return;
        }
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        writeVarInt(utf8.length + 1);
        write(utf8, 0, utf8.length);
    }

    /** Reserves a 4-byte length, to be filled in by {@link #endLength}. */
    int beginLength() {
        ensure(4);
        int at = count;
        count += 4;
        return at;
    }

    void endLength(int at) {
        int length = count - at - 4;
        buf[at] = (byte) (length >>> 24);
        buf[at + 1] = (byte) (length >>> 16);
        buf[at + 2] = (byte) (length >>> 8);
        buf[at + 3] = (byte) length;
    }

    /** The bytes written, in the buffer itself when they fill it exactly (a writer sized by an exact size). */
    byte[] toArray() {
        return count == buf.length ? buf : Arrays.copyOf(buf, count);
    }
}
