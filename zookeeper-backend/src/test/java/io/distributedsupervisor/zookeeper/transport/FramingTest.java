package io.distributedsupervisor.zookeeper.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The frame encoder and decoder on an embedded channel: what goes out comes back alike, and the decoder's limits. */
class FramingTest extends TransportTestSupport {
    private static final int MAX = 64 * 1024;

    private EmbeddedChannel channel(FrameDecoder[] decoder) {
        EmbeddedChannel channel = new EmbeddedChannel();
        closeAfter(channel::finishAndReleaseAll);
        decoder[0] = new FrameDecoder(new Connection(channel, MAX), MAX, new PeerLog(line -> { }, System::nanoTime, 16, 16));
        channel.pipeline().addLast(decoder[0], FrameEncoder.INSTANCE, new BatchSplitter());
        return channel;
    }

    /** The frame written out, as one buffer of wire bytes. */
    private static ByteBuf wire(EmbeddedChannel channel, Frame frame) {
        channel.writeOutbound(frame);
        ByteBuf all = Unpooled.buffer();
        for (ByteBuf part; (part = channel.readOutbound()) != null; ) {
            all.writeBytes(part);
            part.release();
        }
        return all;
    }

    @Test
    void small_and_large_payloads_come_back_alike_even_a_byte_at_a_time() {
        FrameDecoder[] decoder = new FrameDecoder[1];
        EmbeddedChannel channel = channel(decoder);
        decoder[0].handshakeDone();
        byte[] large = new byte[MAX - Frame.HEADER_BYTES];
        large[large.length - 1] = 9;

        for (byte[] payload : new byte[][] {new byte[0], utf8("small"), large}) {
            ByteBuf bytes = wire(channel, new Frame(Frame.REQUEST, 77, payload));
            assertThat(bytes.readableBytes()).isEqualTo(4 + Frame.HEADER_BYTES + payload.length);
            if (payload.length < 100) {
                while (bytes.isReadable()) {
                    channel.writeInbound(bytes.readRetainedSlice(1));
                }
                bytes.release();
            } else {
                channel.writeInbound(bytes);
            }
            Frame back = channel.readInbound();
            assertThat(back.type()).isEqualTo(Frame.REQUEST);
            assertThat(back.requestId()).isEqualTo(77);
            assertThat(back.payload()).isEqualTo(payload);
        }
    }

    @Test
    void a_batch_goes_out_as_one_buffer_and_comes_back_as_its_frames() {
        FrameDecoder[] decoder = new FrameDecoder[1];
        EmbeddedChannel channel = channel(decoder);
        decoder[0].handshakeDone();
        List<Frame> frames = List.of(new Frame(Frame.REQUEST, 1, utf8("one")), new Frame(Frame.ONE_WAY, 0, new byte[0]),
                new Frame(Frame.REPLY, 7, utf8("three")));
        int wireBytes = frames.stream().mapToInt(Frame::wireBytes).sum();

        channel.writeOutbound(Frame.batch(frames, wireBytes));
        ByteBuf one = channel.readOutbound();
        assertThat((Object) channel.readOutbound()).as("a second buffer").isNull();
        assertThat(one.readableBytes()).isEqualTo(4 + Frame.HEADER_BYTES + wireBytes);
        channel.writeInbound(one);

        for (Frame sent : frames) {
            Frame back = channel.readInbound();
            assertThat(back.type()).isEqualTo(sent.type());
            assertThat(back.requestId()).isEqualTo(sent.requestId());
            assertThat(back.payload()).isEqualTo(sent.payload());
        }
    }

    @Test
    void before_the_handshake_only_small_frames_and_after_it_no_handshake_frames() {
        FrameDecoder[] decoder = new FrameDecoder[1];
        EmbeddedChannel before = channel(decoder);
        ByteBuf big = wire(before, new Frame(Frame.HELLO, 0, new byte[FrameDecoder.HANDSHAKE_MAX_FRAME_BYTES]));
        assertThatThrownBy(() -> before.writeInbound(big)).isInstanceOf(FrameDecoder.FrameTooLongException.class)
                .hasMessageContaining("allowed before the handshake");

        EmbeddedChannel after = channel(decoder);
        decoder[0].handshakeDone();
        ByteBuf hello = wire(after, new Frame(Frame.HELLO, 0, new byte[10]));
        assertThatThrownBy(() -> after.writeInbound(hello)).isInstanceOf(FrameDecoder.BadFrameException.class)
                .hasMessageContaining("protocol violation: HELLO frame after the handshake");
    }

    @Test
    void after_a_bad_frame_the_rest_of_the_input_is_discarded() {
        FrameDecoder[] decoder = new FrameDecoder[1];
        EmbeddedChannel channel = channel(decoder);
        decoder[0].handshakeDone();
        ByteBuf input = Unpooled.buffer().writeInt(3);
        input.writeBytes(wire(channel, new Frame(Frame.ONE_WAY, 0, utf8("after"))));

        assertThatThrownBy(() -> channel.writeInbound(input)).isInstanceOf(FrameDecoder.BadFrameException.class)
                .hasMessageContaining("shorter than the 9-byte header");
        channel.writeInbound(wire(channel, new Frame(Frame.ONE_WAY, 0, utf8("later"))));
        assertThat((Object) channel.readInbound()).isNull();
    }
}
