package io.distributedsupervisor.zookeeper.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tags, the authenticator and batches on embedded channels: what passes and what closes the connection. */
class FrameAuthenticationTest extends TransportTestSupport {
    private static final byte[] HANDSHAKE_KEY = ClusterKeys.of(SECRET, "cluster").key(ClusterKeys.HANDSHAKE);
    private static final SecureRandom RANDOM = new SecureRandom();

    private static HandshakeProtocol.SessionKeys keys() {
        byte[] hello = HandshakeProtocol.Opening.fresh(false, RANDOM).encode();
        byte[] challenge = HandshakeProtocol.Opening.fresh(false, RANDOM).encode();
        return HandshakeProtocol.keys(HANDSHAKE_KEY, hello, challenge);
    }

    /** An embedded channel whose authenticator verifies with {@code inbound}. */
    private EmbeddedChannel receiver(byte[] inbound) {
        FrameAuthenticator authenticator = new FrameAuthenticator();
        authenticator.verifyFromNow(new FrameMac(inbound));
        EmbeddedChannel channel = new EmbeddedChannel(authenticator, new BatchSplitter());
        closeAfter(channel::finishAndReleaseAll);
        return channel;
    }

    private static Frame request(long id, String text) {
        return new Frame(Frame.REQUEST, id, text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void frames_tagged_in_order_pass_and_the_sequence_is_never_sent() {
        byte[] key = keys().clientToServer();
        FrameMac sender = new FrameMac(key);
        EmbeddedChannel channel = receiver(key);
        for (int i = 0; i < 3; i++) {
            Frame frame = request(i, "call " + i);
            channel.writeInbound(frame.sealed(sender.tag(frame)));
        }
        for (int i = 0; i < 3; i++) {
            assertThat(text(((Frame) channel.readInbound()).payload())).isEqualTo("call " + i);
        }
        // The same frame, at another place in the sequence, gets another tag.
        FrameMac a = new FrameMac(key);
        FrameMac b = new FrameMac(key);
        b.tag(request(0, "x"));
        assertThat(a.tag(request(9, "same"))).hasSize(FrameMac.TAG_BYTES).isNotEqualTo(b.tag(request(9, "same")));
    }

    @Test
    void a_forged_replayed_reordered_or_reflected_frame_is_not_passed_on_nor_anything_after_it() {
        HandshakeProtocol.SessionKeys keys = keys();
        Frame first = request(1, "first");
        Frame second = request(2, "second");

        // Forged: a tag not made with the key.
        EmbeddedChannel forged = receiver(keys.clientToServer());
        assertThatThrownBy(() -> forged.writeInbound(first.sealed(new byte[FrameMac.TAG_BYTES])))
                .isInstanceOf(FrameAuthenticator.ForgedFrameException.class).hasMessageContaining("failed authentication");
        FrameMac sender = new FrameMac(keys.clientToServer());
        forged.writeInbound(second.sealed(sender.tag(second)));
        assertThat((Object) forged.readInbound()).as("anything after the forged frame").isNull();

        // Replayed: a genuine frame a second time.
        EmbeddedChannel replayed = receiver(keys.clientToServer());
        FrameMac replayer = new FrameMac(keys.clientToServer());
        Frame once = first.sealed(replayer.tag(first));
        replayed.writeInbound(once);
        assertThatThrownBy(() -> replayed.writeInbound(once)).isInstanceOf(FrameAuthenticator.ForgedFrameException.class);
        assertThat(text(((Frame) replayed.readInbound()).payload())).isEqualTo("first");
        assertThat((Object) replayed.readInbound()).isNull();

        // Reordered (or the first one dropped): the second arrives first.
        EmbeddedChannel reordered = receiver(keys.clientToServer());
        FrameMac orderly = new FrameMac(keys.clientToServer());
        Frame taggedFirst = first.sealed(orderly.tag(first));
        Frame taggedSecond = second.sealed(orderly.tag(second));
        assertThatThrownBy(() -> reordered.writeInbound(taggedSecond)).isInstanceOf(FrameAuthenticator.ForgedFrameException.class);
        reordered.writeInbound(taggedFirst);
        assertThat((Object) reordered.readInbound()).isNull();

        // Reflected: a frame of the other direction, at the right place in the sequence.
        EmbeddedChannel reflected = receiver(keys.clientToServer());
        assertThatThrownBy(() -> reflected.writeInbound(first.sealed(new FrameMac(keys.serverToClient()).tag(first))))
                .isInstanceOf(FrameAuthenticator.ForgedFrameException.class);
        // And a frame without tag, after the keys are set.
        assertThatThrownBy(() -> receiver(keys.clientToServer()).writeInbound(first))
                .isInstanceOf(FrameAuthenticator.ForgedFrameException.class);
    }

    @Test
    void the_outbound_side_tags_what_the_inbound_side_verifies_batches_included() {
        HandshakeProtocol.SessionKeys keys = keys();
        FrameAuthenticator sending = new FrameAuthenticator();
        sending.sealFromNow(new FrameMac(keys.serverToClient()));
        EmbeddedChannel out = new EmbeddedChannel(sending);
        closeAfter(out::finishAndReleaseAll);
        EmbeddedChannel in = receiver(keys.serverToClient());

        List<Frame> small = List.of(request(1, "a"), new Frame(Frame.ONE_WAY, 0, new byte[0]), new Frame(Frame.REPLY, 3, utf8("c")));
        out.writeOutbound(request(0, "alone"), Frame.batch(small, small.stream().mapToInt(Frame::wireBytes).sum()));
        for (Object written; (written = out.readOutbound()) != null; ) {
            assertThat(((Frame) written).tag()).hasSize(FrameMac.TAG_BYTES);
            in.writeInbound(written);
        }
        assertThat(List.of(in.readInbound(), in.readInbound(), in.readInbound(), in.readInbound()))
                .extracting(f -> text(((Frame) f).payload())).containsExactly("alone", "a", "", "c");
    }

    @Test
    void a_batch_that_is_not_exactly_its_frames_is_refused_whole() {
        List<Frame> frames = List.of(request(1, "one"), request(2, "two"));
        Frame batch = Frame.batch(frames, frames.stream().mapToInt(Frame::wireBytes).sum());
        EmbeddedChannel channel = new EmbeddedChannel(new BatchSplitter());
        closeAfter(channel::finishAndReleaseAll);

        assertThatThrownBy(() -> channel.writeInbound(new Frame(Frame.BATCH, 3, batch.payload())))
                .hasMessageContaining("malformed BATCH frame");
        assertThatThrownBy(() -> channel.writeInbound(new Frame(Frame.BATCH, 1, batch.payload())))
                .hasMessageContaining("after its last frame");
        byte[] hello = batch.payload().clone();
        hello[4] = Frame.HELLO;
        assertThatThrownBy(() -> channel.writeInbound(new Frame(Frame.BATCH, 2, hello))).hasMessageContaining("HELLO");
        byte[] tooLong = batch.payload().clone();
        ByteBuffer.wrap(tooLong).putInt(0, Integer.MAX_VALUE);
        assertThatThrownBy(() -> channel.writeInbound(new Frame(Frame.BATCH, 2, tooLong))).hasMessageContaining("length");
        assertThat((Object) channel.readInbound()).as("any frame of a refused batch").isNull();
    }

    @Test
    void keys_bind_both_openings_and_the_roles() {
        byte[] hello = HandshakeProtocol.Opening.fresh(false, RANDOM).encode();
        byte[] challenge = HandshakeProtocol.Opening.fresh(false, RANDOM).encode();
        HandshakeProtocol.SessionKeys keys = HandshakeProtocol.keys(HANDSHAKE_KEY, hello, challenge);
        assertThat(HandshakeProtocol.keys(HANDSHAKE_KEY, hello, challenge)).usingRecursiveComparison().isEqualTo(keys);
        assertThat(keys.clientProof()).isNotEqualTo(keys.serverProof());
        assertThat(keys.clientToServer()).isNotEqualTo(keys.serverToClient());

        byte[] downgraded = hello.clone();
        downgraded[1] = 1; // the open-mode flag
        assertThat(HandshakeProtocol.keys(HANDSHAKE_KEY, downgraded, challenge).clientProof()).isNotEqualTo(keys.clientProof());
        byte[] otherCluster = ClusterKeys.of(SECRET, "other").key(ClusterKeys.HANDSHAKE);
        assertThat(HandshakeProtocol.keys(otherCluster, hello, challenge).clientProof()).isNotEqualTo(keys.clientProof());
    }
}
