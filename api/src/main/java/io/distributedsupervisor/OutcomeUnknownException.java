package io.distributedsupervisor;

import java.util.Objects;

/**
 * The request reached the node of the child, or may have, and then the connection to that node
 * was lost before the answer came: the child may or may not have processed it. Nothing is
 * retried behind your back, since that could process it twice (a {@code call} runs at most
 * once). Retry yourself if the request is idempotent; after a {@code startChild},
 * {@link DistributedSupervisor#whereis} tells whether the child runs.
 */
public final class OutcomeUnknownException extends DistributedSupervisorException {
    private static final long serialVersionUID = 1L;
    private final Operation operation;
    private final Object id;
    private final String node;

    public OutcomeUnknownException(Operation operation, Object id, String node, String reason) {
        super(operation + " of child " + id + " on node " + node + ": outcome unknown, " + reason);
        this.operation = Objects.requireNonNull(operation, "operation");
        this.id = id;
        this.node = Objects.requireNonNull(node, "node");
    }

    public Operation operation() {
        return operation;
    }

    public Object id() {
        return id;
    }

    /** The node the request went to. */
    public String node() {
        return node;
    }
}
