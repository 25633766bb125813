package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.spi.Delivery;
import io.distributedsupervisor.zookeeper.transport.NodeTransport;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * One supervisor's messages on its node's shared {@link NodeTransport}: sent only to live members
 * of the supervisor (their address from its {@link SupervisorView}), each framed with the
 * supervisor's route ({@link SharedConnection#route}) so that the receiving connection hands it to
 * that supervisor, and not sent at all once the session is closed or lost ({@link Delivery.NotSent}:
 * nothing left this node). Called on the runtime's threads; never blocks.
 */
final class SupervisorTransport {
    private final NodeTransport transport;
    private final SupervisorView view;
    /** The supervisor's name as messages for it are routed ({@link #route(String)}). */
    private final byte[] route;
    private final String node;
    private final String supervisor;
    private final BooleanSupplier closed;
    private final BooleanSupplier lost;

    SupervisorTransport(NodeTransport transport, SupervisorView view, byte[] route, String node, String supervisor,
                        BooleanSupplier closed, BooleanSupplier lost) {
        this.transport = transport;
        this.view = view;
        this.route = route;
        this.node = node;
        this.supervisor = supervisor;
        this.closed = closed;
        this.lost = lost;
    }

    /** The supervisor's name as messages for it are routed; refuses a name a route cannot carry. */
    static byte[] route(String supervisor) {
        byte[] route = supervisor.getBytes(StandardCharsets.US_ASCII);
        if (route.length == 0 || route.length > 255 || !supervisor.chars().allMatch(ch -> ch > 32 && ch < 127)) {
            throw new IllegalArgumentException("invalid supervisor name '" + supervisor
                    + "': 1 to 255 printable ASCII characters");
        }
        return route;
    }

    CompletableFuture<Delivery> request(String target, byte[] message) {
        if (closed.getAsBoolean() || lost.getAsBoolean()) {
            return CompletableFuture.completedFuture(new Delivery.NotSent("the session of node " + node + " in supervisor "
                    + supervisor + " is " + (closed.getAsBoolean() ? "closed" : "lost")));
        }
        String address = view.addressOf(target);
        if (address == null) {
            return CompletableFuture.completedFuture(new Delivery.NotSent("node " + target
                    + " is not a live member of supervisor " + supervisor));
        }
        return transport.request(target, address, SharedConnection.route(route, message));
    }

    Delivery send(String target, byte[] message) {
        if (closed.getAsBoolean() || lost.getAsBoolean()) {
            return new Delivery.NotSent("the session of node " + node + " in supervisor " + supervisor + " is "
                    + (closed.getAsBoolean() ? "closed" : "lost"));
        }
        String address = view.addressOf(target);
        if (address == null) {
            return new Delivery.NotSent("node " + target + " is not a live member of supervisor " + supervisor);
        }
        return transport.send(target, address, SharedConnection.route(route, message));
    }
}
