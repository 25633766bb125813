package io.distributedsupervisor;

import java.io.Serializable;
import java.util.Objects;

/**
 * Why a child stopped: an immutable value. {@link #isNormal()} decides whether a
 * {@link Restart#TRANSIENT} child is restarted, as OTP's {@code normal}, {@code shutdown} and
 * {@code {shutdown, term}} do.
 */
public final class ExitReason implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The kinds of exit. */
    public enum Kind {
        /** The child stopped itself with {@link ChildContext#stop()}, or was terminated by id or pid. */
        NORMAL,
        /** Its supervisor shut it down (optionally with a detail), e.g. when the node closes. */
        SHUTDOWN,
        /** It was moved to another node: ACTIVE rebalance or the graceful close of its node. */
        MIGRATED,
        /** A handler, {@code init} included, threw; {@link #cause()} is what it threw. */
        ERROR,
        /** It stopped itself with a reason that is not normal: {@link ChildContext#stop(Object)}. */
        CUSTOM,
        /** It did not finish {@code terminate} within its shutdown timeout and was interrupted. */
        KILLED,
        /** Its node crashed or lost its session; {@link #detail()} names the node. */
        NODE_DOWN,
        /** It crashed more than {@code maxRestarts} times within the window and was given up. */
        GIVEN_UP
    }

    private static final ExitReason NORMAL = new ExitReason(Kind.NORMAL, null, null);
    private static final ExitReason SHUTDOWN = new ExitReason(Kind.SHUTDOWN, null, null);
    private static final ExitReason MIGRATED = new ExitReason(Kind.MIGRATED, null, null);
    private static final ExitReason KILLED = new ExitReason(Kind.KILLED, null, null);

    private final Kind kind;
    private final Object detail;
    private final Throwable cause;

    private ExitReason(Kind kind, Object detail, Throwable cause) {
        this.kind = kind;
        this.detail = detail;
        this.cause = cause;
    }

    public static ExitReason normal() {
        return NORMAL;
    }

    public static ExitReason shutdown() {
        return SHUTDOWN;
    }

    /** OTP's {@code {shutdown, detail}}: a normal exit that carries a detail. */
    public static ExitReason shutdown(Object detail) {
        return new ExitReason(Kind.SHUTDOWN, Objects.requireNonNull(detail, "detail"), null);
    }

    public static ExitReason migrated() {
        return MIGRATED;
    }

    public static ExitReason error(Throwable cause) {
        return new ExitReason(Kind.ERROR, null, Objects.requireNonNull(cause, "cause"));
    }

    /** An abnormal exit for a reason of the child's own choosing. */
    public static ExitReason custom(Object reason) {
        return new ExitReason(Kind.CUSTOM, Objects.requireNonNull(reason, "reason"), null);
    }

    public static ExitReason killed() {
        return KILLED;
    }

    public static ExitReason nodeDown(String node) {
        return new ExitReason(Kind.NODE_DOWN, Objects.requireNonNull(node, "node"), null);
    }

    /** The child was given up; {@code lastCrash} is the exit that went over the limit. */
    public static ExitReason givenUp(ExitReason lastCrash) {
        return new ExitReason(Kind.GIVEN_UP, Objects.requireNonNull(lastCrash, "lastCrash"),
                lastCrash.cause());
    }

    public Kind kind() {
        return kind;
    }

    /** The detail of a shutdown, the reason of a custom exit, the node of a node-down, the last exit of a give-up; else null. */
    public Object detail() {
        return detail;
    }

    /** What a handler threw, for {@link Kind#ERROR} (and a give-up caused by one); else null. */
    public Throwable cause() {
        return cause;
    }

    /** True for NORMAL, SHUTDOWN and MIGRATED: exits after which a TRANSIENT child is not restarted. */
    public boolean isNormal() {
        return kind == Kind.NORMAL || kind == Kind.SHUTDOWN || kind == Kind.MIGRATED;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExitReason r && r.kind == kind && Objects.equals(r.detail, detail)
                && Objects.equals(r.cause, cause);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, detail, cause);
    }

    @Override
    public String toString() {
        String name = kind.name().toLowerCase(java.util.Locale.ROOT);
        if (cause != null && kind == Kind.ERROR) {
            return name + "(" + cause + ")";
        }
        return detail == null ? name : name + "(" + detail + ")";
    }
}
