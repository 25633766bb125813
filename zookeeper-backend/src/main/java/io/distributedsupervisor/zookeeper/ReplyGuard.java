package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.RemoteChildException;
import io.distributedsupervisor.internal.Protocol;

/**
 * Makes sure a reply can cross the network before it is sent. The caller decodes it behind the
 * same allow-list, and a reply it cannot decode would look like a lost message, which the caller
 * retries: the request would run twice. So a reply that would not decode is replaced here:
 * a crash's cause becomes a {@link RemoteChildException} (class name, message, stack trace), and
 * a value of a refused class becomes a crash that says which class to allow.
 *
 * <p>Only values outside {@code java.*} are checked (by an encode-decode round trip), so the
 * common replies cost nothing extra.
 */
final class ReplyGuard {
    private final MessageCodec codec;

    ReplyGuard(MessageCodec codec) {
        this.codec = codec;
    }

    Object guard(Object reply) {
        if (reply instanceof Protocol.Crashed c && c.cause() != null && !crosses(c.cause())) {
            return new Protocol.Crashed(RemoteChildException.of(c.cause()));
        }
        if (reply instanceof Protocol.Ok ok && ok.value() != null && !ok.value().getClass().getName().startsWith("java.")
                && !crosses(ok.value())) {
            return new Protocol.Crashed(RemoteChildException.of(new IllegalArgumentException("the reply, of class "
                    + ok.value().getClass().getName() + ", may not cross the network: add it to the codec's allow-list")));
        }
        return reply;
    }

    private boolean crosses(Object value) {
        try {
            codec.decode(codec.encode(value));
            return true;
        } catch (Exception | StackOverflowError e) {
            return false;
        }
    }
}
