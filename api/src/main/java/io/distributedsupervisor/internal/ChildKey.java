package io.distributedsupervisor.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.UUID;

/**
 * The stable, reversible encoding of a child id into a key: usable as a ZooKeeper node name and
 * hashed onto the ring. The first character names the type ({@code s} String, {@code i} Integer,
 * {@code l} Long, {@code u} UUID); Strings keep {@code [A-Za-z0-9_.-]} and percent-encode every
 * other UTF-8 byte, so the key never holds {@code /}.
 */
public final class ChildKey {
    /** The longest String id accepted, in chars. */
    public static final int MAX_STRING_ID = 512;

    private ChildKey() {
    }

    /**
     * Checks that {@code id} is a supported child id.
     *
     * @throws NullPointerException     if null
     * @throws IllegalArgumentException naming the problem otherwise
     */
    public static void validate(Object id) {
        Objects.requireNonNull(id, "child id");
        if (id instanceof String s) {
            if (s.isEmpty() || s.length() > MAX_STRING_ID) {
                throw new IllegalArgumentException("a String child id must have 1 to " + MAX_STRING_ID
                        + " characters, got " + s.length());
            }
        } else if (!(id instanceof Integer || id instanceof Long || id instanceof UUID)) {
            throw new IllegalArgumentException("unsupported child id type " + id.getClass().getName()
                    + " (id " + id + "): use String, Integer, Long or UUID");
        }
    }

    /** The key of a valid id. */
    public static String encode(Object id) {
        validate(id);
        if (id instanceof String s) {
            return "s" + escape(s);
        }
        if (id instanceof Integer i) {
            return "i" + i;
        }
        if (id instanceof Long l) {
            return "l" + l;
        }
        return "u" + id;
    }

    /**
     * The id of a key.
     *
     * @throws IllegalArgumentException if the key was not made by {@link #encode}
     */
    public static Object decode(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("empty child key");
        }
        String body = key.substring(1);
        try {
            return switch (key.charAt(0)) {
                case 's' -> unescape(body);
                case 'i' -> Integer.valueOf(body);
                case 'l' -> Long.valueOf(body);
                case 'u' -> UUID.fromString(body);
                default -> throw new IllegalArgumentException("unknown child key type '" + key.charAt(0) + "'");
            };
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("malformed child key '" + key + "': " + e.getMessage(), e);
        }
    }

    /** The id of a key read from storage, or null (logged) when the key is malformed: such an entry is skipped, never trusted. */
    static Object decodeOrNull(String key) {
        try {
            return decode(key);
        } catch (IllegalArgumentException e) {
            org.slf4j.LoggerFactory.getLogger(ChildKey.class).warn("ignoring a registry entry with a malformed key: {}",
                    e.getMessage());
            return null;
        }
    }

    private static boolean plain(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'
                || c == '.';
    }

    private static String escape(String s) {
        boolean allPlain = true;
        for (int i = 0; i < s.length() && allPlain; i++) {
            allPlain = plain(s.charAt(i));
        }
        if (allPlain) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (b >= 0 && plain(c)) {
                sb.append(c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return sb.toString();
    }

    private static String unescape(String s) {
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty String id");
        }
        if (s.indexOf('%') < 0) {
            for (int i = 0; i < s.length(); i++) {
                if (!plain(s.charAt(i))) {
                    throw new IllegalArgumentException("unescaped character '" + s.charAt(i) + "'");
                }
            }
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    throw new IllegalArgumentException("truncated escape");
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException("bad escape");
                }
                out.write((hi << 4) | lo);
                i += 2;
            } else if (plain(c)) {
                out.write(c);
            } else {
                throw new IllegalArgumentException("unescaped character '" + c + "'");
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
