package io.distributedsupervisor.zookeeper.transport;

import io.netty.channel.ChannelHandlerContext;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * The answering side of the handshake (see {@link HandshakeHandler}): proves itself only to a
 * client that proved itself, and names itself only to a client that its {@link PeerCheck}
 * accepts.
 */
final class ServerHandshake extends HandshakeHandler {
    /** How often the peer check is asked again while the peer's membership may still be on its way. */
    private static final long RECHECK_MILLIS = 20;

    private enum Step { AWAIT_HELLO, AWAIT_PROOF, AWAIT_IDENTITY, CHECKING_PEER }

    private Step step = Step.AWAIT_HELLO;
    private HandshakeProtocol.SessionKeys keys;
    private String claimed;

    /** {@code succeeded} releases the connection's place in the {@link HandshakeBudget}. */
    ServerHandshake(Identity self, Connection connection, Runnable succeeded) {
        super(self, connection, succeeded);
    }

    @Override
    void start(ChannelHandlerContext ctx) {
        // The client speaks first.
    }

    @Override
    void read(ChannelHandlerContext ctx, Frame frame) throws IOException {
        if (step == Step.AWAIT_HELLO && frame.type() == Frame.HELLO) {
            HandshakeProtocol.Opening hello = HandshakeProtocol.Opening.decode(frame.payload());
            byte[] challenge = HandshakeProtocol.Opening.fresh(self.openMode(), self.random()).encode();
            // Answered even when it will be refused: the client can then tell its user which
            // version or mode this node runs, and a scanner learns no more than that.
            ctx.writeAndFlush(new Frame(Frame.CHALLENGE, 0, challenge));
            if (hello.version() != HandshakeProtocol.VERSION) {
                fail(ctx, "the peer speaks protocol version " + hello.version() + ", this node " + HandshakeProtocol.VERSION);
            } else if (hello.openMode() != self.openMode()) {
                fail(ctx, hello.openMode() ? "the peer runs in open mode, this node requires the cluster secret"
                        : "this node runs in open mode, the peer requires the cluster secret");
            } else if (self.openMode()) {
                peerProved();
                step = Step.AWAIT_IDENTITY;
            } else {
                keys = HandshakeProtocol.keys(self.handshakeKey(), frame.payload(), challenge);
                step = Step.AWAIT_PROOF;
            }
        } else if (step == Step.AWAIT_PROOF && frame.type() == Frame.PROOF) {
            if (!HandshakeProtocol.proofMatches(frame.payload(), keys.clientProof())) {
                fail(ctx, "authentication failed: the peer's proof does not match this node's cluster secret and cluster name");
                return;
            }
            peerProved();
            ctx.writeAndFlush(new Frame(Frame.PROOF, 0, keys.serverProof()));
            startTags(ctx, keys.serverToClient(), keys.clientToServer());
            step = Step.AWAIT_IDENTITY;
        } else if (step == Step.AWAIT_IDENTITY && frame.type() == Frame.IDENTITY) {
            claimed = HandshakeProtocol.identity(frame.payload());
            if (claimed.equals(self.node())) {
                fail(ctx, "the peer names itself '" + claimed + "', which is this node's own name");
                return;
            }
            step = Step.CHECKING_PEER;
            admit(ctx, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(self.timeoutMillis() / 2));
        } else {
            unexpected(ctx, frame);
        }
    }

    /** Names this node to the peer once the check accepts it; asks again until {@code deadline}, then refuses. */
    private void admit(ChannelHandlerContext ctx, long deadline) {
        if (finished() || !ctx.channel().isActive()) {
            return;
        }
        if (self.peers().accepts(claimed)) {
            ctx.writeAndFlush(new Frame(Frame.IDENTITY, 0, HandshakeProtocol.identity(self.node())));
            done(ctx, claimed);
        } else if (System.nanoTime() - deadline >= 0) {
            fail(ctx, "node '" + claimed + "' is not a verified member of this node's cluster");
        } else {
            ctx.executor().schedule(() -> admit(ctx, deadline), RECHECK_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    String expecting() {
        return step == Step.CHECKING_PEER ? "nothing (the peer is being checked)" : step.name().substring("AWAIT_".length());
    }

    @Override
    String peerDescription() {
        return connection.describe() + (claimed == null ? "" : " claiming to be node '" + claimed + "'");
    }
}
