package io.distributedsupervisor.codec;

import io.distributedsupervisor.Restart;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads one shape of payload without Jackson: a {@code LinkedHashMap} of a few {@code String}
 * keys to flat values, which is what a stored child spec is
 * ({@link io.distributedsupervisor.protocol.WireFormat#specForm}); an heir reads one per child it
 * inherits, and Jackson's generic map reading took several times longer, more still before the JIT
 * had compiled it. The values read here are {@code null}, booleans, ASCII strings, {@code Integer}
 * and {@code Long} and {@code Class} values, in the very bytes Jackson writes for them:
 * <pre>
 *   [_ "15", {_ key: value, ... }]      the map (alias 15 is LinkedHashMap)
 *   value: null | true | false | "text" | int | [_ "1", int] (a Long) | [_ "9", "class name"]
 * </pre>
 * Anything else, a single byte off that shape included, is {@link DirectCbor#NOT_DIRECT}: Jackson
 * then reads it from the start, with every check and every error message of its own. So this
 * path never fails where Jackson would succeed, nor gives a different value.
 *
 * <p>What it does not weaken: a class name goes through the same {@link ClassValues.Deserializer}
 * as Jackson's path (allow-list by name first, loaded without initialization). The limits hold
 * because the path is off unless they admit its whole shape (depth 3, at most {@value #MAX_ENTRIES}
 * entries, so at most 85 tokens; {@code Long}s of at most 20 digits) and each string is checked
 * against {@code maxStringLength}; {@code maxBytes} is checked by the codec before either path.
 * Its work is linear in the bytes; it allocates what it returns and a cursor.
 */
final class DirectMaps {
    /** More entries than a spec has; a larger map goes through Jackson. */
    static final int MAX_ENTRIES = 16;
    /** Outer array start, id and end, map start and end, and per entry a name and up to 4 tokens of a typed value. */
    private static final long MAX_TOKENS = 5 + 5L * MAX_ENTRIES;
    /** Array, map, typed value. */
    private static final int DEPTH = 3;
    /** Digits of Long.MIN_VALUE, sign included. */
    private static final int LONG_DIGITS = 20;

    private static final int INDEFINITE_ARRAY = 0x9f;
    private static final int INDEFINITE_MAP = 0xbf;
    private static final int BREAK = 0xff;
    private static final int FALSE = 0xf4;
    private static final int TRUE = 0xf5;
    private static final int NULL = 0xf6;
    private static final int ONE_CHAR_TEXT = 0x61;
    private static final int TWO_CHAR_TEXT = 0x62;
    private static final int MAJOR_UNSIGNED = 0;
    private static final int MAJOR_NEGATIVE = 1 << 5;
    private static final int MAJOR_TEXT = 3 << 5;

    /**
     * The names of a spec's entries and of its restart values: read as these very strings, no copy
     * of the bytes and no hashing of a new one when the map is filled and read.
     */
    private static final String[] KNOWN = Stream.concat(Stream.of("type", "arg", "id", "restart", "shutdownMillis"),
            Stream.of(Restart.values()).map(Restart::name)).toArray(String[]::new);
    private static final byte[][] KNOWN_BYTES = Stream.of(KNOWN).map(k -> k.getBytes(StandardCharsets.US_ASCII))
            .toArray(byte[][]::new);

    private final ClassValues.Deserializer classes;
    private final int maxStringLength;
    private final boolean on;
    /**
     * The last class a Class value named here, by its name's bytes: the specs an heir reads name
     * the same few classes over and over. Only a name the allow-list admitted is kept. Immutable,
     * so threads may share it without a lock; a lost update costs one lookup.
     */
    private ClassName lastClass;

    /** {@code text}: the CBOR text (head and bytes) that named {@code type}. */
    private record ClassName(byte[] text, Class<?> type) {
    }

    DirectMaps(AllowList allowList, ClassValues.Deserializer classes, int maxDepth, int maxStringLength,
               int maxNumberLength, long maxTokens) {
        this.classes = classes;
        this.maxStringLength = maxStringLength;
        // An alias the list refuses is refused by Jackson, with its message: those maps are not read here.
        this.on = maxDepth >= DEPTH && maxTokens >= MAX_TOKENS && maxNumberLength >= LONG_DIGITS
                && allowList.allows(LinkedHashMap.class.getName()) && allowList.allows(Long.class.getName())
                && allowList.allows(Class.class.getName());
    }

    /**
     * The map in {@code bytes[offset, offset + length)} if it has exactly the shape above, else
     * {@link DirectCbor#NOT_DIRECT}.
     *
     * @throws RefusedClassException if a Class value names a class the allow-list refuses or the
     *         loader cannot load, as Jackson's path would
     */
    Object read(byte[] bytes, int offset, int length) throws RefusedClassException {
        if (!on || length < 6) {
            return DirectCbor.NOT_DIRECT;
        }
        int end = offset + length;
        if ((bytes[offset] & 0xff) != INDEFINITE_ARRAY || (bytes[offset + 1] & 0xff) != TWO_CHAR_TEXT
                || bytes[offset + 2] != '1' || bytes[offset + 3] != '5' || (bytes[offset + 4] & 0xff) != INDEFINITE_MAP
                || (bytes[end - 1] & 0xff) != BREAK) {
            return DirectCbor.NOT_DIRECT;
        }
        Cursor in = new Cursor(bytes, offset + 5, end - 1);
        // The map is built once the whole shape is known: a map whose argument is a record goes to
        // Jackson after a few bytes, and a map begun here for nothing cost it a tenth more.
        Object[] entries = new Object[2 * MAX_ENTRIES];
        int n = 0;
        while (true) {
            int head = in.peek();
            if (head == BREAK) {
                in.at++;
                break;
            }
            if (head < 0 || n == entries.length || (head & 0xe0) != MAJOR_TEXT) {
                return DirectCbor.NOT_DIRECT;
            }
            String key = in.text();
            // A key starting with NUL is a typed one (ObjectKeys): Jackson's.
            if (key == null || !key.isEmpty() && key.charAt(0) == '\u0000') {
                return DirectCbor.NOT_DIRECT;
            }
            Object value = value(in);
            if (value == DirectCbor.NOT_DIRECT) {
                return DirectCbor.NOT_DIRECT;
            }
            entries[n++] = key;
            entries[n++] = value;
        }
        if (in.at != in.end) {
            return DirectCbor.NOT_DIRECT;
        }
        Map<Object, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < n; i += 2) {
            map.put(entries[i], entries[i + 1]);
        }
        return map;
    }

    private Object value(Cursor in) throws RefusedClassException {
        int head = in.peek();
        switch (head) {
            case NULL -> {
                in.at++;
                return null;
            }
            case TRUE -> {
                in.at++;
                return Boolean.TRUE;
            }
            case FALSE -> {
                in.at++;
                return Boolean.FALSE;
            }
            case INDEFINITE_ARRAY -> {
                return typed(in);
            }
            default -> {
                if (head < 0) {
                    return DirectCbor.NOT_DIRECT;
                }
                if ((head & 0xe0) == MAJOR_TEXT) {
                    String s = in.text();
                    return s == null ? DirectCbor.NOT_DIRECT : s;
                }
                // A plain int is an Integer when it fits one (else Jackson reads a Long or BigInteger there: its call).
                if ((head & 0x1f) <= 26 && ((head & 0xe0) == MAJOR_UNSIGNED || (head & 0xe0) == MAJOR_NEGATIVE)) {
                    long n = in.integer();
                    return in.overflowed || n != (int) n ? DirectCbor.NOT_DIRECT : Integer.valueOf((int) n);
                }
                return DirectCbor.NOT_DIRECT;
            }
        }
    }

    /** [_ "1", int] or [_ "9", "class name"]. */
    private Object typed(Cursor in) throws RefusedClassException {
        if (in.end - in.at < 4 || (in.bytes[in.at + 1] & 0xff) != ONE_CHAR_TEXT) {
            return DirectCbor.NOT_DIRECT;
        }
        byte id = in.bytes[in.at + 2];
        in.at += 3;
        Object value;
        int head = in.peek();
        if (id == '1' && ((head & 0xe0) == MAJOR_UNSIGNED || (head & 0xe0) == MAJOR_NEGATIVE) && (head & 0x1f) <= 27) {
            long n = in.integer();
            // Beyond a long, Jackson reads a BigInteger there and refuses it as a Long, in its words.
            value = in.overflowed ? DirectCbor.NOT_DIRECT : Long.valueOf(n);
        } else if (id == '9' && head >= 0 && (head & 0xe0) == MAJOR_TEXT) {
            value = type(in);
        } else {
            return DirectCbor.NOT_DIRECT;
        }
        if (value == DirectCbor.NOT_DIRECT || in.peek() != BREAK) {
            return DirectCbor.NOT_DIRECT;
        }
        in.at++;
        return value;
    }

    /** The class whose name is the text next; {@link DirectCbor#NOT_DIRECT} if that is not an ASCII text. */
    private Object type(Cursor in) throws RefusedClassException {
        int from = in.at;
        ClassName last = lastClass;
        if (last != null) {
            int to = from + last.text().length;
            if (to <= in.end && Arrays.equals(in.bytes, from, to, last.text(), 0, last.text().length)) {
                in.at = to; // the very head and bytes of a name read before: length and allow-list checked then
                return last.type();
            }
        }
        String name = in.text();
        if (name == null) {
            return DirectCbor.NOT_DIRECT;
        }
        Class<?> type = classes.resolve(name);
        lastClass = new ClassName(Arrays.copyOfRange(in.bytes, from, in.at), type);
        return type;
    }

    /** A position in the bytes; every read checks it against the end. */
    private final class Cursor {
        final byte[] bytes;
        final int end;
        int at;
        boolean overflowed;

        Cursor(byte[] bytes, int at, int end) {
            this.bytes = bytes;
            this.at = at;
            this.end = end;
        }

        /** The next byte, unsigned, without moving; -1 at the end. */
        int peek() {
            return at < end ? bytes[at] & 0xff : -1;
        }

        /**
         * The integer whose head (major type 0 or 1, argument up to 8 bytes) is next; sets
         * {@link #overflowed} if it is beyond a long, or if its bytes run past the end.
         */
        long integer() {
            int head = bytes[at] & 0xff;
            long n = argument();
            if (n < 0) { // beyond a signed long, or past the end
                overflowed = true;
                return 0;
            }
            return (head & 0xe0) == MAJOR_NEGATIVE ? -1 - n : n;
        }

        /** The next definite-length ASCII text of at most maxStringLength chars, or null (and the cursor anywhere). */
        String text() {
            long n = argument();
            if (n < 0 || n > maxStringLength || n > end - at) {
                return null;
            }
            int from = at;
            int to = from + (int) n;
            for (int k = 0; k < KNOWN_BYTES.length; k++) {
                if (KNOWN_BYTES[k].length == n && same(from, KNOWN_BYTES[k])) {
                    at = to;
                    return KNOWN[k];
                }
            }
            String s = new String(bytes, from, (int) n, StandardCharsets.US_ASCII);
            // A byte that is not ASCII decodes as U+FFFD (and an all-ASCII string never holds it): Jackson checks the UTF-8.
            if (s.indexOf('\uFFFD') >= 0) {
                return null;
            }
            at = to;
            return s;
        }

        /** Whether the bytes at {@code from} are {@code known}'s, which fit: a few bytes, compared in a plain loop. */
        private boolean same(int from, byte[] known) {
            for (int i = 0; i < known.length; i++) {
                if (bytes[from + i] != known[i]) {
                    return false;
                }
            }
            return true;
        }

        /** Reads the head at the cursor: its argument, or -1 if indefinite, reserved, past the end or over 2^63 - 1 ({@link DirectCbor#length}). */
        private long argument() {
            long n = DirectCbor.length(bytes, at, end);
            at += DirectCbor.headBytes(bytes[at]);
            return n;
        }
    }
}
