package io.distributedsupervisor.zookeeper.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

/**
 * Framing, outbound: length prefix, type, request id, the payload, then the tag if the frame has
 * one, as one buffer per frame (small frames go as one {@link Frame#BATCH}). A small payload is
 * copied next to its header (one small buffer is cheaper to write than two); a large one is
 * wrapped, not copied. A plain outbound handler rather than a MessageToMessageEncoder: no output
 * list per write.
 */
@ChannelHandler.Sharable
final class FrameEncoder extends ChannelOutboundHandlerAdapter {
    static final FrameEncoder INSTANCE = new FrameEncoder();
    /** Up to this many payload bytes are copied into the header's buffer (and may go in a batch). */
    static final int COPY_LIMIT = 2048;

    private FrameEncoder() {
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof Frame frame) {
            ctx.write(encode(ctx.alloc(), frame), promise);
        } else {
            ctx.write(msg, promise);
        }
    }

    static ByteBuf encode(ByteBufAllocator alloc, Frame frame) {
        byte[] payload = frame.payload();
        byte[] tag = frame.tag();
        int tagBytes = tag == null ? 0 : tag.length;
        boolean copy = payload.length <= COPY_LIMIT;
        ByteBuf header = alloc.ioBuffer(4 + Frame.HEADER_BYTES + (copy ? payload.length + tagBytes : 0));
        header.writeInt(Frame.HEADER_BYTES + payload.length + tagBytes);
        header.writeByte(frame.type());
        header.writeLong(frame.requestId());
        if (copy) {
            header.writeBytes(payload);
            return tag == null ? header : header.writeBytes(tag);
        }
        return tag == null ? Unpooled.wrappedBuffer(header, Unpooled.wrappedBuffer(payload))
                : Unpooled.wrappedBuffer(header, Unpooled.wrappedBuffer(payload), Unpooled.wrappedBuffer(tag));
    }
}
