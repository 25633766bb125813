package io.distributedsupervisor;

import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

/**
 * A snapshot of one running child on its node, as {@code onNodeTerminate} and monitoring see it.
 *
 * @param id         the child's id
 * @param pid        its current incarnation
 * @param childClass the binary name of its {@link Child} class
 * @param restart    its restart policy
 * @param startedAt  when the current incarnation started
 * @param restarts   how many times it was restarted on this node under its current claim
 */
public record ChildStatus(Object id, Pid pid, String childClass, Restart restart, Instant startedAt, int restarts)
        implements Serializable {
    public ChildStatus {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(pid, "pid");
        Objects.requireNonNull(childClass, "childClass");
        Objects.requireNonNull(restart, "restart");
        Objects.requireNonNull(startedAt, "startedAt");
    }
}
