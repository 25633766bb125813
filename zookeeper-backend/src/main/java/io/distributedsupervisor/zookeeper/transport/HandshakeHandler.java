package io.distributedsupervisor.zookeeper.transport;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handshake: a mutual challenge-response on the cluster secret. Until it completes, this
 * handler consumes every frame, so nothing else is decoded or dispatched; then it removes itself.
 *
 * <pre>
 *   dialer (client)                                  listener (server)
 *   HELLO     version, flags, cluster, own name, name it expects, nonce C  -&gt;
 *             &lt;-  CHALLENGE  version, flags, cluster, own name, nonce S
 *   PROOF     HMAC(secret, "client", cluster, names, C, S)                  -&gt;
 *             &lt;-  PROOF      HMAC(secret, "server", cluster, names, C, S)
 * </pre>
 *
 * The role in the MAC stops a proof being reflected back, fresh nonces on both sides stop
 * replays, and the server only proves itself to a client that proved itself first, so a port
 * scanner learns nothing keyed. In open mode both sides stop after the CHALLENGE (names are
 * still exchanged and checked). Any failure sends a CLOSING frame with the reason and closes.
 */
final class HandshakeHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(HandshakeHandler.class);
    private static final byte VERSION = 1;
    private static final byte FLAG_OPEN = 1;
    private static final int NONCE_BYTES = 32;
    private static final String MAC_ALGORITHM = "HmacSHA256";

    /** What both roles need to know about this node. */
    record Identity(String node, String cluster, byte[] secret, boolean openMode, SecureRandom random, long timeoutMillis) {
    }

    private enum Step { AWAIT_HELLO, AWAIT_CHALLENGE, AWAIT_PROOF, DONE, FAILED }

    private final Identity self;
    private final Connection connection;
    private final boolean client;
    private Step step;
    private byte[] ownNonce;
    private byte[] peerNonce;
    private String peerNode;
    private ScheduledFuture<?> timeout;

    private HandshakeHandler(Identity self, Connection connection, boolean client) {
        this.self = self;
        this.connection = connection;
        this.client = client;
        this.step = client ? Step.AWAIT_CHALLENGE : Step.AWAIT_HELLO;
    }

    static HandshakeHandler client(Identity self, Connection connection) {
        return new HandshakeHandler(self, connection, true);
    }

    static HandshakeHandler server(Identity self, Connection connection) {
        return new HandshakeHandler(self, connection, false);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        timeout = ctx.executor().schedule(() -> {
            if (step != Step.DONE && step != Step.FAILED) {
                fail(ctx, Frame.CLOSING_PROTOCOL, "the handshake did not complete within " + self.timeoutMillis() + " ms");
            }
        }, self.timeoutMillis(), TimeUnit.MILLISECONDS);
        if (client) {
            ownNonce = nonce();
            ctx.writeAndFlush(new Frame(Frame.HELLO, 0, hello()));
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Frame frame = (Frame) msg;
        if (step == Step.FAILED) {
            return;
        }
        try {
            if (frame.type() == Frame.CLOSING) {
                peerClosing(ctx, frame);
            } else if (client) {
                clientRead(ctx, frame);
            } else {
                serverRead(ctx, frame);
            }
        } catch (IOException e) {
            fail(ctx, Frame.CLOSING_PROTOCOL, "malformed " + Frame.typeName(frame.type()) + " frame in the handshake");
        }
    }

    private void serverRead(ChannelHandlerContext ctx, Frame frame) throws IOException {
        if (step == Step.AWAIT_HELLO && frame.type() == Frame.HELLO) {
            DataInputStream in = in(frame);
            byte version = in.readByte();
            boolean peerOpen = (in.readByte() & FLAG_OPEN) != 0;
            String cluster = in.readUTF();
            String from = in.readUTF();
            String expected = in.readUTF();
            peerNonce = readNonce(in);
            end(in);
            peerNode = from;
            String refusal = version != VERSION ? "unsupported protocol version " + version + " (this node speaks " + VERSION + ")"
                    : !cluster.equals(self.cluster()) ? "cluster '" + cluster + "' does not match this node's cluster '" + self.cluster() + "'"
                    : !expected.equals(self.node()) ? "this is node '" + self.node() + "', not '" + expected + "'"
                    : peerOpen != self.openMode() ? openModeMismatch(peerOpen)
                    : null;
            if (refusal != null) {
                fail(ctx, Frame.CLOSING_PROTOCOL, refusal);
                return;
            }
            ownNonce = nonce();
            ctx.writeAndFlush(new Frame(Frame.CHALLENGE, 0, challenge()));
            if (self.openMode()) {
                done(ctx);
            } else {
                step = Step.AWAIT_PROOF;
            }
        } else if (step == Step.AWAIT_PROOF && frame.type() == Frame.PROOF) {
            byte[] proof = readProof(frame);
            if (!MessageDigest.isEqual(proof, mac("client", peerNode, self.node(), peerNonce, ownNonce))) {
                fail(ctx, Frame.CLOSING_AUTHENTICATION, "authentication failed: the proof of node '" + peerNode
                        + "' does not match the cluster secret of node '" + self.node() + "'");
                return;
            }
            ctx.writeAndFlush(new Frame(Frame.PROOF, 0, mac("server", peerNode, self.node(), peerNonce, ownNonce)));
            done(ctx);
        } else {
            unexpected(ctx, frame);
        }
    }

    private void clientRead(ChannelHandlerContext ctx, Frame frame) throws IOException {
        if (step == Step.AWAIT_CHALLENGE && frame.type() == Frame.CHALLENGE) {
            DataInputStream in = in(frame);
            byte version = in.readByte();
            boolean peerOpen = (in.readByte() & FLAG_OPEN) != 0;
            String cluster = in.readUTF();
            String server = in.readUTF();
            peerNonce = readNonce(in);
            end(in);
            String expected = connection.peerNode();
            String refusal = version != VERSION ? "unsupported protocol version " + version + " (this node speaks " + VERSION + ")"
                    : !cluster.equals(self.cluster()) ? "cluster '" + cluster + "' does not match this node's cluster '" + self.cluster() + "'"
                    : !server.equals(expected) ? "the node at that address is '" + server + "', not '" + expected + "'"
                    : peerOpen != self.openMode() ? openModeMismatch(peerOpen)
                    : null;
            if (refusal != null) {
                fail(ctx, Frame.CLOSING_PROTOCOL, refusal);
                return;
            }
            peerNode = server;
            if (self.openMode()) {
                done(ctx);
                return;
            }
            ctx.writeAndFlush(new Frame(Frame.PROOF, 0, mac("client", self.node(), peerNode, ownNonce, peerNonce)));
            step = Step.AWAIT_PROOF;
        } else if (step == Step.AWAIT_PROOF && frame.type() == Frame.PROOF) {
            byte[] proof = readProof(frame);
            if (!MessageDigest.isEqual(proof, mac("server", self.node(), peerNode, ownNonce, peerNonce))) {
                fail(ctx, Frame.CLOSING_AUTHENTICATION, "authentication failed: the proof of node '" + peerNode
                        + "' does not match our cluster secret");
                return;
            }
            done(ctx);
        } else {
            unexpected(ctx, frame);
        }
    }

    private String openModeMismatch(boolean peerOpen) {
        return peerOpen ? "the peer runs in open mode, this node requires the cluster secret"
                : "this node runs in open mode, the peer requires the cluster secret";
    }

    private void unexpected(ChannelHandlerContext ctx, Frame frame) {
        fail(ctx, Frame.CLOSING_PROTOCOL, "protocol violation: " + Frame.typeName(frame.type())
                + " frame while the handshake expects " + (step == Step.AWAIT_HELLO ? "HELLO" : step == Step.AWAIT_CHALLENGE ? "CHALLENGE" : "PROOF"));
    }

    /** The peer refused us and says why. */
    private void peerClosing(ChannelHandlerContext ctx, Frame frame) throws IOException {
        DataInputStream in = in(frame);
        byte reason = in.readByte();
        String text = in.readUTF();
        String message = reason == Frame.CLOSING_AUTHENTICATION
                ? "authentication failed with " + peerDescription() + ": the peer says: " + text
                : "handshake refused by " + peerDescription() + ": " + text;
        step = Step.FAILED;
        LOG.warn("{}", message);
        connection.attemptFailed(message);
        ctx.close();
    }

    private void fail(ChannelHandlerContext ctx, byte reason, String why) {
        step = Step.FAILED;
        String message = (reason == Frame.CLOSING_AUTHENTICATION && client ? "authentication failed with " + peerDescription()
                : "handshake with " + peerDescription() + " failed") + ": " + why;
        LOG.warn("{}; closing it", message);
        connection.attemptFailed(message);
        ctx.writeAndFlush(Frame.closing(reason, why)).addListener(ChannelFutureListener.CLOSE);
    }

    private String peerDescription() {
        if (client) {
            return "peer " + connection.peerNode() + " at " + connection.peer().address();
        }
        return connection.describe() + (peerNode == null ? "" : " claiming to be node '" + peerNode + "'");
    }

    private void done(ChannelHandlerContext ctx) {
        step = Step.DONE;
        if (timeout != null) {
            timeout.cancel(false);
        }
        ctx.pipeline().get(FrameDecoder.class).authenticated();
        ctx.pipeline().remove(this);
        LOG.debug("{}: handshake with node {} complete", connection.describe(), peerNode);
        connection.ready(peerNode);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (timeout != null) {
            timeout.cancel(false);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (timeout != null) {
            timeout.cancel(false);
        }
    }

    private byte[] hello() {
        return write(out -> {
            out.writeByte(VERSION);
            out.writeByte(self.openMode() ? FLAG_OPEN : 0);
            out.writeUTF(self.cluster());
            out.writeUTF(self.node());
            out.writeUTF(connection.peerNode());
            out.write(ownNonce);
        });
    }

    private byte[] challenge() {
        return write(out -> {
            out.writeByte(VERSION);
            out.writeByte(self.openMode() ? FLAG_OPEN : 0);
            out.writeUTF(self.cluster());
            out.writeUTF(self.node());
            out.write(ownNonce);
        });
    }

    /** HMAC-SHA256 over everything both sides agreed on, with the prover's role. */
    private byte[] mac(String role, String clientNode, String serverNode, byte[] clientNonce, byte[] serverNonce) {
        byte[] input = write(out -> {
            out.writeUTF("distributed-supervisor-transport-handshake-v" + VERSION);
            out.writeUTF(role);
            out.writeUTF(self.cluster());
            out.writeUTF(clientNode);
            out.writeUTF(serverNode);
            out.write(clientNonce);
            out.write(serverNonce);
        });
        try {
            Mac mac = Mac.getInstance(MAC_ALGORITHM);
            mac.init(new SecretKeySpec(self.secret(), MAC_ALGORITHM));
            return mac.doFinal(input);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(MAC_ALGORITHM + " is not available in this JVM", e);
        }
    }

    private byte[] nonce() {
        byte[] nonce = new byte[NONCE_BYTES];
        self.random().nextBytes(nonce);
        return nonce;
    }

    private static byte[] readProof(Frame frame) throws IOException {
        if (frame.payload().length != 32) {
            throw new IOException("proof of " + frame.payload().length + " bytes");
        }
        return frame.payload();
    }

    private static byte[] readNonce(DataInputStream in) throws IOException {
        byte[] nonce = new byte[NONCE_BYTES];
        in.readFully(nonce);
        return nonce;
    }

    private static DataInputStream in(Frame frame) {
        return new DataInputStream(new ByteArrayInputStream(frame.payload()));
    }

    private static void end(DataInputStream in) throws IOException {
        if (in.read() != -1) {
            throw new IOException("trailing bytes");
        }
    }

    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private static byte[] write(Writer writer) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
            writer.write(new DataOutputStream(bytes));
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
