package io.distributedsupervisor.protocol;

import io.distributedsupervisor.ChildStatus;
import io.distributedsupervisor.Incarnation;
import java.util.List;
import java.util.Objects;

/**
 * What the runtime of one node sends the runtime of another: the requests ({@link Call},
 * {@link Start}, {@link Terminate}, {@link Closing}, {@link Move}, {@link Handoff},
 * {@link Barrier}) and one-way messages ({@link Cast},
 * {@link Info}) of the wire protocol. {@code key} is a child id's stable encoding (as
 * {@code DistributedSupervisor.nodeFor} hashes it). {@link WireFormat} turns them into bytes and
 * back; every backend moves only those bytes.
 */
public sealed interface Message {

    /** {@code call}: answered with {@link Reply.Ok}, or another {@link Reply}. */
    record Call(String key, Payload request) implements Message {
        public Call {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(request, "request");
        }
    }

    /** {@code cast}: one-way, to {@code handleCast}. */
    record Cast(String key, Payload message) implements Message {
        public Cast {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(message, "message");
        }
    }

    /** {@code send}: one-way, to {@code handleInfo}. */
    record Info(String key, Payload message) implements Message {
        public Info {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * Start a new child on the receiving node; {@code spec} is the spec as
     * {@link WireFormat#encodeSpec} writes it, {@code node} the explicit node or null. Answered
     * with {@link Reply.Started}, {@link Reply.AlreadyStarted}, {@link Reply.Crashed} (its init
     * failed), {@link Reply.Refused} or {@link Reply.NotHere}.
     */
    record Start(Payload spec, String node) implements Message {
        public Start {
            Objects.requireNonNull(spec, "spec");
        }
    }

    /**
     * Terminate the child of {@code key} if it runs on the receiving node, only that
     * incarnation when given. Answered with {@link Reply.Terminated} or {@link Reply.NotHere}.
     */
    record Terminate(String key, Incarnation incarnation) implements Message {
        public Terminate {
            Objects.requireNonNull(key, "key");
        }
    }

    /**
     * Move the child of {@code key}, if it runs on the receiving node, to {@code node}, and place
     * it there from now on (an operator's move). Answered with {@link Reply.Ok} once handed over,
     * or {@link Reply.NotHere}.
     */
    record Move(String key, String node) implements Message {
        public Move {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(node, "node");
        }
    }

    /**
     * The sender hands the child of {@code key} over to the receiver on a planned move: its
     * {@code state} (a null value: none) is kept for the first incarnation the receiver starts
     * under its next claim, and messages for the key that arrive before that start wait for it.
     * {@code spec} is the child's spec as {@link WireFormat#specForm} writes it, the one stored,
     * so that the receiver need not read it back. Answered with {@link Reply.Ok} once kept, before
     * the sender releases its claim.
     */
    record Handoff(String key, Payload state, Payload spec) implements Message {
        public Handoff {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(spec, "spec");
        }
    }

    /**
     * Passes the path a message for {@code key} takes from the sender: into the child's mailbox
     * when it runs on the receiving node, into what the receiver keeps for it when it is on its
     * way there, or on to the node it went to when it left the receiver (forwarded as a message
     * would be). Answered with {@link Reply.Ok} (or {@link Reply.NotHere}) once it got where the
     * child takes its messages from, so by then everything the sender sent before it on that path
     * for the key is there, ahead of whatever the sender sends next, on any path. A sender uses it
     * when a child moved: before its first message to the new node, the path through the old one
     * is passed.
     */
    record Barrier(String key) implements Message {
        public Barrier {
            Objects.requireNonNull(key, "key");
        }
    }

    /**
     * The sender closes gracefully, and ran these children: answered with {@link Reply.Ok} once
     * heard, so that the receiver does not take the sender's leaving for a crash.
     */
    record Closing(String node, String reason, List<ChildStatus> statuses) implements Message {
        public Closing {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(reason, "reason");
            statuses = List.copyOf(statuses);
        }
    }
}
