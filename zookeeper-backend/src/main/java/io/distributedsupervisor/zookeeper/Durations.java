package io.distributedsupervisor.zookeeper;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the duration settings of the zookeeper backend: a whole number with a unit,
 * {@code 500ms}, {@code 15s}, {@code 2m}, {@code 1h}, or ISO-8601 as {@link Duration#parse} reads
 * it ({@code PT15S}). A negative duration, a bare number and anything else are refused with a
 * message naming the setting, the value and the forms expected.
 */
public final class Durations {
    /** The forms a duration setting takes, for messages and documentation. */
    public static final String FORMS = "a duration such as 500ms, 15s, 2m, 1h or ISO-8601 PT15S";
    private static final Pattern SIMPLE = Pattern.compile("(-?\\d{1,18})\\s*(ms|s|m|h)");

    private Durations() {
    }

    /**
     * @param key   the setting's name, for the message
     * @param value its text
     * @throws IllegalArgumentException naming the key, the value and {@link #FORMS}, if the value is
     *                                  not a duration or is negative
     */
    public static Duration parse(String key, String value) {
        String v = value == null ? "" : value.strip();
        Duration d = null;
        Matcher m = SIMPLE.matcher(v);
        try {
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                d = switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                };
            } else if (v.length() > 1 && (v.charAt(0) == 'P' || v.charAt(0) == 'p')) {
                d = Duration.parse(v);
            }
        } catch (DateTimeParseException | ArithmeticException e) {
            d = null;
        }
        if (d == null) {
            throw new IllegalArgumentException("zookeeper backend setting " + key + ": '" + value + "' is not " + FORMS);
        }
        if (d.isNegative()) {
            throw new IllegalArgumentException("zookeeper backend setting " + key + ": '" + value
                    + "' is negative; expected " + FORMS);
        }
        return d;
    }
}
