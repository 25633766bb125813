package io.distributedsupervisor;

import java.time.Duration;
import java.util.Objects;

/**
 * A {@link MoveVeto}'s answer for one move: {@link #ALLOW}, {@link #VETO}, or
 * {@link #delay(Duration) delay} (ask again later). Immutable.
 */
public final class MoveDecision {

    /** The three answers. */
    public enum Kind {
        /** The move starts now. */
        ALLOW,
        /** Not now: the move is set aside and the veto is asked again after {@link #retryAfter()}. */
        DELAY,
        /** The move is skipped: the child stays where it is. */
        VETO
    }

    /** What {@link #delay()} waits before asking again. */
    public static final Duration DEFAULT_RETRY = Duration.ofMillis(100);

    /** The move starts now. */
    public static final MoveDecision ALLOW = new MoveDecision(Kind.ALLOW, Duration.ZERO);
    /** The move is skipped; the child stays. */
    public static final MoveDecision VETO = new MoveDecision(Kind.VETO, Duration.ZERO);

    private static final MoveDecision DELAY = new MoveDecision(Kind.DELAY, DEFAULT_RETRY);

    private final Kind kind;
    private final Duration retryAfter;

    private MoveDecision(Kind kind, Duration retryAfter) {
        this.kind = kind;
        this.retryAfter = retryAfter;
    }

    /** Not now: ask again after {@link #DEFAULT_RETRY}. */
    public static MoveDecision delay() {
        return DELAY;
    }

    /**
     * Not now: ask again after {@code retryAfter}.
     *
     * @throws IllegalArgumentException if {@code retryAfter} is not positive
     */
    public static MoveDecision delay(Duration retryAfter) {
        Objects.requireNonNull(retryAfter, "retryAfter");
        if (retryAfter.isNegative() || retryAfter.isZero()) {
            throw new IllegalArgumentException("retryAfter must be positive: " + retryAfter);
        }
        return new MoveDecision(Kind.DELAY, retryAfter);
    }

    public Kind kind() {
        return kind;
    }

    /** For {@link Kind#DELAY}: how long until the veto is asked again; zero otherwise. */
    public Duration retryAfter() {
        return retryAfter;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MoveDecision d && d.kind == kind && d.retryAfter.equals(retryAfter);
    }

    @Override
    public int hashCode() {
        return kind.hashCode() * 31 + retryAfter.hashCode();
    }

    @Override
    public String toString() {
        return kind == Kind.DELAY ? "DELAY(" + retryAfter + ")" : kind.name();
    }
}
