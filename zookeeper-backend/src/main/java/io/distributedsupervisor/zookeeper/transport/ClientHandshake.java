package io.distributedsupervisor.zookeeper.transport;

import io.netty.channel.ChannelHandlerContext;
import java.io.IOException;

/** The dialling side of the handshake (see {@link HandshakeHandler}): speaks first, names itself last. */
final class ClientHandshake extends HandshakeHandler {
    private enum Step { AWAIT_CHALLENGE, AWAIT_PROOF, AWAIT_IDENTITY }

    private Step step = Step.AWAIT_CHALLENGE;
    private byte[] hello;
    private HandshakeProtocol.SessionKeys keys;

    ClientHandshake(Identity self, Connection connection) {
        super(self, connection, () -> { });
    }

    @Override
    void start(ChannelHandlerContext ctx) {
        hello = HandshakeProtocol.Opening.fresh(self.openMode(), self.random()).encode();
        ctx.writeAndFlush(new Frame(Frame.HELLO, 0, hello));
    }

    @Override
    void read(ChannelHandlerContext ctx, Frame frame) throws IOException {
        if (step == Step.AWAIT_CHALLENGE && frame.type() == Frame.CHALLENGE) {
            HandshakeProtocol.Opening challenge = HandshakeProtocol.Opening.decode(frame.payload());
            if (challenge.version() != HandshakeProtocol.VERSION) {
                fail(ctx, "the peer speaks protocol version " + challenge.version() + ", this node "
                        + HandshakeProtocol.VERSION + " (the nodes of one cluster run one version)");
            } else if (challenge.openMode() != self.openMode()) {
                fail(ctx, challenge.openMode() ? "the peer runs in open mode, this node requires the cluster secret"
                        : "this node runs in open mode, the peer requires the cluster secret");
            } else if (self.openMode()) {
                peerProved();
                ctx.writeAndFlush(new Frame(Frame.IDENTITY, 0, HandshakeProtocol.identity(self.node())));
                step = Step.AWAIT_IDENTITY;
            } else {
                keys = HandshakeProtocol.keys(self.handshakeKey(), hello, frame.payload());
                ctx.writeAndFlush(new Frame(Frame.PROOF, 0, keys.clientProof()));
                step = Step.AWAIT_PROOF;
            }
        } else if (step == Step.AWAIT_PROOF && frame.type() == Frame.PROOF) {
            if (!HandshakeProtocol.proofMatches(frame.payload(), keys.serverProof())) {
                fail(ctx, "the peer's proof does not match this node's cluster secret and cluster name");
                return;
            }
            peerProved();
            startTags(ctx, keys.clientToServer(), keys.serverToClient());
            // Only now, to a peer that proved the secret, and authenticated: who this node is.
            ctx.writeAndFlush(new Frame(Frame.IDENTITY, 0, HandshakeProtocol.identity(self.node())));
            step = Step.AWAIT_IDENTITY;
        } else if (step == Step.AWAIT_IDENTITY && frame.type() == Frame.IDENTITY) {
            String server = HandshakeProtocol.identity(frame.payload());
            String expected = connection.peer().node();
            if (!server.equals(expected)) {
                fail(ctx, "the node at that address is '" + server + "', not '" + expected + "'");
                return;
            }
            done(ctx, server);
        } else {
            unexpected(ctx, frame);
        }
    }

    @Override
    String expecting() {
        return step.name().substring("AWAIT_".length());
    }

    @Override
    String peerDescription() {
        return "peer " + connection.peer().node() + " at " + connection.peer().address();
    }
}
