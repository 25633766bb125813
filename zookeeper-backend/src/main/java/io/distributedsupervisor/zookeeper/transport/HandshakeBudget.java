package io.distributedsupervisor.zookeeper.transport;

import java.util.HashMap;
import java.util.Map;

/**
 * The inbound connections that have not finished the handshake, counted in total and per remote
 * address. Such a connection costs a socket, buffers and a timer until it proves the secret or
 * times out, and anyone who can reach the port can open one, so beyond the caps a new connection
 * is closed at once, before TLS or a byte of the protocol. A cap per address keeps one host from
 * taking the whole budget; the total cap bounds what many hosts together can hold. Connections
 * that finished the handshake are not counted: they proved the secret.
 *
 * <p>Thread-safe: every event loop admits and releases here, under a lock held only to count.
 */
final class HandshakeBudget {
    private final int maxTotal;
    private final int maxPerAddress;
    private final Map<String, Integer> perAddress = new HashMap<>();
    private int total;

    HandshakeBudget(int maxTotal, int maxPerAddress) {
        this.maxTotal = maxTotal;
        this.maxPerAddress = maxPerAddress;
    }

    /**
     * Counts a new connection from {@code address} (a host, without port).
     *
     * @return null when admitted (then {@link #release} it exactly once), else why not
     */
    synchronized String admit(String address) {
        if (total >= maxTotal) {
            return "already " + total + " connections in the handshake, the most this node allows (maxPendingHandshakes)";
        }
        int fromAddress = perAddress.getOrDefault(address, 0);
        if (fromAddress >= maxPerAddress) {
            return "already " + fromAddress + " connections from " + address
                    + " in the handshake, the most this node allows from one address (maxPendingHandshakesPerAddress)";
        }
        total++;
        perAddress.put(address, fromAddress + 1);
        return null;
    }

    /** The connection admitted from {@code address} finished its handshake or closed. */
    synchronized void release(String address) {
        total--;
        perAddress.computeIfPresent(address, (a, n) -> n == 1 ? null : n - 1);
    }

    synchronized int pending() {
        return total;
    }
}
