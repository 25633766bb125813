package io.distributedsupervisor;

/**
 * A supervised, actor-like worker: the {@code GenServer} of this library.
 *
 * <p>Guarantees the runtime gives an implementation:
 * <ul>
 *   <li>One message at a time: no two of these methods run at once for one instance, and each
 *       sees the writes of the one before (no {@code volatile} needed for the child's state).</li>
 *   <li>Per sender, messages arrive in the order they were sent, local or remote.</li>
 *   <li>Handlers run on virtual threads and may block; an idle child holds no thread.</li>
 *   <li>{@link #init} runs before any message; {@code startChild} returns after it succeeded,
 *       and throws if it failed. When the child starts on the node {@code startChild} was
 *       called on, {@code init} runs on the calling thread (which waits for it anyway, and a
 *       start then costs no thread hand-off); restarts and failovers run it on a virtual thread.</li>
 *   <li>A handler that throws crashes this incarnation: {@link #terminate} is called with
 *       {@link ExitReason.Kind#ERROR}, a pending {@code call} fails with
 *       {@link ChildCrashedException}, messages still queued for it are dropped, and a fresh
 *       instance is created from the spec if the {@link Restart} policy says so.</li>
 *   <li>{@link #terminate} is not called when the node crashes (as in OTP, a killed process
 *       runs no cleanup); keep state that must survive elsewhere, and fence your writes with
 *       {@link ChildContext#pid()}'s {@link Incarnation}.</li>
 * </ul>
 * A class used in a {@link ChildSpec} needs a public constructor taking the spec's argument, or
 * a public no-argument one (the argument is then available as {@link ChildContext#arg()}),
 * unless a {@link ChildInstantiator} builds it (a container injecting its dependencies; its spec
 * is then made with {@link ChildSpec#injected}).
 */
public interface Child {

    /** Called once per incarnation, before any message. Throwing fails the start (or the restart). */
    default void init(ChildContext ctx) throws Exception {
    }

    /**
     * Answers a {@code call}. The value returned is the caller's reply. By default a child does
     * not take calls: the call fails with {@link ChildCrashedException} and the child restarts,
     * like a GenServer without a matching {@code handle_call}.
     */
    default Object handleCall(Object request, ChildContext ctx) throws Exception {
        throw new UnsupportedOperationException(getClass().getName() + " does not handle calls (got " + request + ")");
    }

    /** Handles a {@code cast}: no reply. */
    default void handleCast(Object message, ChildContext ctx) throws Exception {
    }

    /** Handles what {@code send} delivers. */
    default void handleInfo(Object message, ChildContext ctx) throws Exception {
    }

    /**
     * The state to hand to the next incarnation when this child moves on purpose: a drain, a
     * close, an ACTIVE rebalance after a node joined, or an operator's move. Called on the child's
     * own thread after its last message and before {@link #terminate} (whose reason is then
     * {@link ExitReason#migrated()}); what it returns crosses to the new node through the codec
     * (so its class must be on the allow-list) and is given to the new incarnation as
     * {@link ChildContext#handoffState()} in its {@code init}, before any message.
     *
     * <p>Never used after a crash, a node's death or a local restart: the new incarnation then
     * starts fresh, as always. Null (the default) hands nothing over. A handoff that throws, or
     * a state the codec refuses, is logged and the next incarnation starts fresh.
     */
    default Object handoff(ChildContext ctx) throws Exception {
        return null;
    }

    /** Called when the incarnation stops, on its own thread, within the spec's shutdown timeout. */
    default void terminate(ExitReason reason, ChildContext ctx) {
    }
}
