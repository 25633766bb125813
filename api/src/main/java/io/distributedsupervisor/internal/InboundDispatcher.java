package io.distributedsupervisor.internal;

import io.distributedsupervisor.Operation;
import io.distributedsupervisor.protocol.Message;
import io.distributedsupervisor.protocol.Payload;
import io.distributedsupervisor.protocol.Reply;
import io.distributedsupervisor.spi.CodecException;
import io.distributedsupervisor.spi.MessageHandler;
import io.distributedsupervisor.spi.Responder;

/**
 * What other nodes send this node, from the backend's threads: the frame of each message is read
 * here (bounded, linear in its size) and the message goes to its place at once, in the order the
 * peer sent: a call, cast or send into the child's mailbox with its payload still encoded (the
 * child decodes it on its own thread), a start, terminate or goodbye to a virtual thread of its
 * own. Nothing here blocks or decodes a user payload.
 */
final class InboundDispatcher implements MessageHandler {
    private final NodeContext ctx;
    private final ChildStarts starts;
    private final Terminations terminations;
    private final OperatorMoves moves;
    private final FailoverCoordinator failover;

    InboundDispatcher(NodeContext ctx, ChildStarts starts, Terminations terminations, OperatorMoves moves,
                      FailoverCoordinator failover) {
        this.ctx = ctx;
        this.moves = moves;
        this.starts = starts;
        this.terminations = terminations;
        this.failover = failover;
    }

    @Override
    public void onRequest(String fromNode, byte[] bytes, Responder responder) {
        if (ctx.wire() == null) {
            // A peer that saw this node's member entry may ask before the join has returned here.
            Attempts.VIRTUAL.execute(() -> {
                if (awaitJoined()) {
                    onRequest(fromNode, bytes, responder);
                }
            });
            return;
        }
        ReplyTo answer = new RemoteAnswer(ctx, responder, fromNode);
        Message message;
        try {
            message = ctx.wire().decodeMessage(bytes);
        } catch (CodecException e) {
            ctx.refusals.log(Operation.CALL, fromNode, e);
            answer.answer(new Reply.Refused(ctx.node, e.refusedClass().orElse(null), e.getMessage()));
            return;
        }
        if (ctx.lifecycle.isClosed()) {
            answer.answer(Reply.NOT_HERE);
            return;
        }
        switch (message) {
            case Message.Call call -> {
                switch (offer(call.key(), Letter.CALL, call.request(), answer, fromNode)) {
                    case ACCEPTED -> {
                    }
                    case FULL -> answer.answer(new Reply.MailboxFull(ctx.node, ctx.options.mailboxLimit()));
                    case GONE -> answer.answer(Reply.NOT_HERE);
                }
            }
            case Message.Barrier barrier -> {
                // Where a message for the key would go; nowhere: nothing sent before it waits here.
                if (offer(barrier.key(), Letter.BARRIER, null, answer, fromNode) != LocalChild.Offer.ACCEPTED) {
                    answer.answer(Reply.NOT_HERE);
                }
            }
            case Message.Start start -> starts.fromPeer(start, fromNode, answer);
            case Message.Move move -> Attempts.VIRTUAL.execute(() -> answer.answer(moves.moveHere(move.key(), move.node())));
            case Message.Handoff handoff -> {
                ctx.handoffs.keep(handoff, fromNode);
                answer.answer(new Reply.Ok(Payload.of(null)));
            }
            case Message.Terminate t -> Attempts.VIRTUAL.execute(() -> answer.answer(terminations.terminateHere(t.key(),
                    t.incarnation())));
            case Message.Closing closing -> Attempts.VIRTUAL.execute(() -> {
                closing(closing);
                answer.answer(new Reply.Ok(Payload.of(null)));
            });
            default -> {
                oneWay(fromNode, message);
                answer.answer(new Reply.Ok(Payload.of(null)));
            }
        }
    }

    @Override
    public void onMessage(String fromNode, byte[] bytes) {
        if (ctx.wire() == null) {
            Attempts.VIRTUAL.execute(() -> {
                if (awaitJoined()) {
                    onMessage(fromNode, bytes);
                }
            });
            return;
        }
        Message message;
        try {
            message = ctx.wire().decodeMessage(bytes);
        } catch (CodecException e) {
            ctx.refusals.log(Operation.CAST, fromNode, e);
            return;
        }
        oneWay(fromNode, message);
    }

    /** Waits (at most the call timeout) until this node's join returned and its wire is there. */
    private boolean awaitJoined() {
        Deadline d = ctx.deadline(ctx.options.callTimeout());
        while (ctx.wire() == null) {
            if (d.passed() || ctx.lifecycle.isClosed()) {
                return false;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(1));
        }
        return true;
    }

    private void oneWay(String fromNode, Message message) {
        switch (message) {
            case Message.Cast cast -> oneWay(Operation.CAST, cast.key(), Letter.CAST, cast.message(), fromNode);
            case Message.Info info -> oneWay(Operation.SEND, info.key(), Letter.INFO, info.message(), fromNode);
            case Message.Closing closing -> Attempts.VIRTUAL.execute(() -> closing(closing));
            default -> ctx.refusals.log(Operation.CALL, fromNode,
                    CodecException.failed("a " + message.getClass().getSimpleName() + " that needs an answer came one-way", null));
        }
    }

    private LocalChild.Offer offer(String key, int kind, Payload payload, ReplyTo answer, String fromNode) {
        return ctx.offerHere(key, new Letter(kind, payload, answer, fromNode));
    }

    /** A cast or send: the sender cannot be told of a full mailbox, so the drop is logged here. */
    private void oneWay(Operation op, String key, int kind, Payload payload, String fromNode) {
        if (offer(key, kind, payload, null, fromNode) == LocalChild.Offer.FULL) {
            ctx.refusals.log(op, fromNode, "mailbox full", "dropped: the mailbox of child " + key + " is full ("
                    + ctx.options.mailboxLimit() + " messages)");
        }
    }

    private void closing(Message.Closing bye) {
        failover.nodeTerminating(bye.node());
        ctx.events.nodeTerminate(bye.node(), bye.reason(), bye.statuses());
    }
}
