package io.distributedsupervisor.zookeeper.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;

/** Framing, outbound: length prefix, type, request id, then the payload without copying it. */
@ChannelHandler.Sharable
final class FrameEncoder extends MessageToMessageEncoder<Frame> {
    static final FrameEncoder INSTANCE = new FrameEncoder();

    private FrameEncoder() {
        super(Frame.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Frame frame, List<Object> out) {
        ByteBuf header = ctx.alloc().buffer(4 + Frame.HEADER_BYTES);
        header.writeInt(Frame.HEADER_BYTES + frame.payload().length);
        header.writeByte(frame.type());
        header.writeLong(frame.requestId());
        out.add(header);
        if (frame.payload().length > 0) {
            out.add(Unpooled.wrappedBuffer(frame.payload()));
        }
    }
}
