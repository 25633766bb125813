package io.distributedsupervisor.benchmarks;

import io.distributedsupervisor.Child;
import io.distributedsupervisor.ChildContext;

/** The smallest useful child: answers a call with its request. Holds no state. */
public final class Echo implements Child {
    @Override
    public Object handleCall(Object request, ChildContext ctx) {
        return request;
    }
}
