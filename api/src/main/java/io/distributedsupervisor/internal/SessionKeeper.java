package io.distributedsupervisor.internal;

import io.distributedsupervisor.ExitReason;
import io.distributedsupervisor.Health;
import io.distributedsupervisor.protocol.WireFormat;
import io.distributedsupervisor.spi.Backend;
import io.distributedsupervisor.spi.MessageHandler;
import io.distributedsupervisor.spi.NodeSession;
import io.distributedsupervisor.spi.Owner;
import io.distributedsupervisor.spi.SessionListener;
import io.distributedsupervisor.spi.SessionState;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's session with the backend: the first join, and a new one after the session is lost.
 * Its listener turns the backend's events into work for the node's parts; events of a session
 * this node has given up on are ignored.
 *
 * <p>Connection states, as the backend reports them: {@code SUSPENDED} needs nothing here (the
 * lease check pauses every child); {@code RECONNECTED}, and a lease that returns, wake the paused
 * children; {@code LOST} makes the coordinator drop every local child without {@code terminate}
 * (its claims are gone) and join again with a new session; {@code CLOSED} means this node is down.
 */
final class SessionKeeper {
    private static final Logger LOG = LoggerFactory.getLogger(SessionKeeper.class);
    /** No session's claims count: between a lost session and the next. */
    private static final long NO_SESSION = Long.MIN_VALUE;

    private final NodeContext ctx;
    private final Backend backend;
    private final WireFormat format;
    private MessageHandler inbound;
    private FailoverCoordinator failover;
    private Runnable crashed;
    /** The connection as the current session last reported it, for {@code health()}. */
    private volatile Health.Connection connection = Health.Connection.CONNECTED;
    /** Which session's events count: those of an older, lost session are stale. */
    private volatile int generation;
    /** The generation whose session {@code ctx.session()} is: until its join returns, the previous one's (or none). */
    private volatile int installed = -1;

    SessionKeeper(NodeContext ctx, Backend backend) {
        this.ctx = ctx;
        this.backend = backend;
        this.format = new WireFormat(ctx.name, ctx.options.codec());
    }

    /** The first join; {@code crashed} runs (once, on a thread of its own) when the session ends for good. */
    void join(MessageHandler inbound, FailoverCoordinator failover, Runnable crashed) {
        this.inbound = inbound;
        this.failover = failover;
        this.crashed = crashed;
        install(backend.join(ctx.name, ctx.node, new Events(generation), inbound));
    }

    private void install(NodeSession session) {
        ctx.use(session, session.passesByReference() ? Wire.byReference(format) : Wire.encoded(format));
        installed = generation;
        ctx.table.useSession(session.sessionId());
        ctx.refreshRing();
        connection = Health.Connection.CONNECTED;
    }

    /** The connection as the current session last reported it (CLOSED once it ended for good). */
    Health.Connection connection() {
        return connection;
    }

    /** The session expired: drop the local children (their claims are gone) and join again. On the coordinator's pass. */
    void recover() {
        LOG.warn("supervisor {} on node {} lost its session: dropping {} local children and joining again",
                ctx.name, ctx.node, ctx.table.size());
        for (LocalChild c : ctx.table.useSession(NO_SESSION)) {
            c.abort();
            ctx.events.processStop(c.id, c.currentPid(), ExitReason.nodeDown(ctx.node));
        }
        NodeSession old = ctx.session();
        generation++;
        try {
            old.close();
        } catch (RuntimeException e) {
            LOG.debug("closing the lost session failed: {}", e.getMessage());
        }
        long backoff = 10;
        while (ctx.lifecycle.isRunning()) {
            try {
                install(backend.join(ctx.name, ctx.node, new Events(generation), inbound));
                LOG.info("supervisor {} node {} joined again", ctx.name, ctx.node);
                return;
            } catch (RuntimeException e) {
                LOG.warn("rejoin of node {} failed, retrying in {} ms: {}", ctx.node, backoff, e.getMessage());
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(backoff));
                backoff = Math.min(backoff * 2, 2000);
            }
        }
    }

    /** The events of one session. */
    private final class Events implements SessionListener {
        private final int of;

        Events(int generation) {
            this.of = generation;
        }

        private boolean current() {
            return of == generation;
        }

        @Override
        public void onMembersChanged() {
            // The backend may report our own join before join() has returned: the coordinator
            // scans membership once it starts.
            if (ctx.lifecycle.isRunning() && ctx.session() != null && current()) {
                ctx.refreshRing();
                failover.membersChanged();
            }
        }

        @Override
        public void onOwnerRemoved(String key, Owner previous) {
            if (current()) {
                io.distributedsupervisor.spi.NodeSession s = ctx.session();
                if (s != null && s.hasSpec(key)) { // it may run elsewhere next (a move): keep this node's order to it
                    ctx.departures.left(key, previous.node());
                }
                failover.ownerRemoved(key, previous);
            }
        }

        @Override
        public void onInherited(java.util.Collection<String> keys, boolean more) {
            if (current()) {
                // A backend tells what its view holds by succession as it loads, which a join
                // does before it returns: the specs are read with this session once it is the node's.
                failover.inherited(keys, more, of == installed);
            }
        }

        @Override
        public void onUntrusted(String what, String why) {
            ctx.events.untrusted(what, why);
        }

        @Override
        public java.util.concurrent.CompletionStage<String> onOperatorRequest(
                io.distributedsupervisor.spi.OperatorRequest request) {
            if (!current() || !ctx.lifecycle.isRunning()) {
                return java.util.concurrent.CompletableFuture.failedFuture(
                        new io.distributedsupervisor.SupervisorClosedException(ctx.name, ctx.node));
            }
            return OperatorActions.run(ctx.api, request);
        }

        @Override
        public void onLeaseRestored() {
            if (current()) {
                ctx.leaseGate.restored();
            }
        }

        @Override
        public void onSessionState(SessionState state) {
            if (!current()) {
                // E.g. the CLOSED of the lost session that recover() closes: not this node's end.
                return;
            }
            connection = switch (state) {
                case SUSPENDED -> Health.Connection.SUSPENDED;
                case RECONNECTED -> Health.Connection.CONNECTED;
                case LOST -> Health.Connection.LOST;
                case CLOSED -> Health.Connection.CLOSED;
            };
            switch (state) {
                case SUSPENDED -> LOG.warn("node {}: connection to coordination suspended; children pause", ctx.node);
                case RECONNECTED -> {
                    LOG.info("node {}: reconnected with the same session; children resume", ctx.node);
                    ctx.leaseGate.restored();
                }
                case LOST -> failover.sessionLost();
                case CLOSED -> Thread.startVirtualThread(crashed);
            }
        }
    }
}
