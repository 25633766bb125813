package io.distributedsupervisor;

import java.util.Objects;
import java.util.Optional;

/**
 * A node refused a message of this operation, for good: its codec may not encode or decode a
 * class (not on the allow-list, or not a usable child class), the message is too large, or it is
 * malformed. Thrown at once, never after a timeout, and nothing was processed: the refusing node
 * runs on unaffected.
 *
 * <p>Which node refused tells where to look: the sending node (this one), when its own codec would
 * not encode the request (a refusal happens on both sides of the wire, so a class that may not
 * cross is found before it is sent); the receiving node, when its codec would not decode it; and
 * this node again for a reply it would not decode.
 */
public final class MessageRefusedException extends DistributedSupervisorException {
    private static final long serialVersionUID = 1L;
    private final Operation operation;
    private final Object id;
    private final String node;
    private final String refusedClass;

    /**
     * @param operation    what was being done
     * @param id           the child's id (null when the operation names none)
     * @param node         the node that refused
     * @param refusedClass the class refused, or null when the refusal is not about a class
     * @param reason       why, in words
     */
    public MessageRefusedException(Operation operation, Object id, String node, String refusedClass, String reason) {
        this(operation, id, node, refusedClass, reason, null);
    }

    public MessageRefusedException(Operation operation, Object id, String node, String refusedClass, String reason,
                                   Throwable cause) {
        super(operation + (id == null ? "" : " of child " + id) + " refused by node " + node
                + (refusedClass == null ? "" : ": class " + refusedClass) + ": " + reason, cause);
        this.operation = Objects.requireNonNull(operation, "operation");
        this.id = id;
        this.node = Objects.requireNonNull(node, "node");
        this.refusedClass = refusedClass;
    }

    /** The operation that was refused. */
    public Operation operation() {
        return operation;
    }

    /** The child's id, if the operation names one. */
    public Object id() {
        return id;
    }

    /** The node that refused. */
    public String node() {
        return node;
    }

    /** The binary name of the class that was refused, when the refusal is about a class. */
    public Optional<String> refusedClass() {
        return Optional.ofNullable(refusedClass);
    }
}
