package io.distributedsupervisor.benchmarks.zookeeper;

import io.distributedsupervisor.Child;
import io.distributedsupervisor.ChildContext;
import io.distributedsupervisor.ExitReason;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The child that {@link DrainBenchmark} drains: a counter that hands its count over. "inc" adds
 * one and answers it, "get" answers it. It records, for the whole JVM, which incarnations are
 * alive and when each id was handed over and started again.
 */
public final class DrainCounter implements Child {
    /** Incarnations alive in this JVM, by id: init adds one, terminate takes it away. */
    static final Map<Object, AtomicInteger> LIVE = new ConcurrentHashMap<>();
    /** Incarnations whose init got a handed-over state. */
    static final AtomicLong HANDED_IN = new AtomicLong();
    /** When each id last handed its count over (stopped for a move), and when its next incarnation began init. */
    static final Map<Object, Long> HANDED_OUT_AT = new ConcurrentHashMap<>();
    static final Map<Object, Long> STARTED_WITH_STATE_AT = new ConcurrentHashMap<>();

    private long count;

    @Override
    public void init(ChildContext ctx) {
        Optional<Object> state = ctx.handoffState();
        count = state.map(s -> ((Number) s).longValue()).orElse(0L);
        if (state.isPresent()) {
            STARTED_WITH_STATE_AT.put(ctx.id(), System.nanoTime());
            HANDED_IN.incrementAndGet();
        }
        LIVE.computeIfAbsent(ctx.id(), k -> new AtomicInteger()).incrementAndGet();
    }

    @Override
    public Object handleCall(Object request, ChildContext ctx) {
        return switch (String.valueOf(request)) {
            case "inc" -> ++count;
            case "get" -> count;
            default -> throw new IllegalArgumentException(String.valueOf(request));
        };
    }

    @Override
    public Object handoff(ChildContext ctx) {
        HANDED_OUT_AT.put(ctx.id(), System.nanoTime());
        return count;
    }

    @Override
    public void terminate(ExitReason reason, ChildContext ctx) {
        LIVE.get(ctx.id()).decrementAndGet();
    }
}
