package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.Child;
import io.distributedsupervisor.ChildContext;

/** Calls: "where" answers {@code <supervisor>@<node>}, anything else the number of casts it got. */
public final class WhereAmI implements Child {
    private int casts;

    @Override
    public Object handleCall(Object request, ChildContext ctx) {
        return "where".equals(request) ? ctx.supervisor().name() + "@" + ctx.pid().node() : casts;
    }

    @Override
    public void handleCast(Object message, ChildContext ctx) {
        casts++;
    }
}
