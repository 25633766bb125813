package com.example;

import io.distributedsupervisor.Child;
import io.distributedsupervisor.ChildContext;
import io.distributedsupervisor.ExitReason;

// A child is the GenServer of this library: one message at a time, state in plain fields.
public class Counter implements Child {
    private long count;

    public Counter(Long start) { this.count = start; }          // built with the spec's argument

    @Override public Object handleCall(Object request, ChildContext ctx) {
        return switch ((String) request) {
            case "get" -> count;
            case "crash" -> throw new IllegalStateException("boom");  // crashes this incarnation
            default -> throw new IllegalArgumentException("unknown " + request);
        };
    }
    @Override public void handleCast(Object message, ChildContext ctx) { count += (Long) message; }
    @Override public void handleInfo(Object message, ChildContext ctx) { count = 0; }
    @Override public void terminate(ExitReason reason, ChildContext ctx) { /* flush state somewhere */ }
}
