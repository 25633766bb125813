package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.spi.MessageHandler;
import io.distributedsupervisor.spi.Responder;
import io.distributedsupervisor.zookeeper.transport.RequestNotTakenException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The supervisor a message between nodes is for: one {@link SharedConnection}'s transport
 * carries the messages of every supervisor of its node, so each request and one-way message
 * carries a one-byte length and the supervisor's name (ASCII) ahead of the runtime's bytes
 * ({@link #name}, {@link #route}), and the receiving side's {@link Inbound} hands it, without that prefix, to
 * that supervisor's session.
 */
final class SupervisorRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(SupervisorRoutes.class);

    private SupervisorRoutes() {
    }

    /** The supervisor's name as messages for it are routed; refuses a name a route cannot carry. */
    static byte[] name(String supervisor) {
        byte[] route = supervisor.getBytes(StandardCharsets.US_ASCII);
        if (route.length == 0 || route.length > 255 || !supervisor.chars().allMatch(ch -> ch > 32 && ch < 127)) {
            throw new IllegalArgumentException("invalid supervisor name '" + supervisor
                    + "': 1 to 255 printable ASCII characters");
        }
        return route;
    }

    /** {@code message} for {@code supervisor}: a byte of the name's length, the name (ASCII), the message. */
    static byte[] route(byte[] supervisorName, byte[] message) {
        byte[] routed = new byte[1 + supervisorName.length + message.length];
        routed[0] = (byte) supervisorName.length;
        System.arraycopy(supervisorName, 0, routed, 1, supervisorName.length);
        System.arraycopy(message, 0, routed, 1 + supervisorName.length, message.length);
        return routed;
    }

    /** The supervisor a routed message is for, or null if it carries none that can be read. */
    private static String routeOf(byte[] routed) {
        if (routed.length < 1) {
            return null;
        }
        int n = routed[0] & 0xff;
        if (n == 0 || routed.length < 1 + n) {
            return null;
        }
        return new String(routed, 1, n, StandardCharsets.US_ASCII);
    }

    private static byte[] unroute(byte[] routed, String supervisor) {
        int from = 1 + supervisor.length();
        return Arrays.copyOfRange(routed, from, routed.length);
    }

    /**
     * Hands what peers send to the supervisor it is for, as {@code sessions} finds it on this
     * node. A request for a supervisor not there is answered at once as not taken; a one-way
     * message for one is dropped. Called on the transport's threads.
     */
    static final class Inbound implements MessageHandler {
        private final String node;
        private final Function<String, ZooKeeperSession> sessions;

        Inbound(String node, Function<String, ZooKeeperSession> sessions) {
            this.node = node;
            this.sessions = sessions;
        }

        @Override
        public void onRequest(String fromNode, byte[] message, Responder responder) {
            String supervisor = routeOf(message);
            ZooKeeperSession s = supervisor == null ? null : sessions.apply(supervisor);
            if (s == null) {
                throw new RequestNotTakenException(supervisor == null
                        ? "the request from node " + fromNode + " names no supervisor (a node of an older release?)"
                        : "supervisor " + supervisor + " does not run on node " + node
                        + " (not started there, or closed)");
            }
            s.handler().onRequest(fromNode, unroute(message, supervisor), responder);
        }

        @Override
        public void onMessage(String fromNode, byte[] message) {
            String supervisor = routeOf(message);
            ZooKeeperSession s = supervisor == null ? null : sessions.apply(supervisor);
            if (s == null) {
                LOG.debug("node {}: a one-way message from node {} for supervisor {}, which does not run here, is dropped",
                        node, fromNode, supervisor);
                return;
            }
            s.handler().onMessage(fromNode, unroute(message, supervisor));
        }
    }
}
