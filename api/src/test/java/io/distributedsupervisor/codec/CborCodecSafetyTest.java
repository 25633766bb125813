package io.distributedsupervisor.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import io.distributedsupervisor.spi.CodecException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What {@link CborCodec} refuses, and that refusing runs nothing and costs little. */
class CborCodecSafetyTest {
    private static final List<String> TRIPWIRE = List.of(Tripwires.NAME);
    private final CborCodec codec = CborCodec.withDefaults();

    /** Allowed by the test's list below; declares a field of a class that is not. */
    public record Holder(NotAllowed inner) {
    }

    public record NotAllowed(String value) {
    }

    private static CborCodec decoderWith(ClassLoader loader, List<String> patterns) {
        return CborCodec.builder().allowList(AllowList.defaults().and(patterns)).classLoader(loader).build();
    }

    private static byte[] permissivelyEncoded(Object value) throws CodecException {
        return CborCodec.allowing(List.of("*")).encode(value);
    }

    @Test
    void a_refused_payload_class_is_never_loaded_nor_initialized() throws Exception {
        byte[] bytes = permissivelyEncoded(Tripwires.instance());
        Tripwires.IsolatedLoader loader = new Tripwires.IsolatedLoader();

        assertThatThrownBy(() -> decoderWith(loader, List.of()).decode(bytes)).isInstanceOfSatisfying(CodecException.class,
                e -> assertThat(e.refusedClass()).contains(Tripwires.NAME)).hasMessageContaining("allow-list");
        assertThat(loader.wasAskedFor(Tripwires.NAME)).as("the refused class was loaded").isFalse();
        assertThat(Tripwires.initialized(loader)).isFalse();

        // Control: allowed, the same bytes load and initialize it.
        assertThat(decoderWith(loader, TRIPWIRE).decode(bytes).getClass().getClassLoader()).isSameAs(loader);
        assertThat(Tripwires.initialized(loader)).isTrue();
    }

    @Test
    void a_refused_class_value_is_never_loaded_and_an_allowed_one_is_not_initialized() throws Exception {
        Class<?> type = new Tripwires.IsolatedLoader().loadClass(Tripwires.NAME);
        byte[] bytes = permissivelyEncoded(Map.of("type", type, "arg", 1L));
        Tripwires.IsolatedLoader loader = new Tripwires.IsolatedLoader();

        assertThatThrownBy(() -> decoderWith(loader, List.of()).decode(bytes)).isInstanceOfSatisfying(CodecException.class,
                e -> assertThat(e.refusedClass()).contains(Tripwires.NAME)).hasMessageContaining("Class value");
        assertThat(loader.wasAskedFor(Tripwires.NAME)).isFalse();

        // Control: allowed, the class is loaded, but naming it runs none of it.
        Map<?, ?> decoded = (Map<?, ?>) decoderWith(loader, TRIPWIRE).decode(bytes);
        assertThat(((Class<?>) decoded.get("type")).getClassLoader()).isSameAs(loader);
        assertThat(Tripwires.initialized(loader)).isFalse();
    }

    @Test
    void a_refused_class_nested_in_allowed_ones_is_refused() throws Exception {
        byte[] bytes = permissivelyEncoded(new ArrayList<>(List.of("fine", Map.of("deep", Tripwires.instance()))));
        Tripwires.IsolatedLoader loader = new Tripwires.IsolatedLoader();
        assertThatThrownBy(() -> decoderWith(loader, List.of()).decode(bytes)).isInstanceOfSatisfying(CodecException.class,
                e -> assertThat(e.refusedClass()).contains(Tripwires.NAME));
        assertThat(loader.wasAskedFor(Tripwires.NAME)).isFalse();
    }

    @Test
    void encode_refuses_what_decode_would_refuse() throws Exception {
        Object tripwire = Tripwires.instance();
        PriorityQueue<Object> queue = new PriorityQueue<>(Collections.reverseOrder());
        queue.add("a");
        for (Object payload : List.of(tripwire, List.of(1L, tripwire), Map.of("arg", tripwire), queue,
                Map.of("type", tripwire.getClass()), new java.util.concurrent.atomic.AtomicLong(1))) {
            assertThatThrownBy(() -> codec.encode(payload)).as("%s", payload).isInstanceOf(CodecException.class)
                    .satisfies(e -> assertThat(((CodecException) e).refusedClass()).isPresent());
        }
        assertThatThrownBy(() -> codec.encode(queue)).isInstanceOfSatisfying(CodecException.class,
                e -> assertThat(e.refusedClass()).contains("java.util.PriorityQueue"));
        // A Class value is refused under the name it holds, on both sides.
        assertThatThrownBy(() -> codec.encode(List.of(ProcessBuilder.class))).isInstanceOfSatisfying(CodecException.class,
                e -> assertThat(e.refusedClass()).contains("java.lang.ProcessBuilder"));
    }

    @Test
    void a_field_type_that_is_not_allowed_is_refused_both_ways() throws CodecException {
        CborCodec holderOnly = CborCodec.allowing(List.of(Holder.class.getName()));
        Holder holder = new Holder(new NotAllowed("x"));

        assertThatThrownBy(() -> holderOnly.encode(holder)).isInstanceOfSatisfying(CodecException.class,
                e -> assertThat(e.refusedClass()).contains(NotAllowed.class.getName()));
        byte[] bytes = permissivelyEncoded(holder);
        assertThatThrownBy(() -> holderOnly.decode(bytes)).isInstanceOfSatisfying(CodecException.class,
                e -> assertThat(e.refusedClass()).contains(NotAllowed.class.getName()));
        assertThat(CborCodec.allowing(List.of(Holder.class.getName(), NotAllowed.class.getName())).decode(bytes))
                .isEqualTo(holder);
    }

    @Test
    void type_ids_that_are_not_plain_class_names_are_refused() throws IOException {
        CBORMapper raw = new CBORMapper();
        for (String id : List.of("java.util.ArrayList<" + Tripwires.NAME + ">", "[L" + Tripwires.NAME + ";", "java.lang.Runtime",
                "javax.management.BadAttributeValueExpException")) {
            byte[] bytes = raw.writeValueAsBytes(List.of(id, List.of()));
            assertThatThrownBy(() -> codec.decode(bytes)).as(id).isInstanceOfSatisfying(CodecException.class,
                    e -> assertThat(e.refusedClass()).contains(id));
        }
    }

    @Test
    void an_alias_is_refused_when_the_class_it_decodes_as_is_not_allowed() throws CodecException {
        CborCodec langOnly = CborCodec.builder().allowList(AllowList.of(List.of("java.lang.*"))).build();
        byte[] bytes = codec.encode(List.of(1L));
        assertThatThrownBy(() -> langOnly.decode(bytes)).isInstanceOfSatisfying(CodecException.class,
                e -> assertThat(e.refusedClass()).contains(Collections.unmodifiableList(new ArrayList<>()).getClass().getName()));
        assertThatThrownBy(() -> langOnly.encode(List.of(1L))).isInstanceOfSatisfying(CodecException.class,
                e -> assertThat(e.refusedClass()).contains(List.of(1L).getClass().getName()));
        assertThat(langOnly.decode(codec.encode(5L))).isEqualTo(5L);
    }

    @Test
    void each_limit_is_enforced_and_named() throws CodecException {
        List<Object> deep = new ArrayList<>();
        List<Object> inner = deep;
        for (int i = 0; i < CborCodec.DEFAULT_MAX_DEPTH; i++) {
            List<Object> next = new ArrayList<>();
            inner.add(next);
            inner = next;
        }
        assertThatThrownBy(() -> codec.encode(deep)).hasMessageContaining("maxDepth (64)");
        byte[] deepBytes = CborCodec.builder().maxDepth(1000).build().encode(deep);
        assertThatThrownBy(() -> codec.decode(deepBytes)).isInstanceOf(CodecException.class).hasMessageContaining("maxDepth (64)");

        CborCodec small = CborCodec.builder().maxBytes(1000).maxStringLength(100).maxTokens(500).build();
        String big = "x".repeat(2000);
        assertThatThrownBy(() -> small.encode(big)).hasMessageContaining("maxBytes (1000)");
        assertThatThrownBy(() -> small.encode(big, new ByteArrayOutputStream())).hasMessageContaining("maxBytes (1000)");
        assertThatThrownBy(() -> small.decode(codec.encode(big))).hasMessageContaining("maxBytes (1000)");
        assertThatThrownBy(() -> small.decode(codec.encode("y".repeat(101)))).hasMessageContaining("maxStringLength (100)");
        assertThat(small.decode(codec.encode("y".repeat(100)))).isEqualTo("y".repeat(100));
        List<Integer> many = new ArrayList<>(Collections.nCopies(600, 1));
        assertThatThrownBy(() -> small.decode(codec.encode(many))).hasMessageContaining("maxTokens (500)");
        assertThat(small.decode(codec.encode(new ArrayList<>(Collections.nCopies(400, 1))))).isEqualTo(Collections.nCopies(400, 1));
        CborCodec shortNumbers = CborCodec.builder().maxNumberLength(10).build();
        assertThatThrownBy(() -> shortNumbers.decode(codec.encode(new java.math.BigDecimal("1234567890.12345"))))
                .hasMessageContaining("maxNumberLength (10)");
        assertThatThrownBy(() -> shortNumbers.decode(codec.encode(new java.math.BigInteger("123456789012"))))
                .hasMessageContaining("maxNumberLength (10)");
        assertThatThrownBy(() -> shortNumbers.decode(codec.encode(new java.math.BigDecimal("1E-2000000000"))))
                .hasMessageContaining("maxNumberLength (10)");
        assertThat(shortNumbers.decode(codec.encode(new java.math.BigDecimal("12345.6789")))).isEqualTo(new java.math.BigDecimal("12345.6789"));
    }

    @Test
    void a_java_serialized_hash_set_bomb_is_rejected_at_once() throws IOException {
        byte[] bomb = javaSerialized(hashSetBomb(30));
        assertThat(bomb.length).as("the bomb is small").isLessThan(3000);
        // The point is "not exponential": Java serialization would spend hours on this; generous bound.
        assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThatThrownBy(() -> codec.decode(bomb)).isInstanceOf(CodecException.class));
    }

    @Test
    void the_bomb_cannot_even_be_encoded_within_the_limits() {
        // Without back-references the same object graph is a tree of 2^30 nodes: refused, in time
        // linear in maxBytes. The point is "not exponential"; generous bound.
        Set<Object> bomb = hashSetBomb(30);
        assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> assertThatThrownBy(() -> codec.encode(bomb)).isInstanceOf(CodecException.class)
                        .hasMessageContaining("maxBytes"));
    }

    @Test
    void deeply_nested_cbor_is_refused_by_the_depth_limit() {
        // ["12", [ ["12", [ ... ]] ]]: nested ArrayLists as the codec writes them, 100,000 deep.
        byte[] level = {(byte) 0x82, 0x62, '1', '2', (byte) 0x81};
        byte[] lists = new byte[level.length * 100_000 + 1];
        for (int i = 0; i < 100_000; i++) {
            System.arraycopy(level, 0, lists, i * level.length, level.length);
        }
        byte[] indefinite = new byte[100_000];
        Arrays.fill(indefinite, (byte) 0x9f); // indefinite-length arrays, never closed
        byte[] plain = new byte[100_001];
        Arrays.fill(plain, (byte) 0x81); // arrays of one item, no type ids
        assertThatThrownBy(() -> codec.decode(lists)).isInstanceOf(CodecException.class).hasMessageContaining("maxDepth (64)");
        // Not what the codec writes (no type ids): refused at once, at the first level.
        assertThatThrownBy(() -> codec.decode(indefinite)).isInstanceOf(CodecException.class);
        assertThatThrownBy(() -> codec.decode(plain)).isInstanceOf(CodecException.class);
    }

    @Test
    void lengths_that_the_bytes_cannot_hold_are_refused_without_allocating_them() {
        List<byte[]> lies = List.of(
                new byte[] {(byte) 0x5b, 0x7f, -1, -1, -1, -1, -1, -1, -1, 1, 2}, // byte string of 2^63 bytes
                new byte[] {(byte) 0x7a, 0x7f, -1, -1, -1, 'a'}, // text of 2^31 bytes
                new byte[] {(byte) 0x9b, 0, 0, 0, 1, 0, 0, 0, 0, 0}, // array of 2^32 items
                new byte[] {(byte) 0x82, 0x62, '[', 'B', 0x5a, 0x7f, -1, -1, -1}); // ["[B", 2^31 bytes]
        for (byte[] bytes : lies) {
            assertThatThrownBy(() -> codec.decode(bytes)).isInstanceOf(CodecException.class);
        }
    }

    @Test
    void malformed_bytes_give_a_codec_exception_and_nothing_else() throws CodecException {
        CborCodec permissive = CborCodec.allowing(List.of(CborCodecTest.class.getName() + "$*"));
        byte[] valid = permissive.encode(Map.of("type", CborCodecTest.Counter.class, "arg", new CborCodecTest.Point(1, 2),
                "id", 5L, "list", List.of(1, 2L, "s", new byte[] {1}), "crash", new IllegalStateException("x")));
        Random random = new Random(42);
        List<byte[]> inputs = new ArrayList<>();
        inputs.add(new byte[0]);
        inputs.add(new byte[] {1, 2, 3, 4});
        for (int cut = 1; cut < valid.length; cut += Math.max(1, valid.length / 300)) {
            inputs.add(Arrays.copyOf(valid, cut));
        }
        for (int i = 0; i < 2000; i++) {
            byte[] flipped = valid.clone();
            flipped[random.nextInt(flipped.length)] = (byte) random.nextInt(256);
            inputs.add(flipped);
            byte[] noise = new byte[1 + random.nextInt(64)];
            random.nextBytes(noise);
            inputs.add(noise);
        }
        for (byte[] input : inputs) {
            try {
                permissive.decode(input);
            } catch (CodecException expected) {
                // The only exception a decode may throw.
            }
        }
        assertThatThrownBy(() -> permissive.decode(valid, 0, valid.length + 1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    /** Nested HashSets, each level holding two sets that hold the next level (Java serialization shares them). */
    static Set<Object> hashSetBomb(int depth) {
        Set<Object> root = new HashSet<>();
        Set<Object> s1 = root;
        Set<Object> s2 = new HashSet<>();
        for (int i = 0; i < depth; i++) {
            Set<Object> t1 = new HashSet<>();
            Set<Object> t2 = new HashSet<>();
            t1.add("foo");
            s1.add(t1);
            s1.add(t2);
            s2.add(t1);
            s2.add(t2);
            s1 = t1;
            s2 = t2;
        }
        return root;
    }

    static byte[] javaSerialized(Object value) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        return bytes.toByteArray();
    }
}
