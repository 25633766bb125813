package io.distributedsupervisor.spi;

import java.util.Objects;

/**
 * A live node of a supervisor's group.
 *
 * @param node      its name
 * @param address   how its transport is reached (backend-specific, e.g. {@code host:port})
 * @param startedAt when it joined, epoch milliseconds
 * @param version   the library version it runs
 */
public record Member(String node, String address, long startedAt, String version) {
    public Member {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(version, "version");
    }
}
