package io.distributedsupervisor;

import java.io.Serializable;

/**
 * The fencing token of a child: it only grows for a given id across the whole cluster.
 * {@code epoch} is handed out by the owner registry when a node claims the id (on ZooKeeper the
 * owner znode's {@code czxid}); {@code restarts} counts local restarts under that claim.
 * Compare two with {@link #compareTo}: the greater one is the newer incarnation, and a child can
 * reject writes to an outside store that carry an older one.
 *
 * @param epoch    the registry's token for the claim this incarnation runs under
 * @param restarts local restarts under that claim, 0 for the first start
 */
public record Incarnation(long epoch, int restarts) implements Comparable<Incarnation>, Serializable {

    @Override
    public int compareTo(Incarnation o) {
        int c = Long.compare(epoch, o.epoch);
        return c != 0 ? c : Integer.compare(restarts, o.restarts);
    }

    /** True when this incarnation started after {@code other}. */
    public boolean isNewerThan(Incarnation other) {
        return compareTo(other) > 0;
    }

    @Override
    public String toString() {
        return epoch + "." + restarts;
    }
}
