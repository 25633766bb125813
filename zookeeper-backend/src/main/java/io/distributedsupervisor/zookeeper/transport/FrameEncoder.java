package io.distributedsupervisor.zookeeper.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

/**
 * Framing, outbound: length prefix, type, request id, then the payload, as one buffer per frame,
 * or per {@link Frame.Batch} of small frames. A small payload is copied next to its header (one
 * small buffer is cheaper to write than two); a large one is wrapped, not copied. A plain
 * outbound handler rather than a MessageToMessageEncoder: no output list per write.
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
        } else if (msg instanceof Frame.Batch batch) {
            ByteBuf out = ctx.alloc().ioBuffer(batch.wireBytes());
            for (Frame frame : batch.frames()) {
                out.writeInt(Frame.HEADER_BYTES + frame.payload().length);
                out.writeByte(frame.type());
                out.writeLong(frame.requestId());
                out.writeBytes(frame.payload());
            }
            ctx.write(out, promise);
        } else {
            ctx.write(msg, promise);
        }
    }

    static ByteBuf encode(ByteBufAllocator alloc, Frame frame) {
        byte[] payload = frame.payload();
        boolean copy = payload.length <= COPY_LIMIT;
        ByteBuf header = alloc.ioBuffer(4 + Frame.HEADER_BYTES + (copy ? payload.length : 0));
        header.writeInt(Frame.HEADER_BYTES + payload.length);
        header.writeByte(frame.type());
        header.writeLong(frame.requestId());
        if (copy) {
            return header.writeBytes(payload);
        }
        return Unpooled.wrappedBuffer(header, Unpooled.wrappedBuffer(payload));
    }
}
