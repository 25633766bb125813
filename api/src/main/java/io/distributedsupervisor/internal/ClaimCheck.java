package io.distributedsupervisor.internal;

import io.distributedsupervisor.ExitReason;
import io.distributedsupervisor.spi.NodeSession;
import io.distributedsupervisor.spi.Owner;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The check of every local child's claim, a net for an event that was missed: each child whose
 * owner entry is not this session's any more is dropped (fenced). It costs one view lookup per
 * local child, so it runs in the timer's full pass and after a lost session, not on every change.
 * <p>
 * A timer's check that falls in this node's own failover waits until the failover is over (the
 * first pass after it), or until the next timer's pass at the latest; the check after a lost
 * session never waits. At a quarter of a million children, a timer's check that fell in a
 * failover was about a sixth of the heirs' CPU samples while they started their share.
 * <p>
 * Used by the reconciliation passes of {@link FailoverCoordinator} only, one at a time.
 */
final class ClaimCheck {
    private static final Logger LOG = LoggerFactory.getLogger(ClaimCheck.class);

    private final NodeContext ctx;
    private final FailoverReport report;
    /** A timer's check left for after this node's failover. */
    private boolean deferred;

    ClaimCheck(NodeContext ctx, FailoverReport report) {
        this.ctx = ctx;
        this.report = report;
    }

    /**
     * Whether this pass makes the check.
     *
     * @param fullPass  this is a full pass (the timer's, or one asked for), not one for a change of members
     * @param recovered this pass follows a lost session
     */
    boolean now(boolean fullPass, boolean recovered) {
        boolean check;
        if (recovered) {
            check = true;
        } else if (fullPass) {
            check = deferred || !report.failoverInProgress();
        } else {
            check = deferred && !report.failoverInProgress();
        }
        deferred = !check && (fullPass || deferred);
        return check;
    }

    /** Drops each local child whose claim is not {@code s}'s any more. */
    void run(NodeSession s) {
        long session = s.sessionId();
        for (LocalChild c : ctx.table.children()) {
            if (c.isDone() || !c.isRunning()) {
                continue;
            }
            Optional<Owner> o = s.owner(c.key);
            if (o.isEmpty() || o.get().session() != session) {
                LOG.warn("child {} runs here but its claim is {}: dropping it (fenced)", c.id,
                        o.map(Owner::toString).orElse("gone"));
                c.abort();
                ctx.table.remove(c);
                ctx.events.processStop(c.id, c.currentPid(), ExitReason.nodeDown(ctx.node));
            }
        }
    }
}
