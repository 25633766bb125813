package io.distributedsupervisor.codec;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The two most common payloads, a {@code byte[]} and a short ASCII {@code String}, written and
 * read without Jackson, in exactly the bytes Jackson writes for them at an {@code Object}
 * position: {@code 9f 62 "[B" <byte string> ff} (an indefinite array holding the type id and the
 * bytes) and a definite-length text string. Jackson's per-call set-up (a serializer provider or
 * deserialization context, a generator or parser, their buffers) costs several times the payload's
 * own work for 64 bytes, and a remote call pays it four times. Both classes are always allowed
 * (arrays of primitives and {@code String} need no allow-list entry), so nothing is decided here
 * that Jackson would decide otherwise: whatever is not exactly one of these two shapes goes to
 * Jackson, limits included.
 */
final class DirectCbor {
    /** Strings up to this many chars: Jackson writes longer ones in chunks (from 3,997 chars). */
    static final int MAX_STRING_CHARS = 1024;
    /** What {@link #read} returns for bytes it does not take: Jackson decodes them. */
    static final Object NOT_DIRECT = new Object();

    private static final int BYTE_ARRAY_HEADER_0 = 0x9f; // indefinite-length array
    private static final int BYTE_ARRAY_HEADER_1 = 0x62; // text of 2 bytes: the type id "[B"
    private static final int BYTE_ARRAY_HEADER_2 = '[';
    private static final int BYTE_ARRAY_HEADER_3 = 'B';
    private static final int BREAK = 0xff;
    private static final int MAJOR_BYTES = 2 << 5;
    private static final int MAJOR_TEXT = 3 << 5;

    private DirectCbor() {
    }

    /** Whether {@code payload} is written here. */
    static boolean writes(Object payload) {
        return payload instanceof byte[] || payload instanceof String s && s.length() <= MAX_STRING_CHARS && ascii(s);
    }

    /** The encoded size of a payload that {@link #writes} accepts. */
    static long size(Object payload) {
        if (payload instanceof byte[] b) {
            return 4 + headBytesFor(b.length) + b.length + 1;
        }
        int n = ((String) payload).length();
        return headBytesFor(n) + n;
    }

    /** Writes a payload that {@link #writes} accepts. */
    static void write(Object payload, OutputStream out) throws IOException {
        if (payload instanceof byte[] b) {
            out.write(BYTE_ARRAY_HEADER_0);
            out.write(BYTE_ARRAY_HEADER_1);
            out.write(BYTE_ARRAY_HEADER_2);
            out.write(BYTE_ARRAY_HEADER_3);
            header(out, MAJOR_BYTES, b.length);
            out.write(b, 0, b.length);
            out.write(BREAK);
            return;
        }
        String s = (String) payload;
        int n = s.length();
        header(out, MAJOR_TEXT, n);
        byte[] ascii = new byte[n];
        for (int i = 0; i < n; i++) {
            ascii[i] = (byte) s.charAt(i); // ASCII only (checked by writes): one byte per char
        }
        out.write(ascii, 0, n);
    }

    /**
     * The payload in {@code bytes[offset, offset + length)} if it is exactly one of the two shapes
     * (a string only if ASCII and at most {@code maxStringChars} long), else {@link #NOT_DIRECT}.
     */
    static Object read(byte[] bytes, int offset, int length, int maxStringChars) {
        if (length == 0) {
            return NOT_DIRECT;
        }
        int end = offset + length;
        int first = bytes[offset] & 0xff;
        if ((first & 0xe0) == MAJOR_TEXT) {
            long n = length(bytes, offset, end);
            int at = offset + headBytesOf(first);
            if (n < 0 || n > maxStringChars || at + n != end) {
                return NOT_DIRECT;
            }
            for (int i = at; i < end; i++) {
                if (bytes[i] < 0) {
                    return NOT_DIRECT; // not ASCII: Jackson checks the UTF-8
                }
            }
            return new String(bytes, at, (int) n, StandardCharsets.US_ASCII);
        }
        if (first == BYTE_ARRAY_HEADER_0 && length >= 6 && (bytes[offset + 1] & 0xff) == BYTE_ARRAY_HEADER_1
                && bytes[offset + 2] == BYTE_ARRAY_HEADER_2 && bytes[offset + 3] == BYTE_ARRAY_HEADER_3
                && (bytes[offset + 4] & 0xe0) == MAJOR_BYTES && (bytes[end - 1] & 0xff) == BREAK) {
            int headerAt = offset + 4;
            long n = length(bytes, headerAt, end - 1);
            int at = headerAt + headBytesOf(bytes[headerAt] & 0xff);
            if (n < 0 || at + n != end - 1) {
                return NOT_DIRECT;
            }
            return Arrays.copyOfRange(bytes, at, end - 1);
        }
        return NOT_DIRECT;
    }

    private static boolean ascii(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** Bytes of the smallest CBOR head for an argument of {@code n}. */
    private static int headBytesFor(long n) {
        return n < 24 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : n < 0x100000000L ? 5 : 9;
    }

    /** Bytes of the head that starts with {@code initial}; only called for major types 2 and 3. */
    private static int headBytesOf(int initial) {
        return switch (initial & 0x1f) {
            case 24 -> 2;
            case 25 -> 3;
            case 26 -> 5;
            case 27 -> 9;
            default -> 1;
        };
    }

    private static void header(OutputStream out, int major, int n) throws IOException {
        if (n < 24) {
            out.write(major | n);
        } else if (n < 0x100) {
            out.write(major | 24);
            out.write(n);
        } else if (n < 0x10000) {
            out.write(major | 25);
            out.write(n >>> 8);
            out.write(n);
        } else {
            out.write(major | 26);
            out.write(n >>> 24);
            out.write(n >>> 16);
            out.write(n >>> 8);
            out.write(n);
        }
    }

    /**
     * The definite length in the head at {@code at} (before {@code end}), or -1 when it is
     * indefinite, reserved, or runs past {@code end}.
     */
    static long length(byte[] b, int at, int end) {
        int info = b[at] & 0x1f;
        if (info < 24) {
            return info;
        }
        if (info > 27) {
            return -1; // 28-30 reserved, 31 indefinite
        }
        int size = headBytes(b[at]) - 1;
        if (at + 1 + size > end) {
            return -1;
        }
        long n = 0;
        for (int i = 1; i <= size; i++) {
            n = (n << 8) | (b[at + i] & 0xff);
        }
        return n; // a 64-bit length with its top bit set is negative: refused as -1 is
    }

    /** The bytes of the head that starts with {@code head}: 1, plus the 1, 2, 4 or 8 bytes of a longer argument. */
    static int headBytes(byte head) {
        return switch (head & 0x1f) {
            case 24 -> 2;
            case 25 -> 3;
            case 26 -> 5;
            case 27 -> 9;
            default -> 1; // the argument in the head itself; or reserved, or indefinite
        };
    }
}
