package io.distributedsupervisor.zookeeper.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import java.util.List;

/**
 * Framing, inbound: splits the byte stream at the 4-byte length prefixes and parses each frame's
 * header, payload and (once the keys are set, {@link #expectTags()}) the tag that ends it; the
 * payload is copied once, into the array the handler gets. Checking the tag is the
 * {@link FrameAuthenticator}'s job. Until the handshake completes only small frames are
 * accepted, so that a peer that has not proved anything cannot make this node buffer megabytes;
 * after it, handshake frames are a protocol violation. After the first bad frame, all further
 * input of the connection is discarded (it is being closed).
 */
final class FrameDecoder extends ByteToMessageDecoder {
    /** The largest frame before the handshake: names, nonces, proofs and a closing text fit easily. */
    static final int HANDSHAKE_MAX_FRAME_BYTES = 4096;

    private final Connection connection;
    private final int maxFrameBytes;
    private final PeerLog log;
    private int limit = HANDSHAKE_MAX_FRAME_BYTES;
    private int tagBytes;
    private boolean authenticated;
    private boolean failed;

    FrameDecoder(Connection connection, int maxFrameBytes, PeerLog log) {
        this.connection = connection;
        this.maxFrameBytes = maxFrameBytes;
        this.log = log;
    }

    /** Every frame from the next one on ends with a tag (called on the event loop, between two frames). */
    void expectTags() {
        tagBytes = FrameMac.TAG_BYTES;
    }

    /** The handshake is done: frames up to the configured maximum (not counting their tags) are accepted from now on. */
    void handshakeDone() {
        authenticated = true;
        limit = maxFrameBytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < 4) {
            return;
        }
        int start = in.readerIndex();
        long length = in.getUnsignedInt(start);
        // Limits are on the frame as the sender gave it: type, request id and payload, not the tag.
        if (length - tagBytes > limit) {
            throw fail(in, new FrameTooLongException(length - tagBytes, limit, !authenticated));
        }
        if (length < Frame.HEADER_BYTES + tagBytes) {
            throw fail(in, new BadFrameException("frame length " + length + " is shorter than the "
                    + Frame.HEADER_BYTES + "-byte header" + (tagBytes == 0 ? "" : " and the " + tagBytes + "-byte tag")));
        }
        if (in.readableBytes() >= 5) {
            byte type = in.getByte(start + 4);
            if (!Frame.isKnown(type)) {
                throw fail(in, new BadFrameException("frame of " + Frame.typeName(type)));
            }
            if (authenticated && Frame.isHandshake(type)) {
                throw fail(in, new BadFrameException("protocol violation: " + Frame.typeName(type) + " frame after the handshake"));
            }
            if (!authenticated && type == Frame.BATCH) {
                throw fail(in, new BadFrameException("protocol violation: BATCH frame during the handshake"));
            }
        }
        if (in.readableBytes() < 4 + length) {
            return;
        }
        in.skipBytes(4);
        byte type = in.readByte();
        long requestId = in.readLong();
        byte[] payload = new byte[(int) length - Frame.HEADER_BYTES - tagBytes];
        in.readBytes(payload);
        byte[] tag = null;
        if (tagBytes > 0) {
            tag = new byte[tagBytes];
            in.readBytes(tag);
        }
        out.add(new Frame(type, requestId, payload, tag));
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
            log.warn(connection.remoteHost(), "bad frames", connection.describe() + " closed in the middle of a frame: "
                    + in.readableBytes() + " bytes of an incomplete frame discarded");
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
