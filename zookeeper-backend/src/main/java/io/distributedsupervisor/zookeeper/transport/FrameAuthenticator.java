package io.distributedsupervisor.zookeeper.transport;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * Frame authentication: once the handshake has proved the cluster secret and derived the
 * connection's keys, every frame that leaves gets its tag and every frame that arrives must carry
 * the right one ({@link FrameMac}). A frame whose tag is wrong is not passed on, nor is anything
 * after it: the connection is closed ({@link ForgedFrameException}, which the
 * {@link ConnectionGuard} logs). Each direction starts at a frame boundary the handshake chooses,
 * on the event loop: {@link #sealFromNow} before the first frame written with a tag,
 * {@link #verifyFromNow} while the last frame without one is being read. Until then (and in open
 * mode, always) frames pass unchanged.
 */
final class FrameAuthenticator extends ChannelDuplexHandler {
    private FrameMac outbound;
    private FrameMac inbound;
    private boolean failed;

    /** Every frame written from now on gets a tag under {@code mac}. */
    void sealFromNow(FrameMac mac) {
        outbound = mac;
    }

    /** Every frame read from now on must carry a tag under {@code mac}. */
    void verifyFromNow(FrameMac mac) {
        inbound = mac;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (failed) {
            return; // the connection is closing: nothing after a forged frame counts
        }
        FrameMac mac = inbound;
        if (mac != null && msg instanceof Frame frame && !mac.verify(frame)) {
            failed = true;
            throw new ForgedFrameException(frame, mac.sequence() - 1);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        FrameMac mac = outbound;
        if (mac == null) {
            ctx.write(msg, promise);
        } else if (msg instanceof Frame frame) {
            ctx.write(frame.sealed(mac.tag(frame)), promise);
        } else {
            ctx.write(msg, promise);
        }
    }

    /** A frame whose tag does not verify: injected, replayed, reordered, reflected, or one before it dropped. */
    static final class ForgedFrameException extends FrameDecoder.BadFrameException {
        private static final long serialVersionUID = 1L;

        ForgedFrameException(Frame frame, long sequence) {
            super("frame " + sequence + " of the connection (" + Frame.typeName(frame.type()) + ", " + frame.payload().length
                    + " bytes) failed authentication: its tag does not match (a frame injected, replayed, reordered or "
                    + "reflected on the way, or one before it dropped); nothing of it was dispatched");
        }
    }
}
