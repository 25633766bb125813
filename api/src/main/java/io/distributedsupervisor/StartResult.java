package io.distributedsupervisor;

import java.util.Objects;

/**
 * What {@code startChild} answers: the child's first {@link Pid} and its id (generated when the
 * spec had none), the Elixir library's {@code {:ok, pid, id}}.
 */
public record StartResult(Pid pid, Object id) {
    public StartResult {
        Objects.requireNonNull(pid, "pid");
        Objects.requireNonNull(id, "id");
    }
}
