package io.distributedsupervisor.zookeeper.transport;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handshake: a mutual challenge-response on the cluster secret, then the names, authenticated.
 * Until it completes, this handler consumes every frame, so nothing else is dispatched; then it
 * removes itself. {@link ClientHandshake} dials, {@link ServerHandshake} answers:
 *
 * <pre>
 *   client                                          server
 *   HELLO     version, flags, nonce C          -&gt;
 *                                              &lt;-   CHALLENGE  version, flags, nonce S
 *   PROOF     clientProof                      -&gt;
 *                                              &lt;-   PROOF      serverProof
 *   --- from here on every frame, both ways, carries a tag ({@link FrameMac}) ---
 *   IDENTITY  client's node name               -&gt;
 *                                              &lt;-   IDENTITY   server's node name
 * </pre>
 *
 * Proofs and keys are {@link HandshakeProtocol}'s. Nothing before the proofs names a node or the
 * cluster: a scanner, or a peer without the secret, learns only the protocol version and whether
 * the node runs in open mode, and every refusal tells it only that authentication failed. The
 * server proves itself only to a client that proved itself first, so no one without the secret
 * gets a keyed answer to a nonce of its choice. The names travel once both sides are
 * authenticated: the client checks that the server is the node it dialled; the server, that the
 * client is a node its {@link PeerCheck} accepts (not itself). In open mode there are no proofs
 * and no tags: the openings are followed by the names, in the clear. Any failure sends a CLOSING
 * frame (with the reason only to a peer that proved the secret) and closes; the log says why, at
 * most once a minute per peer address ({@link PeerLog}).
 */
abstract class HandshakeHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(HandshakeHandler.class);
    /** What an unauthenticated peer is told, whatever went wrong. */
    static final String AUTHENTICATION_FAILED = "authentication failed";

    /**
     * What both roles need to know about this node.
     *
     * @param handshakeKey the key derived for {@link ClusterKeys#HANDSHAKE}; null in open mode
     */
    record Identity(String node, byte[] handshakeKey, boolean openMode, SecureRandom random, long timeoutMillis,
                    PeerCheck peers, PeerLog log) {
    }

    final Identity self;
    final Connection connection;
    /** Run once the handshake succeeded: gives back the connection's place in the {@link HandshakeBudget}. */
    private final Runnable succeeded;
    /** Whether the peer proved the secret (or, in open mode, agreed to open mode): refusals may then say why. */
    boolean peerProved;
    private boolean finished;
    private ScheduledFuture<?> timeout;

    HandshakeHandler(Identity self, Connection connection, Runnable succeeded) {
        this.self = self;
        this.connection = connection;
        this.succeeded = succeeded;
    }

    /** Sends the first frame, if this side speaks first. */
    abstract void start(ChannelHandlerContext ctx);

    /** Handles a handshake frame other than CLOSING. */
    abstract void read(ChannelHandlerContext ctx, Frame frame) throws IOException;

    /** What this side waits for, in words (for a protocol violation's text). */
    abstract String expecting();

    /** Who is at the other end, in words. */
    abstract String peerDescription();

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        timeout = ctx.executor().schedule(() -> {
            if (!finished) {
                fail(ctx, "the handshake did not complete within " + self.timeoutMillis() + " ms");
            }
        }, self.timeoutMillis(), TimeUnit.MILLISECONDS);
        start(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Frame frame = (Frame) msg;
        if (finished) {
            return;
        }
        try {
            if (frame.type() == Frame.CLOSING) {
                peerClosing(ctx, frame);
            } else {
                read(ctx, frame);
            }
        } catch (IOException e) {
            fail(ctx, "malformed " + Frame.typeName(frame.type()) + " frame in the handshake (" + e.getMessage() + ")");
        }
    }

    boolean finished() {
        return finished;
    }

    /**
     * Both sides proved the secret: from the next frame on, each direction carries tags under its
     * key. Called on the event loop between two frames: after the last frame without a tag was
     * written and while the last one without a tag is being read.
     */
    void startTags(ChannelHandlerContext ctx, byte[] outboundKey, byte[] inboundKey) {
        ctx.pipeline().get(FrameDecoder.class).expectTags();
        FrameAuthenticator authenticator = ctx.pipeline().get(FrameAuthenticator.class);
        authenticator.verifyFromNow(new FrameMac(inboundKey));
        authenticator.sealFromNow(new FrameMac(outboundKey));
    }

    void peerProved() {
        peerProved = true;
        connection.peerProved();
    }

    void unexpected(ChannelHandlerContext ctx, Frame frame) {
        fail(ctx, "protocol violation: " + Frame.typeName(frame.type()) + " frame while the handshake expects " + expecting());
    }

    /** The peer refused us and says why. */
    private void peerClosing(ChannelHandlerContext ctx, Frame frame) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(frame.payload()));
        byte reason = in.readByte();
        String text = in.readUTF();
        String message = (reason == Frame.CLOSING_AUTHENTICATION ? "authentication failed with " : "handshake refused by ")
                + peerDescription() + ": the peer says: " + text;
        finished = true;
        self.log().warn(connection.remoteHost(), "failed handshakes", message);
        connection.attemptFailed(message);
        ctx.close();
    }

    /** Refuses the peer: tells it (why, if it proved the secret), logs why, closes. */
    void fail(ChannelHandlerContext ctx, String why) {
        finished = true;
        String message = "handshake with " + peerDescription() + " failed: " + why;
        self.log().warn(connection.remoteHost(), "failed handshakes", message + "; closing it");
        connection.attemptFailed(message);
        Frame closing = peerProved ? Frame.closing(Frame.CLOSING_PROTOCOL, why)
                : Frame.closing(Frame.CLOSING_AUTHENTICATION, AUTHENTICATION_FAILED);
        ctx.writeAndFlush(closing).addListener(ChannelFutureListener.CLOSE);
    }

    /** The peer is {@code peerNode}: the connection is ready, and this handler leaves the pipeline. */
    void done(ChannelHandlerContext ctx, String peerNode) {
        finished = true;
        cancelTimeout();
        succeeded.run();
        ctx.pipeline().get(FrameDecoder.class).handshakeDone();
        ctx.pipeline().remove(this);
        LOG.debug("{}: handshake with node {} complete", connection.describe(), peerNode);
        connection.ready(peerNode);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        finished = true;
        cancelTimeout();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelTimeout();
    }

    private void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
        }
    }
}
