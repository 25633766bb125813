package io.distributedsupervisor.tck.unlisted;

import io.distributedsupervisor.Child;
import io.distributedsupervisor.ChildContext;

/** A child class the suite's allow-list does not name: a node may not be asked to start it. */
public final class UnlistedChild implements Child {
    @Override
    public Object handleCall(Object request, ChildContext ctx) {
        return request;
    }
}
