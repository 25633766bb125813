package io.distributedsupervisor;

import io.distributedsupervisor.internal.ChildFactory;
import io.distributedsupervisor.internal.ChildKey;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * How to start a child: its class, the argument for its constructor, an optional id, a restart
 * policy and a shutdown timeout. Immutable; the {@code with*} methods return a copy. Every
 * problem is reported here, when the spec is built, not later on some other node: a class that
 * is not a {@link Child}, is abstract, or has no usable public constructor; an id of an
 * unsupported type; a negative shutdown. (A spec made with {@link #injected}, for a child a
 * {@link ChildInstantiator} builds, has its constructors checked only when it is built.)
 *
 * <p>Ids may be {@link String} (1 to 512 characters), {@link Integer}, {@link Long} or
 * {@link java.util.UUID}; each has a stable, reversible encoding for storage and ring hashing.
 * An {@code Integer} 5 and a {@code Long} 5 are different ids. A spec without an id gets a
 * random UUID at {@code startChild}.
 *
 * <p>Defaults: {@link Restart#PERMANENT}, shutdown timeout 5 seconds (OTP's 5000 ms).
 */
public final class ChildSpec implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Duration DEFAULT_SHUTDOWN = Duration.ofSeconds(5);

    private final Class<? extends Child> type;
    private final Object arg;
    private final Object id;
    private final Restart restart;
    private final Duration shutdown;

    private ChildSpec(Class<? extends Child> type, Object arg, Object id, Restart restart, Duration shutdown) {
        this.type = type;
        this.arg = arg;
        this.id = id;
        this.restart = restart;
        this.shutdown = shutdown;
    }

    /**
     * A spec for {@code type} built with its public no-argument constructor.
     *
     * @throws IllegalArgumentException if {@code type} is not a concrete {@link Child} with a public no-argument constructor
     * @throws NullPointerException     if {@code type} is null
     */
    public static ChildSpec of(Class<?> type) {
        Objects.requireNonNull(type, "child class");
        ChildFactory.checkNoArg(type);
        return of(type, null);
    }

    /**
     * A spec for {@code type} with {@code arg}: the child is built with a public constructor that
     * takes {@code arg}, or else with a public no-argument one.
     *
     * @throws IllegalArgumentException if {@code type} is not a concrete {@link Child} with a usable constructor
     * @throws NullPointerException     if {@code type} is null
     */
    @SuppressWarnings("unchecked")
    public static ChildSpec of(Class<?> type, Object arg) {
        Objects.requireNonNull(type, "child class");
        ChildFactory.check(type, arg);
        return new ChildSpec((Class<? extends Child>) type, arg, null, Restart.PERMANENT, DEFAULT_SHUTDOWN);
    }

    /**
     * A spec for a child that a {@link ChildInstantiator} builds (for instance a Spring bean whose
     * constructor takes injected services): the class is checked (a concrete, static
     * {@link Child}) but not its constructors. Every node that may run it needs an instantiator
     * that can build it; with the default, reflective one its start fails.
     *
     * @throws IllegalArgumentException if {@code type} is not a concrete, static {@link Child}
     * @throws NullPointerException     if {@code type} is null
     */
    @SuppressWarnings("unchecked")
    public static ChildSpec injected(Class<?> type, Object arg) {
        Objects.requireNonNull(type, "child class");
        ChildFactory.checkInjectable(type);
        return new ChildSpec((Class<? extends Child>) type, arg, null, Restart.PERMANENT, DEFAULT_SHUTDOWN);
    }

    /** {@link #injected(Class, Object)} without an argument. */
    public static ChildSpec injected(Class<?> type) {
        return injected(type, null);
    }

    /**
     * This spec with an explicit id.
     *
     * @throws IllegalArgumentException if the id is not a String, Integer, Long or UUID, or is an invalid String
     */
    public ChildSpec withId(Object id) {
        ChildKey.validate(id);
        return new ChildSpec(type, arg, id, restart, shutdown);
    }

    /** This spec with another restart policy. */
    public ChildSpec withRestart(Restart restart) {
        return new ChildSpec(type, arg, id, Objects.requireNonNull(restart, "restart"), shutdown);
    }

    /**
     * This spec with another shutdown timeout: how long {@code terminate} (and the handler that
     * is running when the stop comes) may take before the child's thread is interrupted.
     *
     * @throws IllegalArgumentException if negative
     */
    public ChildSpec withShutdown(Duration shutdown) {
        Objects.requireNonNull(shutdown, "shutdown");
        if (shutdown.isNegative()) {
            throw new IllegalArgumentException("shutdown timeout must not be negative: " + shutdown);
        }
        return new ChildSpec(type, arg, id, restart, shutdown);
    }

    public Class<? extends Child> type() {
        return type;
    }

    public Object arg() {
        return arg;
    }

    /** The explicit id, or null when {@code startChild} is to generate one. */
    public Object id() {
        return id;
    }

    public Restart restart() {
        return restart;
    }

    public Duration shutdown() {
        return shutdown;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChildSpec s && s.type == type && Objects.equals(s.arg, arg) && Objects.equals(s.id, id)
                && s.restart == restart && s.shutdown.equals(shutdown);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, arg, id, restart, shutdown);
    }

    @Override
    public String toString() {
        return "ChildSpec{" + type.getName() + ", arg=" + arg + ", id=" + id + ", " + restart + ", shutdown=" + shutdown + "}";
    }
}
