package io.distributedsupervisor.zookeeper.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Framing, inbound: splits the byte stream at the 4-byte length prefixes and parses each frame's
 * header. Until the handshake completes only small frames are accepted, so that a peer that has
 * not proved anything cannot make this node buffer megabytes. After the first bad frame, all
 * further input of the connection is discarded (the connection is being closed).
 */
final class FrameDecoder extends LengthFieldBasedFrameDecoder {
    private static final Logger LOG = LoggerFactory.getLogger(FrameDecoder.class);
    /** The largest frame before the handshake: names, nonces, proofs and a closing text fit easily. */
    static final int HANDSHAKE_MAX_FRAME_BYTES = 4096;

    private final Connection connection;
    private final int maxFrameBytes;
    private int limit = HANDSHAKE_MAX_FRAME_BYTES;
    private boolean failed;

    FrameDecoder(Connection connection, int maxFrameBytes) {
        super(maxFrameBytes + 4, 0, 4, 0, 4);
        this.connection = connection;
        this.maxFrameBytes = maxFrameBytes;
    }

    /** The handshake is done: frames up to the configured maximum are accepted from now on. */
    void authenticated() {
        limit = maxFrameBytes;
    }

    @Override
    protected Object decode(ChannelHandlerContext ctx, ByteBuf in) throws Exception {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return null;
        }
        if (in.readableBytes() >= 4) {
            long length = in.getUnsignedInt(in.readerIndex());
            if (length > limit) {
                throw fail(in, new FrameTooLongException(length, limit, limit < maxFrameBytes));
            }
            if (length < Frame.HEADER_BYTES) {
                throw fail(in, new BadFrameException("frame length " + length + " is shorter than the "
                        + Frame.HEADER_BYTES + "-byte header"));
            }
            if (in.readableBytes() >= 5) {
                byte type = in.getByte(in.readerIndex() + 4);
                if (!Frame.isKnown(type)) {
                    throw fail(in, new BadFrameException("frame of " + Frame.typeName(type)));
                }
            }
        }
        ByteBuf frame = (ByteBuf) super.decode(ctx, in);
        if (frame == null) {
            return null;
        }
        try {
            byte type = frame.readByte();
            long requestId = frame.readLong();
            byte[] payload = new byte[frame.readableBytes()];
            frame.readBytes(payload);
            return new Frame(type, requestId, payload);
        } finally {
            frame.release();
        }
    }

    private DecoderException fail(ByteBuf in, DecoderException e) {
        failed = true;
        in.skipBytes(in.readableBytes());
        return e;
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        super.decodeLast(ctx, in, out);
        if (!failed && in.isReadable()) {
            LOG.warn("{} closed in the middle of a frame: {} bytes of an incomplete frame discarded",
                    connection.describe(), in.readableBytes());
            in.skipBytes(in.readableBytes());
        }
    }

    /** A frame that breaks the protocol; the connection is closed. */
    static class BadFrameException extends DecoderException {
        private static final long serialVersionUID = 1L;

        BadFrameException(String message) {
            super(message);
        }
    }

    /** A length prefix above the limit; the connection is closed. */
    static final class FrameTooLongException extends BadFrameException {
        private static final long serialVersionUID = 1L;

        FrameTooLongException(long length, int limit, boolean beforeHandshake) {
            super("frame of " + length + " bytes exceeds the maximum of " + limit + " bytes"
                    + (beforeHandshake ? " allowed before the handshake" : ""));
        }
    }
}
