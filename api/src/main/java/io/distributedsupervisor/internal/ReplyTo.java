package io.distributedsupervisor.internal;

import io.distributedsupervisor.protocol.Reply;
import java.util.concurrent.CompletableFuture;

/** Where a call's answer goes: a caller on this node, or the responder of a remote request. Answered once. */
interface ReplyTo {
    void answer(Reply reply);

    /** A caller on this node: the future completes with the {@link Reply} itself, values by reference. */
    final class Local extends CompletableFuture<Object> implements ReplyTo {
        @Override
        public void answer(Reply reply) {
            complete(reply);
        }
    }
}
