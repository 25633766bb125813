package io.distributedsupervisor.internal;

import io.distributedsupervisor.ChildStatus;
import io.distributedsupervisor.ExitReason;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.Restart;
import io.distributedsupervisor.protocol.Message;
import io.distributedsupervisor.spi.CodecException;
import io.distributedsupervisor.spi.Delivery;
import io.distributedsupervisor.spi.NodeSession;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code close()}: the node tells the others it is closing (so its leaving is no node-down),
 * leaves the ring, hands each child whose spec is stored over (stopped here with
 * {@link ExitReason#migrated()}, its claim released, so that the node the ring now names starts
 * it) and stops the others, then closes its session.
 */
final class GracefulClose {
    private static final Logger LOG = LoggerFactory.getLogger(GracefulClose.class);

    private final NodeContext ctx;
    private final FailoverCoordinator failover;

    GracefulClose(NodeContext ctx, FailoverCoordinator failover) {
        this.ctx = ctx;
        this.failover = failover;
    }

    /** Runs the close; the caller has moved the lifecycle to CLOSING. */
    void run(List<ChildStatus> statuses) {
        NodeSession s = ctx.session();
        sayGoodbye(s, statuses);
        try {
            s.leave();
        } catch (RuntimeException e) {
            LOG.debug("leave failed: {}", e.getMessage());
        }
        failover.stop();
        List<Thread> handoffs = new ArrayList<>();
        for (LocalChild c : ctx.table.close()) {
            handoffs.add(Thread.startVirtualThread(() -> handOff(c)));
        }
        for (Thread t : handoffs) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        try {
            s.close();
        } catch (RuntimeException e) {
            LOG.debug("session close failed: {}", e.getMessage());
        }
    }

    /**
     * The goodbye is a request, and the members' answers are awaited (briefly) before this node
     * leaves: over a network, a one-way message may arrive after the member entry's removal has
     * reached the others through the backend, and they would take the leaving for a node-down.
     */
    private void sayGoodbye(NodeSession s, List<ChildStatus> statuses) {
        byte[] bye;
        try {
            bye = ctx.wire().encode(new Message.Closing(ctx.node, "shutdown", statuses));
        } catch (CodecException e) {
            LOG.warn("node {} could not encode its goodbye: {}", ctx.node, e.getMessage());
            return;
        }
        List<CompletableFuture<Delivery>> acks = new ArrayList<>();
        for (String member : s.members().keySet()) {
            if (!member.equals(ctx.node)) {
                acks.add(s.request(member, bye));
            }
        }
        try {
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))
                    .get(Math.min(ctx.options.callTimeout().toMillis(), 2000), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            LOG.debug("not every member acknowledged that {} closes: {}", ctx.node, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void handOff(LocalChild c) {
        boolean moves = ctx.options.cacheChildren() && c.restart() != Restart.TEMPORARY;
        Pid pid = c.currentPid();
        ExitReason r = c.stopAndWaitIfFirst(moves ? ExitReason.migrated() : ExitReason.shutdown());
        if (r == null) {
            return; // a terminate (or its own exit) got there first and finishes it
        }
        ctx.host.gone(c, !moves);
        ctx.events.processStop(c.id, pid, r);
    }
}
