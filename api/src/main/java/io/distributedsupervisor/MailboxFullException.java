package io.distributedsupervisor;

import java.util.Objects;

/**
 * The child's mailbox holds {@code mailboxLimit} messages already: this one was not accepted
 * (nothing of it was processed). A child that falls that far behind its senders is overloaded;
 * slow down, or raise {@code SupervisorOptions.Builder.mailboxLimit} on its node. Thrown at once
 * by {@code call}, {@code callAsync}, {@code cast} and {@code send}; a one-way message from
 * another node to a full mailbox is dropped there, and logged.
 */
public final class MailboxFullException extends DistributedSupervisorException {
    private static final long serialVersionUID = 1L;
    private final Object id;
    private final String node;
    private final int limit;

    public MailboxFullException(Object id, String node, int limit) {
        super("the mailbox of child " + id + " on node " + node + " is full (" + limit + " messages)");
        this.id = id;
        this.node = Objects.requireNonNull(node, "node");
        this.limit = limit;
    }

    public Object id() {
        return id;
    }

    /** The node the child runs on. */
    public String node() {
        return node;
    }

    /** That node's mailbox limit. */
    public int limit() {
        return limit;
    }
}
