package io.distributedsupervisor;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A location-transparent handle on a child by id (the Elixir library's {@code via_name}): the
 * child is looked up at each use, so the handle stays valid across restarts and moves. Cheap to
 * create and immutable.
 */
public interface ChildRef {
    /** The child's id. */
    Object id();

    /** See {@link DistributedSupervisor#call(Object, Object)}. */
    <R> R call(Object request);

    /** See {@link DistributedSupervisor#call(Object, Object, Duration)}. */
    <R> R call(Object request, Duration timeout);

    /** See {@link DistributedSupervisor#callAsync(Object, Object, Duration)}. */
    <R> CompletableFuture<R> callAsync(Object request, Duration timeout);

    /** See {@link DistributedSupervisor#cast(Object, Object)}. */
    void cast(Object message);

    /** See {@link DistributedSupervisor#send(Object, Object)}. */
    boolean send(Object message);

    /** See {@link DistributedSupervisor#whereis(Object)}. */
    Optional<Pid> whereis();
}
