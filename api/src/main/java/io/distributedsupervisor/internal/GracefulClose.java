package io.distributedsupervisor.internal;

import io.distributedsupervisor.ChildStatus;
import io.distributedsupervisor.ExitReason;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.Restart;
import io.distributedsupervisor.protocol.Message;
import io.distributedsupervisor.spi.CodecException;
import io.distributedsupervisor.spi.Delivery;
import io.distributedsupervisor.spi.NodeSession;
import io.distributedsupervisor.DrainReport;
import io.distributedsupervisor.MoveCause;
import io.distributedsupervisor.MoveOutcome;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code drain()} and {@code close()}: the node tells the others it is closing (so its leaving
 * is no node-down), leaves the ring, hands each child whose spec is stored to the node the ring
 * now names ({@link Handoffs}: its state and its messages go along), many at once, and stops the
 * others; then it closes its session. A child not handed over by the deadline is dropped here
 * without {@code terminate}: its claim ends with the session, and the ring's node starts it
 * afresh, as after a crash.
 */
final class GracefulClose {
    private static final Logger LOG = LoggerFactory.getLogger(GracefulClose.class);
    /** Hand-overs under way at once: each waits a round trip to its target and one to the registry. */
    private static final int IN_FLIGHT = 1024;
    /**
     * How long the end of a drain waits for its view to show the new owners: they come within
     * milliseconds when their node is up; when none comes (the ring's node is not running), the
     * close goes on, and a message sent to this node after it is looked up again by its sender.
     */
    private static final long NEW_OWNERS_WAIT_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final NodeContext ctx;
    private final FailoverCoordinator failover;

    GracefulClose(NodeContext ctx, FailoverCoordinator failover) {
        this.ctx = ctx;
        this.failover = failover;
    }

    /** Runs the close; the caller has moved the lifecycle to CLOSING. */
    DrainReport run(List<ChildStatus> statuses, Duration timeout, MoveCause cause) {
        long began = ctx.ticker.read();
        Deadline deadline = ctx.deadline(timeout);
        NodeSession s = ctx.session();
        sayGoodbye(s, statuses);
        try {
            s.leave();
        } catch (RuntimeException e) {
            LOG.debug("leave failed: {}", e.getMessage());
        }
        failover.stop();
        HashRing ring = HashRing.of(ctx.ring.current().nodes().stream().filter(n -> !n.equals(ctx.node)).toList());
        Semaphore slots = new Semaphore(IN_FLIGHT);
        AtomicInteger handedOver = new AtomicInteger();
        AtomicInteger stopped = new AtomicInteger();
        // Each child serves until its own hand-over begins; its move is announced first, so that
        // from then on a message that finds it stopping waits for the move instead of being dropped.
        List<LocalChild> children = ctx.table.seal();
        for (LocalChild c : children) {
            if (moves(c, ring)) {
                ctx.handoffs.expect(c.key, target(c, ring));
            }
        }
        List<Thread> moves = new ArrayList<>(children.size());
        Set<LocalChild> done = ConcurrentHashMap.newKeySet();
        List<String> moved = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (LocalChild c : children) {
            if (!acquire(slots, deadline)) {
                break;
            }
            moves.add(Thread.startVirtualThread(() -> {
                try {
                    Fate fate = handOff(c, ring, deadline, cause);
                    switch (fate) {
                        case MOVED -> {
                            handedOver.incrementAndGet();
                            moved.add(c.key);
                        }
                        case STOPPED -> stopped.incrementAndGet();
                        case NOTHING, LEFT -> {
                        }
                    }
                    if (fate != Fate.LEFT) {
                        done.add(c);
                    }
                } finally {
                    slots.release();
                }
            }));
        }
        for (Thread t : moves) {
            try {
                if (!t.join(Duration.ofNanos(Math.max(1, deadline.leftNanos())))) {
                    break;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        List<Object> left = new ArrayList<>();
        for (LocalChild c : children) {
            if (!done.contains(c)) {
                left.add(c.id);
                c.abort();
                ctx.handoffs.cancel(c.key);
            }
        }
        if (!left.isEmpty()) {
            LOG.warn("supervisor {} node {}: {} children were not handed over within {}; they start afresh on the ring's "
                    + "nodes once this node's session closed: {}", ctx.name, ctx.node, left.size(), timeout,
                    left.size() > 20 ? left.subList(0, 20) + "..." : left);
        }
        awaitNewOwners(s, moved, deadline.leftNanos() < NEW_OWNERS_WAIT_NANOS ? deadline
                : Deadline.after(java.time.Duration.ofNanos(NEW_OWNERS_WAIT_NANOS), ctx.ticker));
        ctx.handoffs.awaitForwarded(deadline);
        ctx.table.close();
        try {
            s.close();
        } catch (RuntimeException e) {
            LOG.debug("session close failed: {}", e.getMessage());
        }
        return new DrainReport(handedOver.get(), left, stopped.get(), Duration.ofNanos(ctx.ticker.read() - began));
    }

    /**
     * Until this node's view shows each child it handed over owned by its new node: by then the
     * other nodes' views (as quick as this one) route to it, and little more reaches this node
     * to be forwarded. At most until the deadline.
     */
    private static void awaitNewOwners(NodeSession s, List<String> moved, Deadline deadline) {
        int i = 0;
        while (i < moved.size() && !deadline.passed()) {
            if (s.owner(moved.get(i)).isPresent()) {
                i++;
            } else {
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
    }

    private static boolean acquire(Semaphore slots, Deadline deadline) {
        try {
            return slots.tryAcquire(Math.max(0, deadline.leftNanos()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
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

    private enum Fate { MOVED, STOPPED, NOTHING, LEFT }

    private boolean moves(LocalChild c, HashRing ring) {
        return stored(c) && !ring.isEmpty();
    }

    /** Its spec stays stored when it stops here, so it can start elsewhere. */
    private boolean stored(LocalChild c) {
        return ctx.options.cacheChildren() && c.restart() != Restart.TEMPORARY;
    }

    private static String target(LocalChild c, HashRing ring) {
        return c.explicitNode != null && ring.contains(c.explicitNode) ? c.explicitNode : ring.nodeFor(c.key);
    }

    /**
     * A child that moves goes through the {@link MoveGate} (asked of the veto, reported as a
     * move); one the veto keeps, or not handed over by the deadline, is LEFT to the failover.
     */
    private Fate handOff(LocalChild c, HashRing ring, Deadline deadline, MoveCause cause) {
        Pid pid = c.currentPid();
        if (moves(c, ring)) {
            String target = target(c, ring);
            AtomicReference<LocalChild.Moved> moved = new AtomicReference<>();
            MoveGate.Ticket ticket = ctx.moves.submit(c, target, cause, () -> {
                LocalChild.Moved m = ctx.handoffs.handOver(c, target, deadline);
                moved.set(m);
                return m != null;
            });
            MoveOutcome outcome;
            try {
                outcome = ticket.outcome().get(Math.max(1, deadline.leftNanos()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                return Fate.LEFT;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Fate.LEFT;
            }
            LocalChild.Moved m = moved.get();
            if (outcome == MoveOutcome.MOVED && m != null) {
                ctx.events.processStop(c.id, pid, m.reason());
                return Fate.MOVED;
            }
            // Vetoed, or failed: it cannot move now; the node closes anyway. Stopped by someone
            // else first (a terminate, its own exit): that stop finishes it.
            return c.isDone() ? Fate.NOTHING : Fate.LEFT;
        }
        // The last node of the cluster keeps the stored specs: they start again when a node does.
        boolean keepSpec = stored(c);
        ExitReason r = c.stopAndWaitIfFirst(keepSpec ? ExitReason.migrated() : ExitReason.shutdown());
        if (r == null) {
            return Fate.NOTHING;
        }
        ctx.host.gone(c, !keepSpec);
        ctx.events.processStop(c.id, pid, r);
        return Fate.STOPPED;
    }
}
