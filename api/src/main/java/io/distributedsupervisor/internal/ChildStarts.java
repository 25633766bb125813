package io.distributedsupervisor.internal;

import io.distributedsupervisor.ChildAlreadyStartedException;
import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.Operation;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.Restart;
import io.distributedsupervisor.StaleClaimException;
import io.distributedsupervisor.StartResult;
import io.distributedsupervisor.UnknownNodeException;
import io.distributedsupervisor.protocol.Message;
import io.distributedsupervisor.protocol.Payload;
import io.distributedsupervisor.protocol.Reply;
import io.distributedsupervisor.protocol.WireFormat;
import io.distributedsupervisor.spi.BackendException;
import io.distributedsupervisor.spi.ClaimConflictException;
import io.distributedsupervisor.spi.CodecException;
import io.distributedsupervisor.spi.NodeSession;
import io.distributedsupervisor.spi.Owner;
import io.distributedsupervisor.spi.SpecRecord;
import io.distributedsupervisor.spi.Timings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starting children: claim, then start. A start goes to the node the ring (or the caller)
 * names; that node claims the id in the registry (storing the spec in the same step) and only
 * then runs the child's {@code init}. A claim lost to a running child is
 * {@link ChildAlreadyStartedException}; a start that reached no node is retried until the
 * deadline. Also starts the stored specs a failover or a move claims, and those this session
 * inherits (whose owner entries it holds without a claim).
 */
final class ChildStarts {
    private static final Logger LOG = LoggerFactory.getLogger(ChildStarts.class);

    private final NodeContext ctx;

    ChildStarts(NodeContext ctx) {
        this.ctx = ctx;
    }

    /** {@code startChild}: init runs on the calling thread when the child starts here. */
    StartResult start(ChildSpec spec, String explicitNode) {
        StartAttempts attempts = new StartAttempts(spec, explicitNode, true);
        Timings timings = ctx.timings;
        if (timings == Timings.NONE) {
            return startBlocking(attempts);
        }
        boolean ok = false;
        try {
            StartResult started = startBlocking(attempts);
            ok = true;
            return started;
        } finally {
            timings.start(attempts.wentElsewhere(), ok, ctx.ticker.read() - attempts.madeAtNanos());
        }
    }

    private StartResult startBlocking(StartAttempts attempts) {
        Pid pid = attempts.runBlocking();
        awaitView(attempts.key, pid, attempts.deadline).join();
        return new StartResult(pid, pid.id());
    }

    /** {@code startChildAsync}: nothing waits; init runs on the child's own thread. */
    CompletableFuture<StartResult> startAsync(ChildSpec spec, String explicitNode) {
        StartAttempts attempts = new StartAttempts(spec, explicitNode, false);
        CompletableFuture<StartResult> started = attempts.runAsync()
                .thenCompose(pid -> awaitView(attempts.key, pid, attempts.deadline)
                        .thenApply(seen -> new StartResult(pid, pid.id())));
        Timings timings = ctx.timings;
        if (timings != Timings.NONE) {
            started.whenComplete((r, e) -> timings.start(attempts.wentElsewhere(), e == null,
                    ctx.ticker.read() - attempts.madeAtNanos()));
        }
        return started;
    }

    /**
     * Read-your-writes: completes once this node's view of the registry shows the claim a start
     * made (elsewhere, a few milliseconds ago), or at the deadline, so that the caller's next
     * {@code whereis} sees the child.
     */
    private CompletableFuture<Void> awaitView(String key, Pid pid, Deadline deadline) {
        return ViewWait.until(ctx, key, o -> o != null && o.epoch() >= pid.incarnation().epoch(), deadline);
    }

    /**
     * Starts asked by other nodes that are under way here at most: beyond, more are answered
     * "not here", which their senders retry after a pause, so that a flood of starts costs this
     * node bounded threads and memory.
     */
    static final int MAX_PEER_STARTS = 1024;
    private final java.util.concurrent.atomic.AtomicInteger peerStarts = new java.util.concurrent.atomic.AtomicInteger();

    /** A start asked by another node: decoded and run on a thread of its own, within {@link #MAX_PEER_STARTS}. */
    void fromPeer(Message.Start start, String from, ReplyTo answer) {
        if (peerStarts.incrementAndGet() > MAX_PEER_STARTS) {
            peerStarts.decrementAndGet();
            answer.answer(Reply.NOT_HERE);
            return;
        }
        ReplyTo once = reply -> {
            peerStarts.decrementAndGet();
            answer.answer(reply);
        };
        Attempts.VIRTUAL.execute(() -> {
            try {
                startForPeer(start, from, once);
            } catch (RuntimeException e) {
                once.answer(LocalChild.crashed(e));
            }
        });
    }

    private void startForPeer(Message.Start start, String from, ReplyTo answer) {
        ChildSpec spec;
        try {
            spec = ctx.wire().decodeSpec(start.spec());
        } catch (CodecException e) {
            ctx.refusals.log(Operation.START_CHILD, from, e);
            answer.answer(new Reply.Refused(ctx.node, e.refusedClass().orElse(null), e.getMessage()));
            return;
        }
        if (start.node() != null && !start.node().equals(ctx.node)) {
            answer.answer(Reply.NOT_HERE);
            return;
        }
        startHere(spec, start.node(), false)
                .whenComplete((reply, error) -> answer.answer(reply != null ? reply : LocalChild.crashed(error)));
    }

    /**
     * Claims {@code spec}'s id, then starts the child here; the reply says how it went. With
     * {@code inline}, the claim is awaited and {@code init} runs on the calling thread; otherwise
     * nothing blocks and {@code init} runs on the child's own thread.
     */
    CompletableFuture<Reply> startHere(ChildSpec spec, String explicitNode, boolean inline) {
        if (!ctx.lifecycle.isRunning()) {
            return CompletableFuture.completedFuture(Reply.NOT_HERE);
        }
        String key = ChildKey.encode(spec.id());
        SpecRecord stored = null;
        if (ctx.options.cacheChildren() && spec.restart() != Restart.TEMPORARY) {
            try {
                stored = new SpecRecord(ctx.wire().encodeSpec(spec), explicitNode);
            } catch (CodecException e) {
                return CompletableFuture.completedFuture(new Reply.Refused(ctx.node, e.refusedClass().orElse(null),
                        "the spec may not be stored: " + e.getMessage()));
            }
        }
        CompletableFuture<Owner> claim;
        try {
            claim = ctx.session().claimNewAsync(key, stored);
        } catch (RuntimeException e) {
            claim = CompletableFuture.failedFuture(e); // a backend that throws instead of failing the future
        }
        if (inline) {
            Owner owner;
            try {
                owner = claim.join();
            } catch (CompletionException e) {
                return CompletableFuture.completedFuture(claimFailed(spec.id(), e.getCause()));
            }
            return launch(key, spec, explicitNode, owner, true);
        }
        return claim.handle((owner, error) -> error != null ? CompletableFuture.completedFuture(claimFailed(spec.id(), error))
                : launch(key, spec, explicitNode, owner, false)).thenCompose(f -> f);
    }

    private Reply claimFailed(Object id, Throwable error) {
        Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (e instanceof ClaimConflictException conflict) {
            return new Reply.AlreadyStarted(conflict.existing().map(o -> ctx.pidOf(id, o)).orElse(null));
        }
        if (e instanceof IllegalArgumentException refused) {
            // The backend cannot store this spec (too large, say): trying again changes nothing.
            return new Reply.Refused(ctx.node, null, "the spec may not be stored: " + refused.getMessage());
        }
        LOG.debug("claim of child {} failed: {}", id, e.toString());
        return Reply.NOT_HERE; // not claimed: nothing ran, the caller tries again
    }

    private CompletableFuture<Reply> launch(String key, ChildSpec spec, String explicitNode, Owner owner, boolean inline) {
        CompletableFuture<Pid> started = new CompletableFuture<>();
        LocalChild c = new LocalChild(ctx.host, key, spec, explicitNode, owner, started);
        if (!ctx.table.add(c)) {
            // The session was lost, or the node closes, while the claim was under way: give it back.
            releaseQuietly(key, true);
            return CompletableFuture.completedFuture(Reply.NOT_HERE);
        }
        if (inline) {
            c.beginInline();
        } else {
            // As with GenServer.start_link called remotely: an init that outlives the caller's
            // timeout still completes, and the child runs; only the late answer is dropped.
            c.begin();
        }
        return started.handle((pid, error) -> error == null ? new Reply.Started(pid) : LocalChild.crashed(error));
    }

    /** Gives back this session's owner entry of {@code key} (and the spec, {@code withSpec}); a failure is only logged. */
    void releaseQuietly(String key, boolean withSpec) {
        try {
            NodeSession s = ctx.session();
            if (withSpec) {
                s.releaseAndRemoveSpec(key);
            } else {
                s.release(key);
            }
        } catch (BackendException e) {
            LOG.debug("could not give back the claim of {}: {}", key, e.getMessage());
        }
    }

    /** A stored spec, decoded, and the node it is pinned to (null: the ring places it). */
    record Stored(ChildSpec spec, String node) {
    }

    /**
     * Claims stored specs without owner, all at once (the backend writes them together), and
     * starts here each one claimed: a failover, or a move. Returns the children started.
     */
    List<LocalChild> startClaimed(Map<String, Stored> specs) {
        if (!ctx.lifecycle.isRunning() || specs.isEmpty()) {
            return List.of();
        }
        List<String> keys = new ArrayList<>(specs.size());
        for (String key : specs.keySet()) {
            if (ctx.table.get(key) == null) {
                keys.add(key);
            }
        }
        List<LocalChild> started = new ArrayList<>();
        for (Map.Entry<String, Owner> claim : ctx.session().claimStored(keys).entrySet()) {
            startStored(claim.getKey(), specs.get(claim.getKey()), claim.getValue(), started);
        }
        return started;
    }

    /**
     * Starts here stored specs whose owner entries this session holds already, by succession
     * (see {@code SessionListener.onInherited}): as {@link #startClaimed}, under the entry the
     * backend answers, with no claim. A key whose entry is not this session's (any more) is
     * skipped. Returns the children started.
     */
    List<LocalChild> startInherited(Map<String, Stored> specs) {
        if (!ctx.lifecycle.isRunning() || specs.isEmpty()) {
            return List.of();
        }
        NodeSession session = ctx.session();
        List<LocalChild> started = new ArrayList<>();
        for (Map.Entry<String, Stored> e : specs.entrySet()) {
            Owner owner = session.owner(e.getKey()).orElse(null);
            if (owner != null && owner.session() == session.sessionId() && ctx.table.get(e.getKey()) == null) {
                startStored(e.getKey(), e.getValue(), owner, started);
            }
        }
        return started;
    }

    private void startStored(String key, Stored s, Owner owner, List<LocalChild> started) {
        LocalChild c = new LocalChild(ctx.host, key, s.spec(), s.node(), owner, null);
        ctx.handoffs.attach(c); // a planned move's state and the messages that waited for this start
        if (!ctx.table.add(c)) {
            c.abort(); // the messages it was given are answered "not here"
            LocalChild there = ctx.table.get(key);
            if (there == null || there.claimSession() != owner.session()
                    || there.currentPid().incarnation().epoch() != owner.epoch()) {
                releaseQuietly(key, false); // closing or lost meanwhile: another node starts it
            } // else it runs here under this very entry already (an inheritance told twice)
            return;
        }
        ctx.handoffs.attached(c);
        c.firstStart();
        c.begin();
        started.add(c);
    }

    /** The attempts of one start, until a node took it or the deadline passed. */
    private final class StartAttempts extends Attempts<Pid> {
        private final ChildSpec spec;
        private final String explicitNode;
        private final boolean inline;
        final String key;
        private byte[] encoded;
        /** The node named by an owner entry that held the id although it is no live member. */
        private volatile String staleHolder;

        StartAttempts(ChildSpec spec, String explicitNode, boolean inline) {
            super(ChildStarts.this.ctx, Operation.START_CHILD, idOf(spec), ChildStarts.this.ctx.deadline(ChildStarts.this.ctx.options.callTimeout()));
            this.spec = spec.id() != null ? spec : spec.withId(id);
            this.explicitNode = explicitNode;
            this.inline = inline;
            this.key = ChildKey.encode(id);
            ctx.lifecycle.requireOpen();
            if (explicitNode != null && !ctx.ring.current().contains(explicitNode)) {
                throw new UnknownNodeException(explicitNode, ctx.ring.current().nodes());
            }
        }

        @Override
        CompletableFuture<Object> attempt() {
            ctx.lifecycle.requireOpen();
            String node;
            if (explicitNode != null) {
                if (!ctx.ring.current().contains(explicitNode)) {
                    return now(Outcome.failed(new UnknownNodeException(explicitNode, ctx.ring.current().nodes())));
                }
                node = explicitNode;
            } else {
                node = ctx.ring.nodeFor(key);
            }
            target = node;
            if (node.equals(ctx.node)) {
                return raw(startHere(spec, explicitNode, inline));
            }
            if (encoded == null) {
                try {
                    encoded = ctx.wire().encode(new Message.Start(Payload.of(WireFormat.specForm(spec)), explicitNode));
                } catch (CodecException e) {
                    return now(Outcome.failed(refusedToSend(ctx, operation, id, node, e)));
                }
            }
            return raw(ctx.session().request(node, encoded));
        }

        @Override
        Outcome<Pid> onAnswer(Reply reply) {
            return switch (reply) {
                case Reply.Started s -> Outcome.done(s.pid());
                case Reply.AlreadyStarted a -> {
                    if (a.pid() != null && !ctx.session().members().containsKey(a.pid().node())) {
                        // Held by an entry of a node that is gone or leaving: it goes with that node's session.
                        staleHolder = a.pid().node();
                        yield Outcome.retry("the id is held by an owner entry of node " + staleHolder
                                + ", which is not a live member");
                    }
                    yield Outcome.failed(new ChildAlreadyStartedException(id, a.pid()));
                }
                default -> Outcome.failed(new IllegalStateException("start of child " + id + ": unexpected answer " + reply));
            };
        }

        @Override
        RuntimeException timeoutException() {
            String holder = staleHolder;
            return holder != null ? new StaleClaimException(id, holder, "still there after " + deadline.timeout())
                    : super.timeoutException();
        }
    }

    private static Object idOf(ChildSpec spec) {
        Objects.requireNonNull(spec, "spec");
        return spec.id() != null ? spec.id() : UUID.randomUUID();
    }
}
