package io.distributedsupervisor.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.distributedsupervisor.spi.CodecException;
import java.io.ByteArrayOutputStream;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link DirectCbor}, the path of {@code byte[]} and short ASCII strings around Jackson: the same
 * bytes as Jackson's, the same values back, and everything else (and every limit) left to Jackson.
 */
class DirectCborTest {
    private final CborCodec codec = CborCodec.withDefaults();
    private final ObjectMapper jackson = CborMappers.create(AllowList.defaults(), getClass().getClassLoader(),
            new ClassValues.Deserializer(AllowList.defaults(), getClass().getClassLoader()),
            CborCodec.DEFAULT_MAX_BYTES, CborCodec.DEFAULT_MAX_DEPTH, CborCodec.DEFAULT_MAX_STRING_LENGTH,
            CborCodec.DEFAULT_MAX_NUMBER_LENGTH, CborCodec.DEFAULT_MAX_TOKENS);

    private byte[] byJackson(Object value) throws Exception {
        return jackson.writerFor(Object.class).writeValueAsBytes(value);
    }

    private Object decode(byte[] bytes) throws CodecException {
        return codec.decode(bytes, 0, bytes.length);
    }

    @Test
    void writesTheBytesJacksonWritesForEveryLengthHeadOfAByteArray() throws Exception {
        for (int n : new int[] {0, 1, 23, 24, 255, 256, 65_535, 65_536, 100_000}) {
            byte[] value = new byte[n];
            for (int i = 0; i < n; i++) {
                value[i] = (byte) (i * 31);
            }
            byte[] direct = codec.encode(value);
            assertThat(direct).as("%d bytes", n).isEqualTo(byJackson(value));
            ByteArrayOutputStream streamed = new ByteArrayOutputStream();
            codec.encode(value, streamed);
            assertThat(streamed.toByteArray()).isEqualTo(direct);
            assertThat(decode(direct)).isEqualTo(value);
        }
    }

    @Test
    void writesTheBytesJacksonWritesForAsciiStringsUpToItsLimit() throws Exception {
        for (int n : new int[] {0, 1, 23, 24, 255, 256, DirectCbor.MAX_STRING_CHARS, DirectCbor.MAX_STRING_CHARS + 1, 5000}) {
            String value = "abcdefghij".repeat(n / 10 + 1).substring(0, n);
            byte[] encoded = codec.encode(value);
            assertThat(encoded).as("%d chars", n).isEqualTo(byJackson(value));
            assertThat(decode(encoded)).isEqualTo(value);
        }
    }

    @Test
    void leavesOtherStringsToJackson() throws Exception {
        for (String value : List.of("é", "日本", "a\uD83D\uDE00b")) {
            assertThat(codec.encode(value)).isEqualTo(byJackson(value));
            assertThat(decode(codec.encode(value))).isEqualTo(value);
        }
        assertThatThrownBy(() -> codec.encode("a\uD800b")).isInstanceOf(CodecException.class);
        assertThatThrownBy(() -> decode(HexFormat.of().parseHex("62c328"))).isInstanceOf(CodecException.class)
                .hasMessageContaining("UTF-8");
    }

    @Test
    void readsWhatJacksonAlsoReadsThroughJackson() throws Exception {
        // A definite-length wrapper array and a chunked byte string: valid CBOR, not the direct shape.
        assertThat(decode(HexFormat.of().parseHex("82625b42420102"))).isEqualTo(new byte[] {1, 2});
        assertThat(decode(HexFormat.of().parseHex("9f625b425f41014102ffff"))).isEqualTo(new byte[] {1, 2});
        assertThat(decode(HexFormat.of().parseHex("7f616161626163ff"))).isEqualTo("abc");
    }

    @Test
    void leavesMalformedBytesToJacksonWhichRefusesThem() {
        for (String hex : List.of("9f625b424401ff", "9f625b42420102", "9f625b4242010203ff", "9f625b42420102ffff",
                "63616263ff", "6361", "7b8000000000000001", "9f625b425bffffffffffffffff00ff")) {
            assertThatThrownBy(() -> decode(HexFormat.of().parseHex(hex))).as(hex).isInstanceOf(CodecException.class);
        }
    }

    @Test
    void keepsEveryLimit() throws Exception {
        CborCodec small = CborCodec.builder().maxBytes(10).maxStringLength(3).build();
        assertThatThrownBy(() -> small.encode(new byte[10])).isInstanceOf(CodecException.class).hasMessageContaining("maxBytes");
        assertThatThrownBy(() -> small.encode(new byte[10], new ByteArrayOutputStream())).isInstanceOf(CodecException.class)
                .hasMessageContaining("maxBytes");
        assertThatThrownBy(() -> small.encode("abcdefghijk")).isInstanceOf(CodecException.class).hasMessageContaining("maxBytes");
        assertThatThrownBy(() -> small.decode(codec.encode("abcd"), 0, 5)).isInstanceOf(CodecException.class)
                .hasMessageContaining("maxStringLength");
        assertThat(small.decode(codec.encode("abc"), 0, 4)).isEqualTo("abc");
        CborCodec fewTokens = CborCodec.builder().maxTokens(2).build();
        byte[] bytes = codec.encode(new byte[2]);
        assertThatThrownBy(() -> fewTokens.decode(bytes, 0, bytes.length)).isInstanceOf(CodecException.class)
                .hasMessageContaining("maxTokens");
        CborCodec shortNames = CborCodec.builder().maxStringLength(1).build();
        assertThatThrownBy(() -> shortNames.decode(bytes, 0, bytes.length)).isInstanceOf(CodecException.class);
    }

    @Test
    void readsASliceOfALargerArray() throws Exception {
        byte[] value = codec.encode(new byte[] {7, 8, 9});
        byte[] framed = new byte[value.length + 4];
        System.arraycopy(value, 0, framed, 2, value.length);
        assertThat(codec.decode(framed, 2, value.length)).isEqualTo(new byte[] {7, 8, 9});
        byte[] text = codec.encode("xyz");
        byte[] framedText = new byte[text.length + 3];
        System.arraycopy(text, 0, framedText, 1, text.length);
        assertThat(codec.decode(framedText, 1, text.length)).isEqualTo("xyz");
    }
}
