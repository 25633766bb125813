package io.distributedsupervisor;

import io.distributedsupervisor.internal.ChildFactory;

/**
 * Builds the instance of each incarnation of a child from its spec's class and argument: the
 * hook through which a container (Spring, CDI, Guice) builds children with their dependencies
 * injected. Set it with {@link SupervisorOptions.Builder#childInstantiator}; the default,
 * {@link #reflective()}, calls a public constructor taking the argument, else a public
 * no-argument one.
 *
 * <p>(Named "instantiator", not "factory", because the runtime's own, internal
 * {@code io.distributedsupervisor.internal.ChildFactory} is what calls it: it checks the class,
 * asks this hook for the instance, and checks what comes back.)
 *
 * <p>The contract:
 * <ul>
 *   <li><b>Every node must be able to build every class.</b> A spec carries only the class and
 *       the argument (never the instance), so any node may be asked to build any child: on a
 *       failover, a restart, a planned move or a rebalance. Install the same instantiator (and
 *       the beans it needs) on every node of the supervisor.</li>
 *   <li><b>Called once per incarnation</b> (first start, every restart, failover and move), on
 *       the thread that then runs the child's {@code init}: it must return a <b>new</b> instance
 *       each time (in Spring: a prototype bean), never a shared one, since the runtime gives
 *       each instance the one-message-at-a-time guarantee of {@link Child}.</li>
 *   <li><b>The class check still applies</b>: the runtime calls this only for a concrete,
 *       static {@link Child} class (a class from the wire or from storage that is not one is
 *       refused before this is called), and the object returned must be an instance of
 *       {@code type}; anything else (null, another class) fails the start with an
 *       {@link IllegalStateException} naming both.</li>
 *   <li>What it throws fails that incarnation as a throwing {@code init} does: a
 *       {@code startChild} fails with {@link ChildCrashedException}, a restart counts towards
 *       {@link SupervisorOptions#maxRestarts()}.</li>
 * </ul>
 * A child whose constructor takes injected services (and so has no constructor the reflective
 * default could call) is specified with {@link ChildSpec#injected(Class, Object)}, which checks
 * the class but not its constructors.
 */
@FunctionalInterface
public interface ChildInstantiator {

    /**
     * A new instance of {@code type} for one incarnation.
     *
     * @param type a concrete {@link Child} class (already checked)
     * @param arg  the spec's argument, may be null; also what the child sees as {@link ChildContext#arg()}
     * @return a new instance of {@code type}
     * @throws Exception fails this incarnation, as a throwing {@code init} does
     */
    Child instantiate(Class<? extends Child> type, Object arg) throws Exception;

    /** The default: a public constructor taking {@code arg}, else a public no-argument one. */
    static ChildInstantiator reflective() {
        return ChildFactory.REFLECTIVE;
    }
}
