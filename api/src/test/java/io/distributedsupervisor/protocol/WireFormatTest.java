package io.distributedsupervisor.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.ChildStatus;
import io.distributedsupervisor.Incarnation;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.Restart;
import io.distributedsupervisor.codec.CborCodec;
import io.distributedsupervisor.spi.CodecException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Every message and reply of the wire protocol round-trips, and nothing malformed gets past a CodecException. */
class WireFormatTest {
    private final WireFormat format = new WireFormat("DS", CborCodec.allowing(List.of(Echo.class.getName())));

    public static final class Echo implements io.distributedsupervisor.Child {
    }

    private Object value(Payload p) throws CodecException {
        return p.value(format.codec());
    }

    @Test
    void aSpecsShutdownTimeoutRoundTripsAndTheDefaultOneIsSharedNotDecodedPerSpec() throws Exception {
        ChildSpec longer = ChildSpec.of(Echo.class).withId("e").withShutdown(Duration.ofMillis(1_500));
        assertThat(format.decodeSpec(Payload.of(WireFormat.specForm(longer))).shutdown()).isEqualTo(Duration.ofMillis(1_500));
        ChildSpec plain = ChildSpec.of(Echo.class).withId("e");
        // An heir decodes one spec per child it takes over, and keeps it as long as the child runs.
        assertThat(format.decodeSpec(Payload.of(WireFormat.specForm(plain))).shutdown()).isSameAs(plain.shutdown());
    }

    @Test
    void everyMessageRoundTrips() throws Exception {
        Pid pid = new Pid("n2", "DS", 7L, new Incarnation(42, 3));
        ChildStatus status = new ChildStatus(UUID.randomUUID(), new Pid("n1", "DS", "x", new Incarnation(9, 1)),
                Echo.class.getName(), Restart.TRANSIENT, Instant.ofEpochMilli(1_700_000_000_000L), 1);

        Message.Call call = (Message.Call) format.decodeMessage(format.encode(new Message.Call("sk\u00e9y", Payload.of(List.of(1L, "two")))));
        assertThat(call.key()).isEqualTo("sk\u00e9y");
        assertThat(value(call.request())).isEqualTo(List.of(1L, "two"));
        assertThat(value(((Message.Cast) format.decodeMessage(format.encode(new Message.Cast("k", Payload.of(5))))).message()))
                .isEqualTo(5);
        assertThat(value(((Message.Info) format.decodeMessage(format.encode(new Message.Info("k", Payload.of(null))))).message()))
                .isNull();
        ChildSpec spec = ChildSpec.of(Echo.class).withId("e").withRestart(Restart.TEMPORARY);
        Message.Start start = (Message.Start) format.decodeMessage(format.encode(
                new Message.Start(Payload.of(WireFormat.specForm(spec)), "n2")));
        assertThat(start.node()).isEqualTo("n2");
        assertThat(format.decodeSpec(start.spec())).isEqualTo(spec);
        assertThat(format.decodeMessage(format.encode(new Message.Terminate("l7", new Incarnation(42, 3)))))
                .isEqualTo(new Message.Terminate("l7", new Incarnation(42, 3)));
        Message.Handoff handoff = (Message.Handoff) format.decodeMessage(format.encode(
                new Message.Handoff("sk", Payload.of(41L), Payload.of(WireFormat.specForm(spec)))));
        assertThat(handoff.key()).isEqualTo("sk");
        assertThat(value(handoff.state())).isEqualTo(41L);
        assertThat(format.decodeSpec(handoff.spec())).isEqualTo(spec);
        assertThat(format.decodeMessage(format.encode(new Message.Move("sk", "n3")))).isEqualTo(new Message.Move("sk", "n3"));
        assertThat(format.decodeMessage(format.encode(new Message.Barrier("sk")))).isEqualTo(new Message.Barrier("sk"));
        assertThat(format.decodeMessage(format.encode(new Message.Terminate("l7", null))))
                .isEqualTo(new Message.Terminate("l7", null));
        assertThat(format.decodeMessage(format.encode(new Message.Closing("n1", "shutdown", List.of(status)))))
                .isEqualTo(new Message.Closing("n1", "shutdown", List.of(status)));

        assertThat(value(((Reply.Ok) format.decodeReply(format.encode(new Reply.Ok(Payload.of(pid))))).value())).isEqualTo(pid);
        for (Reply r : List.of(new Reply.Started(pid), new Reply.Terminated(true), Reply.NOT_HERE,
                new Reply.AlreadyStarted(pid), new Reply.AlreadyStarted(null),
                new Reply.Refused("n2", "com.example.X", "not allowed"), new Reply.Refused("n2", null, "malformed"),
                new Reply.MailboxFull("n2", 100))) {
            assertThat(format.decodeReply(format.encode(r))).as("%s", r).isEqualTo(r);
        }
        Reply.Crashed crashed = (Reply.Crashed) format.decodeReply(format.encode(
                new Reply.Crashed("java.lang.IllegalStateException", "boom", Payload.of(new IllegalStateException("boom")))));
        assertThat(crashed.className()).isEqualTo("java.lang.IllegalStateException");
        assertThat((Throwable) value(crashed.cause())).isInstanceOf(IllegalStateException.class).hasMessage("boom");
        assertThat(format.decodeReply(format.encode(new Reply.Crashed("x.Y", null, null)))).isEqualTo(
                new Reply.Crashed("x.Y", null, null));
    }

    @Test
    void malformedBytesAreACodecExceptionNamingTheProblem() throws Exception {
        byte[] call = format.encode(new Message.Call("key", Payload.of("hello")));
        assertThatThrownBy(() -> format.decodeMessage(new byte[0])).isInstanceOf(CodecException.class)
                .hasMessageContaining("truncated");
        byte[] otherVersion = call.clone();
        otherVersion[0] = 9;
        assertThatThrownBy(() -> format.decodeMessage(otherVersion)).isInstanceOf(CodecException.class)
                .hasMessageContaining("version 9");
        byte[] unknownKind = call.clone();
        unknownKind[1] = 99;
        assertThatThrownBy(() -> format.decodeMessage(unknownKind)).isInstanceOf(CodecException.class)
                .hasMessageContaining("kind 99");
        assertThatThrownBy(() -> format.decodeMessage(Arrays.copyOf(call, call.length + 1)))
                .isInstanceOf(CodecException.class).hasMessageContaining("trailing");
        assertThatThrownBy(() -> format.decodeMessage(Arrays.copyOf(call, call.length - 2)))
                .isInstanceOf(CodecException.class).hasMessageContaining("payload");
        // A Closing that claims 2^28 statuses in a few bytes: refused before anything is allocated for them.
        byte[] closing = {1, 6, 1, 'n', 1, 'r', (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x01};
        assertThatThrownBy(() -> format.decodeMessage(closing)).isInstanceOf(CodecException.class)
                .hasMessageContaining("count");
        assertThatThrownBy(() -> format.decodeReply(call)).isInstanceOf(CodecException.class)
                .hasMessageContaining("reply kind");
    }

    /** Whatever the bytes, decoding ends in a message or a CodecException: never another exception, never a hang. */
    @Test
    void randomAndMutatedBytesNeverThrowAnythingButCodecException() throws Exception {
        Random random = new Random(42);
        byte[] call = format.encode(new Message.Call("key", Payload.of(List.of("a", 1L))));
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = i % 2 == 0 ? new byte[random.nextInt(64)] : call.clone();
            if (i % 2 == 0) {
                random.nextBytes(bytes);
            } else {
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt();
            }
            try {
                Message m = format.decodeMessage(bytes);
                if (m instanceof Message.Call c) {
                    try {
                        value(c.request());
                    } catch (CodecException expected) {
                        // a mutated payload
                    }
                }
            } catch (CodecException expected) {
                // refused, as it should be
            }
            try {
                format.decodeReply(bytes);
            } catch (CodecException expected) {
                // refused, as it should be
            }
        }
    }
}
