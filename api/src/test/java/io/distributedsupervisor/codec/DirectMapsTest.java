package io.distributedsupervisor.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.distributedsupervisor.Restart;
import io.distributedsupervisor.spi.CodecException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@link DirectMaps}, the path of a stored spec's map around Jackson: it reads what it reads into
 * the very values Jackson reads, leaves everything else to Jackson (so every error is Jackson's),
 * and checks classes and limits as Jackson's path does.
 */
class DirectMapsTest {
    private final ClassLoader loader = getClass().getClassLoader();
    private final CborCodec codec = CborCodec.withDefaults();
    private final ObjectMapper jackson = CborMappers.create(AllowList.defaults(), loader,
            new ClassValues.Deserializer(AllowList.defaults(), loader), CborCodec.DEFAULT_MAX_BYTES,
            CborCodec.DEFAULT_MAX_DEPTH, CborCodec.DEFAULT_MAX_STRING_LENGTH, CborCodec.DEFAULT_MAX_NUMBER_LENGTH,
            CborCodec.DEFAULT_MAX_TOKENS);
    private final DirectMaps direct = new DirectMaps(AllowList.defaults(),
            new ClassValues.Deserializer(AllowList.defaults(), loader), CborCodec.DEFAULT_MAX_DEPTH,
            CborCodec.DEFAULT_MAX_STRING_LENGTH, CborCodec.DEFAULT_MAX_NUMBER_LENGTH, CborCodec.DEFAULT_MAX_TOKENS);

    /** A spec's form, as WireFormat.specForm makes it (with a JDK class: the default list allows no child class). */
    private static Map<String, Object> spec(Object id, Object arg) {
        Map<String, Object> form = new LinkedHashMap<>();
        form.put("type", String.class);
        form.put("arg", arg);
        form.put("id", id);
        form.put("restart", Restart.TRANSIENT.name());
        form.put("shutdownMillis", 5000L);
        return form;
    }

    private Object byJackson(byte[] bytes) throws Exception {
        return jackson.readerFor(Object.class).readValue(bytes);
    }

    private static void assertSameValues(Object actual, Object expected) {
        assertThat(actual).isEqualTo(expected);
        if (expected instanceof Map<?, ?> e) {
            assertThat(actual).isInstanceOf(LinkedHashMap.class);
            assertThat(new ArrayList<Object>(((Map<?, ?>) actual).keySet())).isEqualTo(new ArrayList<Object>(e.keySet()));
            e.forEach((k, v) -> {
                Object a = ((Map<?, ?>) actual).get(k);
                assertThat(a == null ? null : a.getClass()).as("class of %s", k).isEqualTo(v == null ? null : v.getClass());
            });
        }
    }

    @Test
    void readsTheValuesOfASpecAsJacksonDoes() throws Exception {
        List<Object> scalars = new ArrayList<>(List.of("c1", "", "x".repeat(23), "y".repeat(24), "z".repeat(300),
                true, false, String.class, int.class, Restart.class, UUID.class, byte[].class, long[].class));
        for (long n : new long[] {0, 1, 23, 24, 255, 256, 65_535, 65_536, Integer.MAX_VALUE, Integer.MAX_VALUE + 1L,
                Integer.MIN_VALUE, Integer.MIN_VALUE - 1L, 0xffff_ffffL, 0x1_0000_0000L, Long.MAX_VALUE, Long.MIN_VALUE, -1, -24,
                -25, -256, -257}) {
            scalars.add(n);
            if (n == (int) n) {
                scalars.add((int) n);
            }
        }
        scalars.add(null);
        for (Object id : scalars) {
            for (Object arg : List.of("an argument", 7, 7L)) {
                Map<String, Object> form = spec(id, arg);
                byte[] bytes = codec.encode(form);
                assertThat(direct.read(bytes, 0, bytes.length)).as("%s read directly", form).isNotSameAs(DirectCbor.NOT_DIRECT);
                assertSameValues(codec.decode(bytes), byJackson(bytes));
                assertSameValues(codec.decode(bytes), form);
            }
        }
    }

    @Test
    void leavesEveryOtherValueToJackson() throws Exception {
        Map<Object, Object> typedKey = new LinkedHashMap<>();
        typedKey.put(1, "one");
        Map<String, Object> nulKey = new LinkedHashMap<>();
        nulKey.put("\0S", "a key that starts with NUL");
        Map<String, Object> many = new LinkedHashMap<>();
        for (int i = 0; i <= DirectMaps.MAX_ENTRIES; i++) {
            many.put("k" + i, i);
        }
        List<Object> others = new ArrayList<>();
        for (Object arg : List.of("é", 1.5, 2.5f, UUID.randomUUID(), new ArrayList<>(List.of(1, 2)), spec("inner", null),
                new byte[] {1, 2}, 'c', (short) 3, new java.math.BigInteger("123456789012345678901234567890"))) {
            others.add(spec("id", arg));
        }
        others.addAll(List.of(typedKey, nulKey, many, new LinkedHashMap<>(Map.of("ü", 1))));
        for (Object value : others) {
            byte[] bytes = codec.encode(value);
            assertThat(direct.read(bytes, 0, bytes.length)).as("%s", value).isSameAs(DirectCbor.NOT_DIRECT);
            Object decoded = codec.decode(bytes);
            assertThat(decoded).isInstanceOf(LinkedHashMap.class);
            assertThat(codec.encode(decoded)).as("%s", value).isEqualTo(codec.encode(byJackson(bytes)));
        }
        byte[] empty = codec.encode(new LinkedHashMap<>());
        assertSameValues(direct.read(empty, 0, empty.length), new LinkedHashMap<>());
    }

    @Test
    void anyCutOrChangedByteGivesJacksonsOutcome() throws Exception {
        byte[] bytes = codec.encode(spec("c17", null));
        List<byte[]> variants = new ArrayList<>();
        for (int n = 0; n < bytes.length; n++) {
            variants.add(Arrays.copyOf(bytes, n));
        }
        variants.add(Arrays.copyOf(bytes, bytes.length + 1)); // a trailing 0: one more item
        for (int i = 0; i < bytes.length; i++) {
            for (int b : new int[] {0x00, 0x18, 0x1b, 0x1f, 0x3b, 0x61, 0x7f, 0x80, 0x9f, 0xbf, 0xf6, 0xff, bytes[i] ^ 1}) {
                byte[] changed = bytes.clone();
                changed[i] = (byte) b;
                variants.add(changed);
            }
        }
        for (byte[] variant : variants) {
            Object expected;
            try {
                expected = byJackson(variant);
            } catch (Exception jacksonRefused) {
                assertThatThrownBy(() -> codec.decode(variant)).as(java.util.HexFormat.of().formatHex(variant))
                        .isInstanceOf(CodecException.class);
                continue;
            }
            assertThat(codec.encode(codec.decode(variant))).as(java.util.HexFormat.of().formatHex(variant))
                    .isEqualTo(codec.encode(expected));
        }
    }

    @Test
    void aRefusedChildClassIsNeverLoadedAndAnAllowedOneNeverInitialized() throws Exception {
        Class<?> type = new Tripwires.IsolatedLoader().loadClass(Tripwires.NAME);
        Map<String, Object> form = spec("c1", null);
        form.put("type", type);
        byte[] bytes = CborCodec.allowing(List.of("*")).encode(form);
        Tripwires.IsolatedLoader isolated = new Tripwires.IsolatedLoader();
        CborCodec refusing = CborCodec.builder().classLoader(isolated).build();
        CborCodec allowing = CborCodec.builder().allowList(AllowList.defaults().and(List.of(Tripwires.NAME)))
                .classLoader(isolated).build();

        // Allowed first: the name the allowing codec remembers is still refused by the other, each time.
        assertThat(((Map<?, ?>) allowing.decode(bytes)).get("type")).isInstanceOfSatisfying(Class.class,
                c -> assertThat(c.getClassLoader()).isSameAs(isolated));
        assertThat(((Map<?, ?>) allowing.decode(bytes)).get("type")).isSameAs(((Map<?, ?>) allowing.decode(bytes)).get("type"));
        assertThat(Tripwires.initialized(isolated)).isFalse();
        Tripwires.IsolatedLoader fresh = new Tripwires.IsolatedLoader();
        CborCodec refusingFresh = CborCodec.builder().classLoader(fresh).build();
        for (CborCodec c : List.of(refusing, refusingFresh, refusingFresh)) {
            assertThatThrownBy(() -> c.decode(bytes)).isInstanceOfSatisfying(CodecException.class,
                    e -> assertThat(e.refusedClass()).contains(Tripwires.NAME)).hasMessageContaining("Class value")
                    .hasMessageContaining("allow-list");
        }
        assertThat(fresh.wasAskedFor(Tripwires.NAME)).as("the refused class was loaded").isFalse();

        // A spec whose class name is swapped for one no loader can load (of the same length).
        String missing = "java.lang.Strinx";
        byte[] swapped = replace(codec.encode(spec("c1", null)), String.class.getName(), missing);
        assertThatThrownBy(() -> codec.decode(swapped)).isInstanceOfSatisfying(CodecException.class,
                e -> assertThat(e.refusedClass()).contains(missing)).hasMessageContaining("allow-list");
        CborCodec allowingMissing = CborCodec.allowing(List.of(missing));
        assertThatThrownBy(() -> allowingMissing.decode(swapped)).isInstanceOfSatisfying(CodecException.class,
                e -> assertThat(e.refusedClass()).contains(missing)).hasMessageContaining("cannot load");
    }

    private static byte[] replace(byte[] bytes, String from, String to) {
        String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(text).contains(from);
        return text.replace(from, to).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    @Test
    void theLimitsHoldOnThisPathAsOnJacksons() throws Exception {
        byte[] bytes = codec.encode(spec("c1", null));
        assertThatThrownBy(() -> CborCodec.builder().maxDepth(2).build().decode(bytes))
                .hasMessageContaining("maxDepth (2)");
        assertThat(CborCodec.builder().maxDepth(3).build().decode(bytes)).isEqualTo(spec("c1", null));
        assertThatThrownBy(() -> CborCodec.builder().maxStringLength(10).build().decode(bytes))
                .hasMessageContaining("maxStringLength (10)");
        assertThatThrownBy(() -> CborCodec.builder().maxTokens(10).build().decode(bytes))
                .hasMessageContaining("maxTokens (10)");
        assertThatThrownBy(() -> CborCodec.builder().maxBytes(bytes.length - 1).build().decode(bytes))
                .hasMessageContaining("maxBytes");
        // The default list without LinkedHashMap: its alias is refused, by Jackson, naming the class.
        CborCodec noLinkedMaps = CborCodec.builder().allowList(AllowList.of(List.of("java.lang.*"))).build();
        assertThatThrownBy(() -> noLinkedMaps.decode(bytes)).isInstanceOfSatisfying(CodecException.class,
                e -> assertThat(e.refusedClass()).contains(LinkedHashMap.class.getName()));
    }
}
