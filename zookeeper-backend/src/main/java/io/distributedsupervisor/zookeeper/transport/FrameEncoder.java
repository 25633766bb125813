package io.distributedsupervisor.zookeeper.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;

/**
 * Framing, outbound: length prefix, type, request id, then the payload. A small payload is copied
 * next to its header (one buffer is cheaper to write than two); a large one is wrapped, not copied.
 */
@ChannelHandler.Sharable
final class FrameEncoder extends MessageToMessageEncoder<Frame> {
    static final FrameEncoder INSTANCE = new FrameEncoder();
    /** Up to this many payload bytes are copied into the header's buffer. */
    private static final int COPY_LIMIT = 2048;

    private FrameEncoder() {
        super(Frame.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Frame frame, List<Object> out) {
        byte[] payload = frame.payload();
        boolean copy = payload.length <= COPY_LIMIT;
        ByteBuf header = ctx.alloc().ioBuffer(4 + Frame.HEADER_BYTES + (copy ? payload.length : 0));
        header.writeInt(Frame.HEADER_BYTES + payload.length);
        header.writeByte(frame.type());
        header.writeLong(frame.requestId());
        if (copy) {
            header.writeBytes(payload);
            out.add(header);
        } else {
            out.add(header);
            out.add(Unpooled.wrappedBuffer(payload));
        }
    }
}
