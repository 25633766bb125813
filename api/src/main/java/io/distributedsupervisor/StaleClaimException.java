package io.distributedsupervisor;

import java.util.Objects;

/**
 * {@code startChild} found its id held by an owner entry of a node that is not a live member of
 * the cluster, and the entry did not go away within the timeout. Such an entry goes when the
 * session that wrote it ends (a node that just closed or died: wait and retry); one that stays is
 * for an operator to look at. Nothing was started.
 */
public final class StaleClaimException extends DistributedSupervisorException {
    private static final long serialVersionUID = 1L;
    private final Object id;
    private final String holder;

    public StaleClaimException(Object id, String holder, String detail) {
        super("child " + id + " cannot be started: its id is held by an owner entry of node " + holder
                + ", which is not a live member" + (detail == null ? "" : " (" + detail + ")"));
        this.id = id;
        this.holder = Objects.requireNonNull(holder, "holder");
    }

    public Object id() {
        return id;
    }

    /** The node named by the entry that holds the id. */
    public String holder() {
        return holder;
    }
}
