package io.distributedsupervisor.benchmarks.zookeeper;

import java.util.ArrayList;
import java.util.List;

/**
 * The moves as the children saw them, in ms after {@code drain()} was called: when the first
 * and the last handed their count over (stopped on n3), when the last new incarnation began
 * {@code init}; and for how long each child was between two nodes (handoff to next init).
 */
record DrainMoves(int seen, double firstOut, double lastOut, double lastIn, double gapP50, double gapP99,
                  double gapMax) {
    /** From the times each {@link DrainCounter} of {@code ids} recorded; {@code drainCalledAt} in {@code System.nanoTime()}. */
    static DrainMoves of(List<String> ids, long drainCalledAt) {
        List<Long> gaps = new ArrayList<>();
        long firstOut = Long.MAX_VALUE;
        long lastOut = Long.MIN_VALUE;
        long lastIn = Long.MIN_VALUE;
        for (String id : ids) {
            Long out = DrainCounter.HANDED_OUT_AT.get(id);
            Long in = DrainCounter.STARTED_WITH_STATE_AT.get(id);
            if (out == null || in == null) {
                continue;
            }
            firstOut = Math.min(firstOut, out);
            lastOut = Math.max(lastOut, out);
            lastIn = Math.max(lastIn, in);
            gaps.add(in - out);
        }
        if (gaps.isEmpty()) {
            return new DrainMoves(0, 0, 0, 0, 0, 0, 0);
        }
        long[] g = gaps.stream().mapToLong(Long::longValue).sorted().toArray();
        return new DrainMoves(g.length, (firstOut - drainCalledAt) / 1e6, (lastOut - drainCalledAt) / 1e6,
                (lastIn - drainCalledAt) / 1e6, DrainCallLoad.percentile(g, 0.5) / 1e6,
                DrainCallLoad.percentile(g, 0.99) / 1e6, g[g.length - 1] / 1e6);
    }
}
