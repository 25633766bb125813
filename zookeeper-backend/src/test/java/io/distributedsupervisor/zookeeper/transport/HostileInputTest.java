package io.distributedsupervisor.zookeeper.transport;

import io.distributedsupervisor.tck.LogCapture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Raw sockets (no Netty client) against a node's port: whatever they send, the node closes that
 * one connection, hands nothing to its handler, and keeps serving a good peer.
 */
class HostileInputTest extends TransportTestSupport {
    private Recorder atServer;
    private NodeTransport server;
    private NodeTransport goodPeer;
    private int requestsServed;

    @BeforeEach
    void startNodes() {
        atServer = echo("server");
        server = start("server", atServer, c -> c.handshakeTimeout(Duration.ofMillis(500)));
        goodPeer = start("good", echo("good"));
    }

    private Socket raw() throws IOException {
        Socket socket = closeAfter(new Socket(InetAddress.getLoopbackAddress(), port()));
        socket.setSoTimeout(10_000);
        return socket;
    }

    private int port() {
        return Integer.parseInt(server.address().substring(server.address().lastIndexOf(':') + 1));
    }

    private static byte[] frame(int type, long id, byte[] payload) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(9 + payload.length);
        out.writeByte(type);
        out.writeLong(id);
        out.write(payload);
        return bytes.toByteArray();
    }

    /** The server closes the socket (it may send a CLOSING frame first). */
    private static void assertClosedByServer(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[4096];
        try {
            while (in.read(buffer) != -1) {
                // Drain the CLOSING frame the server may send.
            }
        } catch (SocketTimeoutException e) {
            fail("the server did not close the connection");
        } catch (SocketException e) {
            // Reset by the server: closed too.
        }
    }

    private void assertStillServes() {
        requestsServed++;
        assertThat(reply(goodPeer.request("server", server.address(), utf8("still there? " + requestsServed))))
                .isEqualTo("server: still there? " + requestsServed);
    }

    @Test
    void garbage_bytes() throws Exception {
        Socket socket = raw();
        socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertClosedByServer(socket);
        assertStillServes();
    }

    @Test
    void a_length_prefix_larger_than_the_max_frame() throws Exception {
        LogCapture log = closeAfter(LogCapture.start());
        Socket socket = raw();
        new DataOutputStream(socket.getOutputStream()).writeInt(Integer.MAX_VALUE);
        assertClosedByServer(socket);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(log.text())
                .contains("frame of " + Integer.MAX_VALUE + " bytes exceeds the maximum of 4096 bytes allowed before the handshake"));
        assertStillServes();
    }

    @Test
    void negative_length_prefixes_read_as_lengths_of_2_GiB_and_more() throws Exception {
        LogCapture log = closeAfter(LogCapture.start());
        Socket minusOne = raw();
        new DataOutputStream(minusOne.getOutputStream()).writeInt(-1);
        assertClosedByServer(minusOne);
        // Another node: bad frames from one address are logged once a minute.
        NodeTransport other = start("other", echo("other"), c -> c.handshakeTimeout(Duration.ofMillis(500)));
        Socket twoGiB = closeAfter(new Socket(InetAddress.getLoopbackAddress(),
                Integer.parseInt(other.address().substring(other.address().lastIndexOf(':') + 1))));
        twoGiB.setSoTimeout(10_000);
        new DataOutputStream(twoGiB.getOutputStream()).writeInt(Integer.MIN_VALUE);
        assertClosedByServer(twoGiB);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(log.text())
                .contains("frame of 4294967295 bytes exceeds the maximum of 4096 bytes")
                .contains("frame of 2147483648 bytes exceeds the maximum of 4096 bytes"));
        assertStillServes();
    }

    @Test
    void a_frame_shorter_than_its_header_and_an_unknown_frame_type() throws Exception {
        Socket shortFrame = raw();
        new DataOutputStream(shortFrame.getOutputStream()).writeInt(3);
        assertClosedByServer(shortFrame);

        Socket unknownType = raw();
        unknownType.getOutputStream().write(frame(0x7f, 0, new byte[0]));
        assertClosedByServer(unknownType);
        assertStillServes();
    }

    @Test
    void a_truncated_frame_then_close() throws Exception {
        LogCapture log = closeAfter(LogCapture.start());
        Socket socket = raw();
        byte[] whole = frame(1, 0, new byte[100]);
        socket.getOutputStream().write(whole, 0, 40);
        socket.close();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(log.text())
                .contains("closed in the middle of a frame: 40 bytes of an incomplete frame discarded"));
        assertStillServes();
    }

    @Test
    void a_request_before_the_handshake_is_never_decoded_nor_dispatched() throws Exception {
        LogCapture log = closeAfter(LogCapture.start());
        Socket socket = raw();
        socket.getOutputStream().write(frame(16, 1, utf8("sneaky")));
        assertClosedByServer(socket);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(log.text())
                .contains("protocol violation: REQUEST frame while the handshake expects HELLO"));
        assertStillServes();
        assertThat(atServer.requests).containsExactly("still there? 1");
    }

    @Test
    void a_replayed_transcript_of_a_genuine_client_fails_authentication_and_is_never_dispatched() throws Exception {
        LogCapture log = closeAfter(LogCapture.start());
        RecordingRelay wiretap = closeAfter(new RecordingRelay(port()));
        NodeTransport genuine = start("genuine", echo("genuine"));
        assertThat(reply(genuine.request("server", wiretap.address(), utf8("recorded")))).isEqualTo("server: recorded");
        byte[] transcript = wiretap.fromClient(); // HELLO, PROOF, IDENTITY and the REQUEST

        Socket replay = raw();
        replay.getOutputStream().write(transcript);
        assertClosedByServer(replay);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(log.text())
                .contains("authentication failed: the peer's proof does not match this node's cluster secret and cluster name"));
        assertStillServes();
        assertThat(atServer.requests).containsExactly("recorded", "still there? 1");
    }

    @Test
    void a_connection_that_never_speaks_is_closed_after_the_handshake_timeout() throws Exception {
        Socket socket = raw();
        assertClosedByServer(socket);
        assertStillServes();
    }

    @Test
    void many_connections_opened_and_dropped_at_once() throws Exception {
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            Socket socket = new Socket(InetAddress.getLoopbackAddress(), port());
            if (i % 2 == 0) {
                try {
                    socket.getOutputStream().write(new byte[] {0, 0, 0, 12, 1});
                } catch (java.net.SocketException reset) {
                    // Beyond the 16 handshakes one address may hold, the server resets at once.
                }
            }
            sockets.add(socket);
        }
        for (Socket socket : sockets) {
            socket.close();
        }
        // The good peer dials from the same address, whose 16 places in the handshake the flood
        // may still hold until the server has seen the closes (ConnectionFloodTest has more).
        await().atMost(Duration.ofSeconds(10)).untilAsserted(this::assertStillServes);
        assertStillServes();
    }
}
