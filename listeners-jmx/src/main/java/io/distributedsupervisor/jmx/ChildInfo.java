package io.distributedsupervisor.jmx;

import io.distributedsupervisor.ChildStatus;
import java.util.Objects;
import java.util.UUID;

/**
 * One running child as {@link DistributedSupervisorMXBean#listLocalChildren()} shows it: an
 * MXBean value that a JMX client sees as {@code CompositeData} with these items, all strings
 * but {@code restarts}.
 *
 * @param id         the child's id as text
 * @param idType     the id's type: {@code string}, {@code long}, {@code int} or {@code uuid}; pass it to
 *                   {@link DistributedSupervisorMXBean#terminateChild(String, String)}
 * @param pid        the current incarnation, as {@code Pid.toString()} prints it
 * @param childClass the binary name of the child's class
 * @param restart    its restart policy: {@code PERMANENT}, {@code TRANSIENT} or {@code TEMPORARY}
 * @param startedAt  when the current incarnation started, ISO-8601 in UTC
 * @param restarts   how many times it was restarted on this node under its current claim
 */
public record ChildInfo(String id, String idType, String pid, String childClass, String restart, String startedAt,
                        int restarts) {

    public ChildInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(idType, "idType");
        Objects.requireNonNull(pid, "pid");
        Objects.requireNonNull(childClass, "childClass");
        Objects.requireNonNull(restart, "restart");
        Objects.requireNonNull(startedAt, "startedAt");
    }

    static ChildInfo of(ChildStatus s) {
        return new ChildInfo(String.valueOf(s.id()), idType(s.id()), s.pid().toString(), s.childClass(),
                s.restart().name(), s.startedAt().toString(), s.restarts());
    }

    /** The type name of an id, as {@link #parseId} reads it back. */
    static String idType(Object id) {
        return switch (id) {
            case String s -> "string";
            case Long l -> "long";
            case Integer i -> "int";
            case UUID u -> "uuid";
            default -> id.getClass().getName();
        };
    }

    /**
     * The id {@code text} means as an id of {@code type} (see {@link #idType}).
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    static Object parseId(String text, String type) {
        if (text == null) {
            throw new IllegalArgumentException("id must not be null");
        }
        if (type == null) {
            throw new IllegalArgumentException("idType must be one of string, long, int, uuid; got null");
        }
        String t = type.trim().toLowerCase(java.util.Locale.ROOT);
        try {
            return switch (t) {
                case "string" -> text;
                case "long" -> Long.valueOf(text.trim());
                case "int", "integer" -> Integer.valueOf(text.trim());
                case "uuid" -> UUID.fromString(text.trim());
                default -> throw new IllegalArgumentException(
                        "idType must be one of string, long, int, uuid; got '" + type + "'");
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("id '" + text + "' is not " + ("long".equals(t) ? "a long" : "an int"));
        } catch (IllegalArgumentException e) {
            if (t.equals("uuid")) {
                throw new IllegalArgumentException("id '" + text + "' is not a UUID");
            }
            throw e;
        }
    }
}
