package io.distributedsupervisor.protocol;

import io.distributedsupervisor.Pid;
import java.util.Objects;

/** The answer to a request {@link Message}. */
public sealed interface Reply {

    /** The handler's value (a {@code call}), or an acknowledgement with a null value. */
    record Ok(Payload value) implements Reply {
        public Ok {
            Objects.requireNonNull(value, "value");
        }
    }

    /** The child started: its pid. */
    record Started(Pid pid) implements Reply {
        public Started {
            Objects.requireNonNull(pid, "pid");
        }
    }

    /** A terminate's answer: whether the incarnation asked for was stopped here. */
    record Terminated(boolean stopped) implements Reply {
    }

    /**
     * The child does not run on the node asked (any more, or not yet), or that node is closing:
     * nothing was processed, so the sender looks again and retries.
     */
    record NotHere() implements Reply {
    }

    /**
     * The child crashed before replying, or its start failed. {@code className} and
     * {@code message} describe the cause even when {@code cause} (the exception through the
     * codec) is null because it could not be encoded.
     */
    record Crashed(String className, String message, Payload cause) implements Reply {
        public Crashed {
            Objects.requireNonNull(className, "className");
        }
    }

    /** A start lost to a child that runs already; {@code pid} is null when its node did not know it. */
    record AlreadyStarted(Pid pid) implements Reply {
    }

    /**
     * The node refused the request for good and processed nothing: {@code refusedClass} (when
     * the refusal is about a class) and {@code reason} say why.
     */
    record Refused(String node, String refusedClass, String reason) implements Reply {
        public Refused {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * The child's mailbox on {@code node} is full ({@code limit} messages waiting): the request
     * was not accepted, nothing of it was processed.
     */
    record MailboxFull(String node, int limit) implements Reply {
        public MailboxFull {
            Objects.requireNonNull(node, "node");
        }
    }

    /** The one {@link NotHere} a node needs. */
    Reply NOT_HERE = new NotHere();
}
