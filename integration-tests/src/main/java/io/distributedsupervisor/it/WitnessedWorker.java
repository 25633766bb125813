package io.distributedsupervisor.it;

import io.distributedsupervisor.Child;
import io.distributedsupervisor.ChildContext;
import io.distributedsupervisor.ExitReason;

/**
 * The child every node of the demo and of the multi-JVM tests runs: a counter that reports each
 * start, processed message and stop to the witness outside the nodes (a {@code W} line on its
 * node's standard output, see {@link NodeMain}), with its incarnation and node.
 *
 * <p>Calls: {@code "node"} answers the node it runs on, {@code "get"} the count, anything else
 * (e.g. {@code "inc"}) the new count. The count is handed over on planned moves (drain, SIGTERM,
 * rebalance), so it survives them; after a crash it starts again at 0.
 */
public final class WitnessedWorker implements Child {
    private long count;

    /** Used by {@code ChildSpec.of(WitnessedWorker.class)}. */
    public WitnessedWorker() {
    }

    @Override
    public void init(ChildContext ctx) {
        count = ctx.handoffState().map(s -> ((Number) s).longValue()).orElse(0L);
        NodeMain.witness(Witness.Kind.START, ctx);
    }

    @Override
    public Object handleCall(Object request, ChildContext ctx) {
        NodeMain.witness(Witness.Kind.MESSAGE, ctx);
        return switch (String.valueOf(request)) {
            case "node" -> ctx.pid().node();
            case "get" -> count;
            default -> ++count;
        };
    }

    @Override
    public void handleCast(Object message, ChildContext ctx) {
        NodeMain.witness(Witness.Kind.MESSAGE, ctx);
        count++;
    }

    @Override
    public Object handoff(ChildContext ctx) {
        return count;
    }

    @Override
    public void terminate(ExitReason reason, ChildContext ctx) {
        NodeMain.witness(Witness.Kind.STOP, ctx);
    }
}
