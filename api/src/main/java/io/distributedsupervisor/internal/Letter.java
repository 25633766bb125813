package io.distributedsupervisor.internal;

/**
 * A message in a child's mailbox. {@code payload} is the value itself, or, for a message that
 * came from another node ({@link #fromWire}), the {@code Payload} it arrived as, decoded on the
 * child's own thread. {@code reply} only for calls and barriers; {@code from} names the sending
 * node (null: this one). A {@link #BARRIER} has no payload and is no message to the child: it is
 * answered where the child takes its messages from, or forwarded on from a node it left
 * ({@link io.distributedsupervisor.protocol.Message.Barrier}).
 */
record Letter(int kind, Object payload, ReplyTo reply, String from) {
    static final int CALL = 0;
    static final int CAST = 1;
    static final int INFO = 2;
    static final int BARRIER = 3;

    static Letter local(int kind, Object payload, ReplyTo reply) {
        return new Letter(kind, payload, reply, null);
    }

    boolean fromWire() {
        return from != null;
    }
}
