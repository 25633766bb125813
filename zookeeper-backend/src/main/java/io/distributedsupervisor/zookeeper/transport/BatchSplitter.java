package io.distributedsupervisor.zookeeper.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.ByteBuffer;

/**
 * Splits each {@link Frame#BATCH}, once the {@link FrameAuthenticator} verified it, into its
 * frames, passed on one by one in order. A batch that does not hold exactly its count of
 * well-formed REQUEST, REPLY, REPLY_FAILURE, ONE_WAY or REPLY_NOT_TAKEN frames breaks the
 * protocol and closes the connection (nothing of it is passed on: it is checked whole first).
 * Other frames pass unchanged.
 */
final class BatchSplitter extends ChannelInboundHandlerAdapter {

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Frame batch) || batch.type() != Frame.BATCH) {
            ctx.fireChannelRead(msg);
            return;
        }
        Frame[] frames = split(batch);
        for (Frame frame : frames) {
            ctx.fireChannelRead(frame);
        }
    }

    private static Frame[] split(Frame batch) {
        long count = batch.requestId();
        ByteBuffer in = ByteBuffer.wrap(batch.payload());
        // Each frame takes at least its prefix and header: a count beyond that is a lie.
        if (count < 1 || count > in.remaining() / (4 + Frame.HEADER_BYTES)) {
            throw malformed("a count of " + count + " frames in " + in.remaining() + " bytes");
        }
        Frame[] frames = new Frame[(int) count];
        for (int i = 0; i < frames.length; i++) {
            if (in.remaining() < 4 + Frame.HEADER_BYTES) {
                throw malformed("frame " + i + " is cut off");
            }
            int length = in.getInt();
            if (length < Frame.HEADER_BYTES || length > in.remaining()) {
                throw malformed("frame " + i + " has a length of " + Integer.toUnsignedString(length) + " with "
                        + in.remaining() + " bytes left");
            }
            byte type = in.get();
            if ((type < Frame.REQUEST || type > Frame.ONE_WAY) && type != Frame.REPLY_NOT_TAKEN) {
                throw malformed("frame " + i + " is of " + Frame.typeName(type));
            }
            long requestId = in.getLong();
            byte[] payload = new byte[length - Frame.HEADER_BYTES];
            in.get(payload);
            frames[i] = new Frame(type, requestId, payload);
        }
        if (in.hasRemaining()) {
            throw malformed(in.remaining() + " bytes after its last frame");
        }
        return frames;
    }

    private static FrameDecoder.BadFrameException malformed(String what) {
        return new FrameDecoder.BadFrameException("protocol violation: malformed BATCH frame: " + what);
    }
}
