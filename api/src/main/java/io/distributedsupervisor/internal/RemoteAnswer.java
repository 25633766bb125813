package io.distributedsupervisor.internal;

import io.distributedsupervisor.Operation;
import io.distributedsupervisor.protocol.Reply;
import io.distributedsupervisor.spi.CodecException;
import io.distributedsupervisor.spi.Responder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The answer to another node's request: encoded once, on the thread that answers (the child's,
 * for a call), and handed to the backend's {@link Responder}. What this node's codec will not
 * encode is answered with what can be: a crash without its exception object (its class and
 * message still travel), or a refusal that names the class.
 */
final class RemoteAnswer implements ReplyTo {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteAnswer.class);

    private final NodeContext ctx;
    private final Responder responder;
    private final String from;

    RemoteAnswer(NodeContext ctx, Responder responder, String from) {
        this.ctx = ctx;
        this.responder = responder;
        this.from = from;
    }

    @Override
    public void answer(Reply reply) {
        byte[] bytes;
        try {
            bytes = ctx.wire().encode(reply);
        } catch (CodecException e) {
            Reply fallback = reply instanceof Reply.Crashed c ? new Reply.Crashed(c.className(), c.message(), null)
                    : new Reply.Refused(ctx.node, e.refusedClass().orElse(null), "the answer may not be sent to node " + from
                    + ": " + e.getMessage());
            if (!(reply instanceof Reply.Crashed)) {
                ctx.refusals.log(Operation.CALL, from, e);
            }
            try {
                bytes = ctx.wire().encode(fallback);
            } catch (CodecException impossible) {
                // Neither carries a payload: nothing for a codec to refuse.
                LOG.error("node {} could not answer node {}", ctx.node, from, impossible);
                return;
            }
        }
        responder.reply(bytes);
    }
}
