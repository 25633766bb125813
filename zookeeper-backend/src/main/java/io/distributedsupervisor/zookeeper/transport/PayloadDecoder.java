package io.distributedsupervisor.zookeeper.transport;

import io.distributedsupervisor.zookeeper.MessageCodec;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The codec step, inbound: turns the payloads of authenticated frames into messages. A payload
 * the codec refuses does not break the connection: it becomes an {@link Inbound.Undecodable},
 * which the dispatcher answers (a request) or reports (a one-way message or a reply).
 */
final class PayloadDecoder extends MessageToMessageDecoder<Frame> {
    private final MessageCodec codec;

    PayloadDecoder(MessageCodec codec) {
        super(Frame.class);
        this.codec = codec;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, Frame frame, List<Object> out) throws IOException {
        switch (frame.type()) {
            case Frame.REQUEST, Frame.ONE_WAY, Frame.REPLY -> out.add(decodePayload(frame));
            case Frame.REPLY_FAILURE -> out.add(new Inbound.ReplyFailure(frame.requestId(),
                    new String(frame.payload(), StandardCharsets.UTF_8)));
            case Frame.CLOSING -> {
                DataInputStream in = new DataInputStream(new ByteArrayInputStream(frame.payload()));
                out.add(new Inbound.Closing(in.readByte(), in.readUTF()));
            }
            default -> throw new FrameDecoder.BadFrameException("protocol violation: " + Frame.typeName(frame.type())
                    + " frame after the handshake");
        }
    }

    private Inbound decodePayload(Frame frame) {
        Object message;
        try {
            message = codec.decode(frame.payload());
        } catch (Exception e) {
            // A refused class or a broken payload: only this message is lost, the framing is intact.
            return new Inbound.Undecodable(frame.type(), frame.requestId(), e);
        }
        return switch (frame.type()) {
            case Frame.REQUEST -> new Inbound.Request(frame.requestId(), message);
            case Frame.ONE_WAY -> new Inbound.OneWay(message);
            default -> new Inbound.Reply(frame.requestId(), message);
        };
    }
}
