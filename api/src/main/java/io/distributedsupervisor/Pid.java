package io.distributedsupervisor;

import java.io.Serializable;
import java.util.Objects;

/**
 * One incarnation of a child: where it runs, of which supervisor, its id, and its
 * {@link Incarnation}. An immutable value, safe to send to other nodes. A restarted or moved
 * child gets a new {@code Pid}; {@link DistributedSupervisor#whereis} answers the current one.
 *
 * @param node        the node the child runs on
 * @param supervisor  the supervisor's name
 * @param id          the child's id
 * @param incarnation the fencing token: greater means newer, for one id, cluster-wide
 */
public record Pid(String node, String supervisor, Object id, Incarnation incarnation) implements Serializable {

    public Pid {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(supervisor, "supervisor");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(incarnation, "incarnation");
    }

    @Override
    public String toString() {
        return "<" + supervisor + ":" + id + "@" + node + "#" + incarnation + ">";
    }
}
