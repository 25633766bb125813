package io.distributedsupervisor.spi;

import java.util.Objects;

/**
 * What became of a message a backend was asked to deliver to another node: the typed outcome of
 * {@link NodeSession#request} and {@link NodeSession#send}. The runtime acts on the kind:
 * it retries only what is safe to retry ({@link NotSent}), fails at once on a {@link Refused},
 * and never retries what may have arrived ({@link MaybeDelivered}).
 */
public sealed interface Delivery {

    /** One-way messages: handed to the connection; nothing more is known (nor needed). */
    Delivery SENT = new Sent();

    /** The peer's runtime answered a request with these bytes. */
    record Replied(byte[] reply) implements Delivery {
        public Replied {
            Objects.requireNonNull(reply, "reply");
        }
    }

    /** See {@link #SENT}. */
    record Sent() implements Delivery {
    }

    /**
     * Nothing left this node: the peer is unknown, unreachable, not reading, or the connection
     * was refused before the message was written. Safe to retry, also elsewhere.
     */
    record NotSent(String reason) implements Delivery {
        public NotSent {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * The message left this node, but the connection was lost before an answer came: the peer
     * may or may not have processed it. Retrying could process it twice.
     */
    record MaybeDelivered(String reason) implements Delivery {
        public MaybeDelivered {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * A transport refused the message for good: it is too large, or the peer's transport could
     * not hand it to its runtime. {@code node} is the node that refused (this one or the peer).
     */
    record Refused(String node, String reason) implements Delivery {
        public Refused {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
