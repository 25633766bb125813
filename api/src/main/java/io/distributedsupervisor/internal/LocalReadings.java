package io.distributedsupervisor.internal;

import io.distributedsupervisor.spi.NodeReadings;

/** {@link NodeReadings} of one node, read from its {@link ChildTable} when asked (by a metrics scrape, on its thread). */
final class LocalReadings implements NodeReadings {
    private final NodeContext ctx;

    LocalReadings(NodeContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public String supervisor() {
        return ctx.name;
    }

    @Override
    public String node() {
        return ctx.node;
    }

    @Override
    public int maxMailboxDepth() {
        int max = 0;
        for (LocalChild c : ctx.table.children()) {
            if (!c.isDone()) {
                max = Math.max(max, c.waiting());
            }
        }
        return max;
    }

    @Override
    public long totalMailboxDepth() {
        long total = 0;
        for (LocalChild c : ctx.table.children()) {
            if (!c.isDone()) {
                total += c.waiting();
            }
        }
        return total;
    }

    @Override
    public String toString() {
        return "NodeReadings{" + ctx.name + "@" + ctx.node + "}";
    }
}
