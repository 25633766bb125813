package io.distributedsupervisor.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.distributedsupervisor.codec.CborCodec;
import io.distributedsupervisor.spi.CodecException;
import io.distributedsupervisor.spi.MessageCodec;
import java.io.OutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Messages whose size is known before encoding are written into an array of that size: the bytes
 * are the same as without the size, whatever size the codec reports.
 */
class WireFormatSizingTest {
    private static final CborCodec CBOR = CborCodec.withDefaults();

    /** The default codec, reporting {@code reported} as every payload's size. */
    private static MessageCodec reporting(int reported) {
        return new MessageCodec() {
            @Override
            public void encode(Object payload, OutputStream out) throws CodecException {
                CBOR.encode(payload, out);
            }

            @Override
            public Object decode(byte[] bytes, int offset, int length) throws CodecException {
                return CBOR.decode(bytes, offset, length);
            }

            @Override
            public int encodedSize(Object payload) {
                return reported;
            }
        };
    }

    @Test
    void aCallAndItsReplyAreTheSameBytesWhateverSizeTheCodecReports() throws Exception {
        WireFormat exact = new WireFormat("s", CBOR);
        List<Object> payloads = List.of(new byte[64], "hello", "é", 42L, new byte[0]);
        for (String key : List.of("sabc", "s" + "x".repeat(300), "s%C3%A9")) {
            for (Object value : payloads) {
                byte[] call = exact.encode(new Message.Call(key, Payload.of(value)));
                byte[] reply = exact.encode(new Reply.Ok(Payload.of(value)));
                for (int reported : new int[] {-1, 0, 3, 1000}) {
                    WireFormat other = new WireFormat("s", reporting(reported));
                    assertThat(other.encode(new Message.Call(key, Payload.of(value)))).isEqualTo(call);
                    assertThat(other.encode(new Reply.Ok(Payload.of(value)))).isEqualTo(reply);
                }
                Message.Call back = (Message.Call) exact.decodeMessage(call);
                assertThat(back.key()).isEqualTo(key);
                assertThat(back.request().value(CBOR)).isEqualTo(value);
                assertThat(((Reply.Ok) exact.decodeReply(reply)).value().value(CBOR)).isEqualTo(value);
            }
        }
    }

    @Test
    void anEncodedPayloadIsCopiedAsItCame() throws Exception {
        WireFormat format = new WireFormat("s", CBOR);
        byte[] call = format.encode(new Message.Call("sabc", Payload.of(new byte[] {1, 2, 3})));
        Message.Call decoded = (Message.Call) format.decodeMessage(call);
        byte[] forwarded = format.encode(new Message.Cast("sabc", decoded.request()));
        assertThat(((Message.Cast) format.decodeMessage(forwarded)).message().value(CBOR)).isEqualTo(new byte[] {1, 2, 3});
        assertThat(format.encode(new Reply.Ok(decoded.request()))).hasSize(2 + 4 + ((Payload.Encoded) decoded.request()).length());
    }
}
