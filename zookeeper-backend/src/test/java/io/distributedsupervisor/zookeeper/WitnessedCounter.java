package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.Child;
import io.distributedsupervisor.ChildContext;
import io.distributedsupervisor.ExitReason;

/**
 * A counter that tells the {@link SafetyWitness} of each start, processed message and stop.
 * Calls: "inc" answers the new count, "node" the node it runs on; anything else is counted too.
 */
public final class WitnessedCounter implements Child {
    private long count;

    @Override
    public void init(ChildContext ctx) {
        SafetyWitness.record(ctx.id(), ctx.pid().incarnation(), ctx.pid().node(), SafetyWitness.Kind.START);
    }

    @Override
    public Object handleCall(Object request, ChildContext ctx) {
        SafetyWitness.record(ctx.id(), ctx.pid().incarnation(), ctx.pid().node(), SafetyWitness.Kind.MESSAGE);
        return "node".equals(request) ? ctx.pid().node() : ++count;
    }

    @Override
    public void handleCast(Object message, ChildContext ctx) {
        SafetyWitness.record(ctx.id(), ctx.pid().incarnation(), ctx.pid().node(), SafetyWitness.Kind.MESSAGE);
        count++;
    }

    @Override
    public void terminate(ExitReason reason, ChildContext ctx) {
        SafetyWitness.record(ctx.id(), ctx.pid().incarnation(), ctx.pid().node(), SafetyWitness.Kind.STOP);
    }
}
