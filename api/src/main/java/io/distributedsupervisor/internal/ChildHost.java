package io.distributedsupervisor.internal;

import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.ExitReason;
import io.distributedsupervisor.Operation;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.StartReason;
import io.distributedsupervisor.SupervisorOptions;
import io.distributedsupervisor.Ticker;
import io.distributedsupervisor.protocol.Reply;
import io.distributedsupervisor.spi.BackendException;
import io.distributedsupervisor.spi.CodecException;
import io.distributedsupervisor.spi.Owner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a {@link LocalChild} may ask of its node, and where it reports: the lease, its restart
 * claim, its starts and stops (to listeners), and its end (to the {@link ChildTable}, which
 * forgets it, and to the registry, which releases its claim). Called on the child's own thread.
 */
final class ChildHost {
    private static final Logger LOG = LoggerFactory.getLogger(ChildHost.class);

    private final NodeContext ctx;

    ChildHost(NodeContext ctx) {
        this.ctx = ctx;
    }

    String node() {
        return ctx.node;
    }

    String supervisor() {
        return ctx.name;
    }

    SupervisorOptions options() {
        return ctx.options;
    }

    Ticker ticker() {
        return ctx.ticker;
    }

    Wire wire() {
        return ctx.wire();
    }

    DistributedSupervisor supervisorApi() {
        return ctx.api;
    }

    boolean holdsLease() {
        return ctx.session().holdsLease();
    }

    /** The child has no lease: it is scheduled again when the lease returns. */
    void awaitLease(LocalChild child) {
        ctx.leaseGate.await(child);
    }

    void started(LocalChild child, Pid pid, StartReason reason) {
        ctx.events.processStart(child.id, pid, reason);
    }

    void stopped(LocalChild child, Pid pid, ExitReason reason) {
        ctx.events.processStop(child.id, pid, reason);
    }

    /** Records a local restart in the registry; false when the claim is not this session's any more. */
    boolean recordRestart(String key, Owner next) {
        try {
            return ctx.session().updateOwner(key, next);
        } catch (BackendException e) {
            return false;
        }
    }

    /** The child is gone from this node: the table forgets it, and its claim (and spec) is released. */
    void gone(LocalChild child, boolean removeSpec) {
        ctx.table.remove(child);
        try {
            if (removeSpec) {
                ctx.session().releaseAndRemoveSpec(child.key);
            } else {
                ctx.session().release(child.key);
            }
        } catch (BackendException e) {
            LOG.debug("could not release {} (session gone): {}", child.key, e.getMessage());
        }
    }

    /** The child moved to {@code node} on an operator's order: the table forgets it, its claim is released and its spec names that node. */
    void goneTo(LocalChild child, String node) {
        ctx.table.remove(child);
        try {
            if (!ctx.session().releaseTo(child.key, node)) {
                ctx.session().release(child.key);
            }
        } catch (BackendException e) {
            LOG.debug("could not release {} to {} (session gone): {}", child.key, node, e.getMessage());
        }
    }

    /** A message from another node that this node's codec refused: answered if a call, logged once per class and peer. */
    void refused(Letter letter, CodecException e) {
        Operation op = switch (letter.kind()) {
            case Letter.CALL -> Operation.CALL;
            case Letter.CAST -> Operation.CAST;
            default -> Operation.SEND;
        };
        ctx.refusals.log(op, letter.from(), e);
        if (letter.reply() != null) {
            letter.reply().answer(new Reply.Refused(ctx.node, e.refusedClass().orElse(null), e.getMessage()));
        }
    }
}
