package io.distributedsupervisor.spi;

import java.util.Arrays;
import java.util.Objects;

/**
 * A stored child spec as a backend keeps it: the spec as the runtime encoded it (through the
 * node's {@link MessageCodec}, so that a tool with the same codec can read it), and the node it
 * was explicitly started on, or null when the ring places it. A backend stores both and gives
 * them back unchanged; it never needs to read the spec.
 *
 * @param spec the encoded spec; a backend must not change the array
 * @param node the explicit node, or null
 */
public record SpecRecord(byte[] spec, String node) {
    public SpecRecord {
        Objects.requireNonNull(spec, "spec");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SpecRecord r && Arrays.equals(r.spec, spec) && Objects.equals(r.node, node);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(spec) + Objects.hashCode(node);
    }

    @Override
    public String toString() {
        return "SpecRecord[" + spec.length + " bytes, node=" + node + "]";
    }
}
