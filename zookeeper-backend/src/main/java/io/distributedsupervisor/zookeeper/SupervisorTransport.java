package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.spi.Delivery;
import io.distributedsupervisor.zookeeper.transport.NodeTransport;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * One supervisor's messages on its node's shared {@link NodeTransport}: sent only to live members
 * of the supervisor (their address from its {@link SupervisorView}), each framed with the
 * supervisor's route ({@link SupervisorRoutes#route}) so that the receiving connection hands it to
 * that supervisor, and not sent at all once the session is closed or lost ({@link Delivery.NotSent}:
 * nothing left this node). Called on the runtime's threads; never blocks.
 */
final class SupervisorTransport {
    private final NodeTransport transport;
    private final SupervisorView view;
    /** The supervisor's name as messages for it are routed ({@link SupervisorRoutes#name}). */
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
        return transport.request(target, address, SupervisorRoutes.route(route, message));
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
        return transport.send(target, address, SupervisorRoutes.route(route, message));
    }
}
