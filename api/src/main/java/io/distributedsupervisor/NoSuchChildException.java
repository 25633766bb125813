package io.distributedsupervisor;

/** No child with this id runs in the cluster, and none is about to be restarted. */
public final class NoSuchChildException extends DistributedSupervisorException {
    private static final long serialVersionUID = 1L;
    private final Object id;

    public NoSuchChildException(Object id) {
        super("no child with id " + id);
        this.id = id;
    }

    /** The id that was asked for. */
    public Object id() {
        return id;
    }
}
