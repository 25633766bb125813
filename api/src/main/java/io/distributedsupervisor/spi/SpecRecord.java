package io.distributedsupervisor.spi;

import io.distributedsupervisor.ChildSpec;
import java.util.Objects;

/**
 * A stored child spec: the spec (its id filled in) and the node it was explicitly started on,
 * or null when the ring places it.
 */
public record SpecRecord(ChildSpec spec, String node) {
    public SpecRecord {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(spec.id(), "spec id");
    }
}
