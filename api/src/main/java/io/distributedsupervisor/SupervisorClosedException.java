package io.distributedsupervisor;

/** The supervisor on this node was closed, or its node crashed; it takes no more requests. */
public final class SupervisorClosedException extends DistributedSupervisorException {
    private static final long serialVersionUID = 1L;

    public SupervisorClosedException(String supervisor, String node) {
        super("supervisor " + supervisor + " on node " + node + " is closed");
    }
}
