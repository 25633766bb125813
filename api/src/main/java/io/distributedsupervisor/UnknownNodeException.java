package io.distributedsupervisor;

/** A node was named that is not a live member of this supervisor's ring. */
public final class UnknownNodeException extends DistributedSupervisorException {
    private static final long serialVersionUID = 1L;
    private final String node;

    public UnknownNodeException(String node, java.util.Collection<String> liveNodes) {
        super("node '" + node + "' is not a live node of this supervisor; live nodes: " + liveNodes);
        this.node = node;
    }

    /** The node that was named. */
    public String node() {
        return node;
    }
}
