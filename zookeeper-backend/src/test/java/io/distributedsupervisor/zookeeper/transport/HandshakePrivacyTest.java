package io.distributedsupervisor.zookeeper.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.distributedsupervisor.spi.Delivery;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a peer without the secret learns from the handshake: the protocol version, whether the
 * node runs in open mode, and "authentication failed"; never a node or cluster name, whether it
 * scans the node's port or a node dials it.
 */
class HandshakePrivacyTest extends TransportTestSupport {
    private static final String NODE = "zeta-node-7";
    private static final String CLIENT = "client-alpha";
    private static final String CLUSTER = "orion-cluster";
    private static final SecureRandom RANDOM = new SecureRandom();

    private NodeTransport server;

    @BeforeEach
    void startNode() {
        server = start(NODE, echo(NODE), c -> c.clusterName(CLUSTER).handshakeTimeout(Duration.ofMillis(500)));
    }

    private Socket scanner() throws IOException {
        Socket socket = closeAfter(new Socket(InetAddress.getLoopbackAddress(), port(server)));
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static byte[] frame(byte type, byte[] payload) {
        return ByteBuffer.allocate(4 + Frame.HEADER_BYTES + payload.length).putInt(Frame.HEADER_BYTES + payload.length)
                .put(type).putLong(0).put(payload).array();
    }

    private static byte[] opening(int version, boolean open) {
        byte[] payload = new byte[2 + HandshakeProtocol.NONCE_BYTES];
        RANDOM.nextBytes(payload);
        payload[0] = (byte) version;
        payload[1] = (byte) (open ? 1 : 0);
        return payload;
    }

    /** Everything the other side sends until it closes. */
    private static byte[] readToEnd(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        try {
            for (int n; (n = in.read(buffer)) != -1; ) {
                all.write(buffer, 0, n);
            }
        } catch (SocketException reset) {
            // Closed too.
        }
        return all.toByteArray();
    }

    private static void assertNamesNothing(byte[] received) {
        String text = new String(received, StandardCharsets.ISO_8859_1).toLowerCase();
        assertThat(text).doesNotContain(NODE).doesNotContain(CLIENT).doesNotContain(CLUSTER)
                .doesNotContain("zeta").doesNotContain("orion").doesNotContain("alpha");
    }

    /** A frame's type and payload from {@code in}. */
    private static Frame read(DataInputStream in) throws IOException {
        int length = in.readInt();
        byte type = in.readByte();
        long id = in.readLong();
        byte[] payload = new byte[length - Frame.HEADER_BYTES];
        in.readFully(payload);
        return new Frame(type, id, payload);
    }

    @Test
    void a_scanner_with_a_well_formed_hello_and_a_guessed_proof_learns_nothing_but_authentication_failed() throws Exception {
        Socket socket = scanner();
        socket.getOutputStream().write(frame(Frame.HELLO, opening(HandshakeProtocol.VERSION, false)));
        DataInputStream in = new DataInputStream(socket.getInputStream());
        Frame challenge = read(in);
        assertThat(challenge.type()).isEqualTo(Frame.CHALLENGE);
        assertThat(challenge.payload()).hasSize(2 + HandshakeProtocol.NONCE_BYTES); // version, flags, nonce: no more
        byte[] guess = new byte[HandshakeProtocol.PROOF_BYTES];
        RANDOM.nextBytes(guess);
        socket.getOutputStream().write(frame(Frame.PROOF, guess));

        byte[] rest = readToEnd(in);
        Frame closing = read(new DataInputStream(new java.io.ByteArrayInputStream(rest)));
        assertThat(closing.type()).isEqualTo(Frame.CLOSING);
        assertThat(new DataInputStream(new java.io.ByteArrayInputStream(closing.payload())).skipBytes(1)).isEqualTo(1);
        assertThat(new String(closing.payload(), StandardCharsets.UTF_8)).endsWith("authentication failed");
        assertThat(closing.wireBytes()).as("nothing after the CLOSING").isEqualTo(rest.length);
        assertNamesNothing(challenge.payload());
        assertNamesNothing(rest);
    }

    @Test
    void other_probes_learn_nothing_either() throws Exception {
        byte[][] probes = {
            frame(Frame.HELLO, opening(1, false)),                   // another version
            frame(Frame.HELLO, opening(HandshakeProtocol.VERSION, true)), // open mode
            frame(Frame.HELLO, new byte[7]),                         // malformed
            frame(Frame.REQUEST, utf8("who are you?")),              // no handshake at all
            frame(Frame.IDENTITY, HandshakeProtocol.identity("nosy")), // names before proofs
            "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
            new byte[0],                                             // silence until the timeout
        };
        for (byte[] probe : probes) {
            Socket socket = scanner();
            socket.getOutputStream().write(probe);
            byte[] received = readToEnd(socket.getInputStream());
            assertNamesNothing(received);
            String text = new String(received, StandardCharsets.UTF_8);
            if (text.contains("failed")) {
                assertThat(text).endsWith("authentication failed");
            }
        }
        // And the node serves on.
        NodeTransport peer = start(CLIENT, echo(CLIENT), c -> c.clusterName(CLUSTER));
        assertThat(reply(peer.request(NODE, server.address(), utf8("hi")))).isEqualTo(NODE + ": hi");
    }

    @Test
    void a_node_dialling_a_server_without_the_secret_reveals_no_name() throws Exception {
        NodeTransport client = start(CLIENT, echo(CLIENT), c -> c.clusterName(CLUSTER));
        ServerSocket fake = closeAfter(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));

        CompletableFuture<Delivery> call = client.request(NODE, "127.0.0.1:" + fake.getLocalPort(), utf8("secret business"));
        Socket accepted = closeAfter(fake.accept());
        accepted.setSoTimeout(10_000);
        DataInputStream in = new DataInputStream(accepted.getInputStream());
        DataOutputStream out = new DataOutputStream(accepted.getOutputStream());
        Frame hello = read(in);
        assertThat(hello.type()).isEqualTo(Frame.HELLO);
        out.write(frame(Frame.CHALLENGE, opening(HandshakeProtocol.VERSION, false)));
        Frame proof = read(in);
        assertThat(proof.type()).isEqualTo(Frame.PROOF);
        byte[] forged = new byte[HandshakeProtocol.PROOF_BYTES];
        RANDOM.nextBytes(forged);
        out.write(frame(Frame.PROOF, forged));
        byte[] rest = readToEnd(in);

        assertThat(outcome(call, Delivery.NotSent.class).reason()).contains("peer " + NODE)
                .contains("the peer's proof does not match");
        assertNamesNothing(hello.payload());
        assertNamesNothing(proof.payload());
        assertNamesNothing(rest);
        assertThat(new String(rest, StandardCharsets.UTF_8)).endsWith("authentication failed");
    }
}
