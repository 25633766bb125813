package com.example.greetings;

import io.distributedsupervisor.Child;
import io.distributedsupervisor.ChildContext;

/**
 * A child built by the application context: the {@link Greeter} comes by constructor injection,
 * the spec's argument (the name) from {@code ctx.arg()}. Its count survives planned moves
 * (drain, rebalance) through {@code handoff}.
 */
public class GreetingChild implements Child {
    private final Greeter greeter;
    private int count;

    public GreetingChild(Greeter greeter) {
        this.greeter = greeter;
    }

    @Override
    public void init(ChildContext ctx) {
        count = ctx.handoffState().map(Integer.class::cast).orElse(0);
    }

    @Override
    public Object handleCall(Object request, ChildContext ctx) {
        return greeter.greet((String) ctx.arg(), (String) request, ++count);
    }

    @Override
    public Object handoff(ChildContext ctx) {
        return count;
    }
}
