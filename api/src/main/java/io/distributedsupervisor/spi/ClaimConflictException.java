package io.distributedsupervisor.spi;

import java.util.Optional;

/**
 * A claim lost: the id already has an owner (or, for a new child, a stored spec). Nothing was
 * written.
 */
public final class ClaimConflictException extends BackendException {
    private static final long serialVersionUID = 1L;
    private final transient Owner existing;

    public ClaimConflictException(String key, Owner existing) {
        super("key " + key + " is already claimed" + (existing == null ? " (or its spec is stored)" : " by " + existing));
        this.existing = existing;
    }

    /** The owner that holds the key, when one was seen. */
    public Optional<Owner> existing() {
        return Optional.ofNullable(existing);
    }
}
