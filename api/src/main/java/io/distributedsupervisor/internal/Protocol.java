package io.distributedsupervisor.internal;

import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.ChildStatus;
import io.distributedsupervisor.Incarnation;
import io.distributedsupervisor.Pid;
import java.io.Serializable;
import java.util.List;

/**
 * What nodes of one supervisor send each other through the backend's transport, and the replies.
 * Every type is an immutable, serializable record, so a network backend can carry it.
 */
public final class Protocol {
    private Protocol() {
    }

    /** A request or one-way message between nodes. */
    public sealed interface Message extends Serializable
            permits Call, Cast, Info, Start, Terminate, NodeTerminating {
    }

    /** {@code call}: reply is {@link Ok} with the handler's value, or another {@link Reply}. */
    public record Call(String key, Object request) implements Message {
    }

    /** {@code cast}: one-way. */
    public record Cast(String key, Object message) implements Message {
    }

    /** {@code send}: one-way, to {@code handleInfo}. */
    public record Info(String key, Object message) implements Message {
    }

    /** Start a new child here; {@code node} is the explicit node or null. Reply: {@link Ok} with the Pid. */
    public record Start(ChildSpec spec, String node) implements Message {
    }

    /** Terminate the child of {@code key} if it runs here (only that incarnation, when given). Reply: {@link Ok} with a Boolean. */
    public record Terminate(String key, Incarnation incarnation) implements Message {
    }

    /** One-way: the sender is closing gracefully; these children were running there. */
    public record NodeTerminating(String node, Object reason, List<ChildStatus> statuses) implements Message {
    }

    /** A reply to a request. */
    public sealed interface Reply extends Serializable permits Ok, NotHere, Crashed, AlreadyStarted {
    }

    public record Ok(Object value) implements Reply {
    }

    /** The child does not run on the node asked (any more, or not yet): look again and retry. */
    public record NotHere() implements Reply {
    }

    /** The one {@link NotHere} a node needs. */
    public static final Reply NOT_HERE_REPLY = new NotHere();

    /** The child crashed before replying, or its start failed; {@code cause} is why. */
    public record Crashed(Throwable cause) implements Reply {
    }

    /** A start lost to a child that runs already ({@code pid} may be null between incarnations). */
    public record AlreadyStarted(Pid pid) implements Reply {
    }
}
