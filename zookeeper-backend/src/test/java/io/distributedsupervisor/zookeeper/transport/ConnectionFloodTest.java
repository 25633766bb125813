package io.distributedsupervisor.zookeeper.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.spi.Delivery;
import io.distributedsupervisor.tck.LogCapture;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Connections that never log in, from other loopback addresses (127.0.0.2 and up, all of 127/8 is
 * loopback on Linux): beyond the caps they are reset at once, the node keeps at most the caps
 * pending, logs one line per address, serves its peers, and its threads and file descriptors
 * come back to where they were.
 */
class ConnectionFloodTest extends TransportTestSupport {
    private final List<SocketChannel> flood = new ArrayList<>();

    /** {@code count} silent connections from {@code from} to {@code target}'s port. */
    private void open(int count, String from, NodeTransport target) throws IOException {
        int port = Integer.parseInt(target.address().substring(target.address().lastIndexOf(':') + 1));
        for (int i = 0; i < count; i++) {
            SocketChannel socket = SocketChannel.open();
            closeAfter(socket);
            flood.add(socket);
            socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            socket.configureBlocking(false);
        }
    }

    /** How many of the flood's connections the server closed or reset. */
    private long closedByServer() {
        return flood.stream().filter(socket -> {
            try {
                return socket.read(ByteBuffer.allocate(256)) < 0;
            } catch (IOException reset) {
                return true;
            }
        }).count();
    }

    private void closeFlood() throws IOException {
        for (SocketChannel socket : flood) {
            socket.close();
        }
    }

    @Test
    void a_flood_from_one_address_beyond_its_cap_is_refused_at_once_logged_once_and_bounded() throws Exception {
        LogCapture log = closeAfter(LogCapture.start());
        Recorder atServer = echo("server");
        NodeTransport server = start("server", atServer, c -> c.maxPendingHandshakes(32, 8).handshakeTimeout(Duration.ofSeconds(30)));
        NodeTransport good = start("good", echo("good"));
        assertThat(reply(good.request("server", server.address(), utf8("before")))).isEqualTo("server: before");
        NodeTransport fresh = start("fresh", echo("fresh")); // dials for the first time during the flood
        int threadsBefore = Resources.threads();
        long fdsBefore = Resources.fileDescriptors();

        open(50, "127.0.0.2", server);

        await().atMost(WAIT).untilAsserted(() -> assertThat(closedByServer()).isEqualTo(42));
        assertThat(server.pendingHandshakes()).isEqualTo(8);
        await().atMost(WAIT).untilAsserted(() -> assertThat(log.lines("refused a connection from 127.0.0.2 at once")).isEqualTo(1));
        assertThat(log.text()).contains("the most this node allows from one address (maxPendingHandshakesPerAddress)");
        // The flood's 50 client sockets are in this JVM too; the node holds no more than its 8.
        assertThat(Resources.fileDescriptors()).isLessThanOrEqualTo(fdsBefore + 50 + 8 + 4);
        assertThat(Resources.threads()).isLessThanOrEqualTo(threadsBefore + 2);
        // Its peers, old and new, are served meanwhile (from another address).
        assertThat(reply(good.request("server", server.address(), utf8("during")))).isEqualTo("server: during");
        assertThat(reply(fresh.request("server", server.address(), utf8("new peer")))).isEqualTo("server: new peer");

        closeFlood();
        await().atMost(WAIT).untilAsserted(() -> assertThat(server.pendingHandshakes()).isZero());
        // Back to where it was, but for fresh's connection (a socket at each end).
        await().atMost(WAIT).untilAsserted(() -> assertThat(Resources.fileDescriptors()).isLessThanOrEqualTo(fdsBefore + 2 + 4));
        assertThat(Resources.threads()).isLessThanOrEqualTo(threadsBefore + 2);
        assertThat(atServer.requests).containsExactly("before", "during", "new peer");
    }

    @Test
    void a_flood_from_many_addresses_stops_at_the_total_cap_until_it_ends() throws Exception {
        LogCapture log = closeAfter(LogCapture.start());
        NodeTransport server = start("server", echo("server"), c -> c.maxPendingHandshakes(12, 4).handshakeTimeout(Duration.ofSeconds(30)));
        NodeTransport good = start("good", echo("good"));
        long fdsBefore = Resources.fileDescriptors();

        for (int host = 2; host <= 5; host++) {
            open(4, "127.0.0." + host, server);
        }

        await().atMost(WAIT).untilAsserted(() -> assertThat(closedByServer()).isEqualTo(4));
        assertThat(server.pendingHandshakes()).isEqualTo(12);
        assertThat(log.lines("refused a connection from")).isBetween(1L, 4L);
        assertThat(log.text()).contains("the most this node allows (maxPendingHandshakes)");
        // The budget is spent: even a genuine node cannot start a handshake now.
        assertThat(outcome(good.request("server", server.address(), utf8("full")), Delivery.NotSent.class).reason())
                .contains("peer server");

        closeFlood();
        await().atMost(WAIT).untilAsserted(() -> assertThat(server.pendingHandshakes()).isZero());
        await().atMost(WAIT).untilAsserted(() -> assertThat(reply(good.request("server", server.address(), utf8("after"))))
                .isEqualTo("server: after"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(Resources.fileDescriptors()).isLessThanOrEqualTo(fdsBefore + 4));
    }
}
