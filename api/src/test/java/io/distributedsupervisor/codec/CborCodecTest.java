package io.distributedsupervisor.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distributedsupervisor.ChildStatus;
import io.distributedsupervisor.ExitReason;
import io.distributedsupervisor.Incarnation;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.Restart;
import io.distributedsupervisor.StartReason;
import io.distributedsupervisor.spi.CodecException;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What {@link CborCodec} round-trips; exceptions are in {@link CborCodecExceptionsTest}, refusals in {@link CborCodecSafetyTest}. */
class CborCodecTest {
    private static final String TEST_TYPES = CborCodecTest.class.getName() + "$*";
    private final CborCodec codec = CborCodec.allowing(List.of(TEST_TYPES));

    public record Point(int x, int y) {
    }

    public record Envelope(Object body, List<Object> items, Map<String, Object> meta, long sequence) {
    }

    public record Named(Class<?> type, String name) {
    }

    public record Empty() {
    }

    public enum Color {
        RED,
        GREEN {
            @Override
            public String toString() {
                return "green";
            }
        }
    }

    /** A child class, as a spec names it. */
    public static final class Counter {
    }

    private Object roundTrip(Object value) throws CodecException {
        return codec.decode(codec.encode(value));
    }

    private void assertRoundTrips(Object value) throws CodecException {
        Object decoded = roundTrip(value);
        assertThat(decoded).as("%s", value).isEqualTo(value);
        if (value != null) {
            assertThat(decoded).as("class of %s", value).isExactlyInstanceOf(value.getClass());
        }
    }

    @Test
    void scalars_come_back_as_the_class_they_were_sent_as() throws CodecException {
        for (Object value : Arrays.asList(null, "", "text ü €", 42, 42L, Long.MAX_VALUE, Integer.MIN_VALUE, (short) 7, (byte) -3,
                3.5d, 2.5f, Double.NaN, 'c', true, false, new BigInteger("123456789012345678901234567890"),
                new BigDecimal("3.14159265358979323846"), UUID.randomUUID())) {
            assertRoundTrips(value);
        }
        assertThat(roundTrip(5L)).isInstanceOf(Long.class);
        assertThat(roundTrip(5)).isInstanceOf(Integer.class);
    }

    @Test
    void java_time_values_round_trip_with_their_zone() throws CodecException {
        for (Object value : List.of(Instant.parse("2024-01-02T03:04:05.123456789Z"), Duration.ofMillis(1500),
                LocalDate.of(2024, 2, 29), LocalDateTime.of(2024, 1, 2, 3, 4, 5),
                ZonedDateTime.parse("2024-01-02T03:04:05+01:00[Europe/Paris]"),
                OffsetDateTime.parse("2024-01-02T03:04:05+05:30"), TimeUnit.SECONDS, ChronoUnit.DAYS)) {
            assertRoundTrips(value);
        }
    }

    @Test
    void mutable_collections_keep_their_class_and_element_classes() throws CodecException {
        for (Object value : List.of(new ArrayList<>(List.of(1, 2L, "three")), new LinkedList<>(List.of(1L)),
                new HashMap<>(Map.of("k", 1L)), new LinkedHashMap<>(Map.of("a", UUID.randomUUID())),
                new TreeMap<>(Map.of("a", 1, "b", 2)), new HashSet<>(List.of(1L, 2L)),
                new LinkedHashSet<>(List.of(3, 1, 2)), new TreeSet<>(List.of("b", "a")))) {
            assertRoundTrips(value);
        }
        @SuppressWarnings("unchecked")
        List<Object> mixed = (List<Object>) roundTrip(new ArrayList<>(List.of(1, 2L, (short) 3, 4.0)));
        assertThat(mixed).extracting(Object::getClass).containsExactly(Integer.class, Long.class, Short.class, Double.class);
        @SuppressWarnings("unchecked")
        List<Object> ordered = new ArrayList<>((LinkedHashSet<Object>) roundTrip(new LinkedHashSet<>(List.of(3, 1, 2))));
        assertThat(ordered).containsExactly(3, 1, 2);
    }

    @Test
    void immutable_and_wrapped_collections_come_back_equal_and_unmodifiable() throws CodecException {
        List<Object> values = List.of(List.of(), List.of(1), List.of(1L, "two", 3), Set.of(), Set.of("a", "b"),
                Map.of(), Map.of("k", 1L), Map.of("a", 1, "b", List.of(2L), "c", Set.of("z")),
                Collections.unmodifiableList(new ArrayList<>(List.of(1))), Collections.unmodifiableSet(new HashSet<>(Set.of(1))),
                Collections.unmodifiableMap(new HashMap<>(Map.of("k", "v"))), Collections.emptyList(), Collections.emptySet(),
                Collections.emptyMap(), Collections.singletonList(1L), Collections.singleton("s"), Collections.singletonMap("k", "v"),
                List.of(1, 2, 3).subList(1, 2));
        for (Object value : values) {
            Object decoded = roundTrip(value);
            assertThat(decoded).as("%s", value).isEqualTo(value);
            assertThatThrownBy(() -> ((java.util.Collection<?>) (decoded instanceof Map<?, ?> m ? m.keySet() : decoded)).clear())
                    .as("%s is unmodifiable", value).isInstanceOf(UnsupportedOperationException.class);
        }
        Object mapValues = roundTrip(Collections.unmodifiableMap(new LinkedHashMap<>(Map.of("k", 1L))).values());
        assertThat(mapValues).isEqualTo(List.of(1L));
        Object asList = roundTrip(Arrays.asList("p", "q"));
        assertThat(asList).isEqualTo(List.of("p", "q")).isInstanceOf(ArrayList.class);
    }

    @Test
    void nested_collections_keep_every_element_class() throws CodecException {
        Map<String, Object> nested = Map.of("x", List.of(1, 2L, Map.of("deep", Set.of(UUID.randomUUID(), 9L))),
                "y", new TreeMap<>(Map.of("n", new ArrayList<>(List.of((byte) 1)))));
        assertThat(roundTrip(nested)).isEqualTo(nested);
    }

    @Test
    void arrays_of_primitives_and_of_objects_round_trip_and_bytes_are_compact() throws CodecException {
        byte[] bytes = new byte[64];
        new java.util.Random(1).nextBytes(bytes);
        assertThat((byte[]) roundTrip(bytes)).isEqualTo(bytes);
        assertThat(codec.encode(bytes).length).as("a 64-byte array costs a few bytes of framing").isLessThanOrEqualTo(64 + 8);
        assertThat((int[]) roundTrip(new int[] {1, 2, 3})).containsExactly(1, 2, 3);
        assertThat((long[]) roundTrip(new long[] {Long.MIN_VALUE, 0})).containsExactly(Long.MIN_VALUE, 0);
        assertThat((double[]) roundTrip(new double[] {1.5})).containsExactly(1.5);
        assertThat((String[][]) roundTrip(new String[][] {{"a"}, {"b", "c"}})).isDeepEqualTo(new String[][] {{"a"}, {"b", "c"}});
        Object[] objects = (Object[]) roundTrip(new Object[] {1L, "two", List.of(3)});
        assertThat(objects).containsExactly(1L, "two", List.of(3));
        assertThat(objects[0]).isInstanceOf(Long.class);
    }

    @Test
    void records_enums_and_classes_of_allowed_packages_round_trip() throws CodecException {
        assertRoundTrips(new Point(1, -2));
        assertRoundTrips(new Empty());
        assertRoundTrips(Color.RED);
        assertThat(roundTrip(Color.GREEN)).isSameAs(Color.GREEN);
        assertRoundTrips(new Named(Counter.class, "counter"));
        Envelope envelope = new Envelope(new Point(3, 4), new ArrayList<>(List.of(1L, 2, Color.GREEN)),
                new HashMap<>(Map.of("uuid", UUID.randomUUID(), "when", Instant.ofEpochSecond(7))), 99L);
        Envelope decoded = (Envelope) roundTrip(envelope);
        assertThat(decoded).isEqualTo(envelope);
        assertThat(decoded.items().get(0)).isInstanceOf(Long.class);
        assertThat(decoded.items().get(1)).isInstanceOf(Integer.class);
        assertThat(roundTrip(List.of(String.class, Counter.class, int.class, long[].class)))
                .isEqualTo(List.of(String.class, Counter.class, int.class, long[].class));
    }

    @Test
    void the_api_value_types_round_trip() throws CodecException {
        Incarnation incarnation = new Incarnation(42L, 3);
        assertRoundTrips(incarnation);
        for (Object id : List.of("MGS", 7, 7L, UUID.randomUUID())) {
            Pid pid = new Pid("n1", "DS", id, incarnation);
            assertRoundTrips(pid);
            assertThat(((Pid) roundTrip(pid)).id()).isExactlyInstanceOf(id.getClass());
        }
        Pid pid = new Pid("n1", "DS", 5L, incarnation);
        assertRoundTrips(new ChildStatus(5L, pid, Counter.class.getName(), Restart.TRANSIENT,
                Instant.parse("2024-01-02T03:04:05.000000001Z"), 2));
        assertRoundTrips(Restart.PERMANENT);
        assertRoundTrips(StartReason.TAKEN_OVER);
        for (ExitReason reason : List.of(ExitReason.normal(), ExitReason.shutdown(), ExitReason.shutdown(List.of("term", 5L)),
                ExitReason.migrated(), ExitReason.custom(new Point(1, 2)), ExitReason.killed(), ExitReason.nodeDown("n3"),
                ExitReason.givenUp(ExitReason.custom("again")))) {
            assertRoundTrips(reason);
        }
        IllegalStateException crash = new IllegalStateException("boom");
        ExitReason error = (ExitReason) roundTrip(ExitReason.givenUp(ExitReason.error(crash)));
        assertThat(error.kind()).isEqualTo(ExitReason.Kind.GIVEN_UP);
        assertThat(error.cause()).isInstanceOf(IllegalStateException.class).hasMessage("boom");
        assertThat(((ExitReason) error.detail()).cause()).isSameAs(error.cause());
    }

    @Test
    void a_stored_spec_as_the_runtime_sends_it_round_trips_exactly() throws CodecException {
        for (Object id : List.of("MGS", 5L, 7, UUID.randomUUID())) {
            Map<String, Object> spec = new LinkedHashMap<>();
            spec.put("type", Counter.class);
            spec.put("arg", new Point(1, 2));
            spec.put("id", id);
            spec.put("restart", "PERMANENT");
            spec.put("shutdownMillis", 5000L);
            if (id instanceof Long) {
                spec.put("node", "n2");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> decoded = (Map<String, Object>) roundTrip(spec);
            assertThat(decoded).isEqualTo(spec);
            assertThat(decoded.get("type")).isSameAs(Counter.class);
            assertThat(decoded.get("id")).isExactlyInstanceOf(id.getClass());
            assertThat(decoded.get("shutdownMillis")).isExactlyInstanceOf(Long.class);
            assertThat(List.copyOf(decoded.keySet())).isEqualTo(List.copyOf(spec.keySet()));
        }
        Map<String, Object> immutable = Map.of("type", Counter.class, "arg", List.of(1L), "id", 5L, "restart", "TRANSIENT");
        assertThat(roundTrip(immutable)).isEqualTo(immutable);
    }

    @Test
    void encode_to_a_stream_writes_what_encode_returns_and_decode_honours_offset_and_length() throws CodecException {
        Object value = Map.of("k", List.of(1L, "v"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(9);
        codec.encode(value, out);
        byte[] framed = out.toByteArray();
        byte[] plain = codec.encode(value);
        assertThat(Arrays.copyOfRange(framed, 1, framed.length)).isEqualTo(plain);
        byte[] padded = new byte[plain.length + 5];
        System.arraycopy(plain, 0, padded, 2, plain.length);
        assertThat(codec.decode(padded, 2, plain.length)).isEqualTo(value);
    }

    @Test
    void map_keys_keep_their_class_at_an_object_position() throws CodecException {
        UUID uuid = UUID.randomUUID();
        List<Map<Object, Object>> maps = List.of(new HashMap<>(Map.of(1, "a", 2, "b")), new HashMap<>(Map.of(1L, "long")),
                new LinkedHashMap<>(Map.of(uuid, 1L)), new TreeMap<>(Map.of(3, "c", 1, "a")),
                new HashMap<>(Map.of(Restart.PERMANENT, 1, Color.GREEN, 2)),
                new HashMap<>(Map.of((short) 1, 'x', (byte) 2, true, 'c', false, true, 0)),
                new HashMap<>(Map.of(new BigInteger("12345678901234567890"), 1, new BigDecimal("1.50"), 2)),
                new HashMap<>(Map.of("\u0000S:looks typed", 1, "\u0000", 2, "", 3, "plain", 4)));
        for (Map<Object, Object> map : maps) {
            @SuppressWarnings("unchecked")
            Map<Object, Object> decoded = (Map<Object, Object>) roundTrip(map);
            assertThat(decoded).as("%s", map).isEqualTo(map).isExactlyInstanceOf(map.getClass());
            for (Object key : map.keySet()) {
                assertThat(decoded.keySet()).as("key %s", key).anySatisfy(k -> assertThat(k).isEqualTo(key)
                        .isExactlyInstanceOf(key.getClass()));
            }
        }
        assertThat(roundTrip(Map.of(1, List.of(Map.of(2L, "deep"))))).isEqualTo(Map.of(1, List.of(Map.of(2L, "deep"))));
        assertThatThrownBy(() -> codec.encode(Map.of(new Point(1, 2), "a"))).isInstanceOf(CodecException.class)
                .hasMessageContaining(Point.class.getName()).hasMessageContaining("map key");
        assertThatThrownBy(() -> CborCodec.withDefaults().encode(Map.of(Color.RED, 1))).isInstanceOfSatisfying(
                CodecException.class, e -> assertThat(e.refusedClass()).contains(Color.class.getName()));
        byte[] colorKey = codec.encode(Map.of(Color.RED, 1));
        assertThatThrownBy(() -> CborCodec.withDefaults().decode(colorKey)).isInstanceOfSatisfying(
                CodecException.class, e -> assertThat(e.refusedClass()).contains(Color.class.getName()));
    }

    @Test
    void one_codec_serves_many_threads_at_once() throws Exception {
        CborCodec fresh = CborCodec.allowing(List.of(TEST_TYPES));
        List<Object> payloads = List.of(5L, "s", new Point(1, 2), Map.of("type", Counter.class, "id", 7L),
                new ArrayList<>(List.of(Color.GREEN, UUID.randomUUID())), new Pid("n", "DS", 1, new Incarnation(1, 0)),
                Map.of(1, Instant.ofEpochSecond(9)));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int offset = t;
                results.add(pool.submit(() -> {
                    int checked = 0;
                    for (int i = 0; i < 2_000; i++) {
                        Object payload = payloads.get((i + offset) % payloads.size());
                        assertThat(fresh.decode(fresh.encode(payload))).isEqualTo(payload);
                        checked++;
                    }
                    return checked;
                }));
            }
            for (java.util.concurrent.Future<Integer> result : results) {
                assertThat(result.get(60, TimeUnit.SECONDS)).isEqualTo(2_000);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void the_builder_and_factories_say_what_they_hold() {
        assertThat(CborCodec.withDefaults().allowList()).isEqualTo(AllowList.defaults());
        assertThat(codec.allowList().patterns()).endsWith(TEST_TYPES);
        CborCodec tight = CborCodec.builder().allowList(AllowList.of(List.of("java.lang.Long"))).maxBytes(1000).maxDepth(8)
                .maxStringLength(50).maxNumberLength(20).maxTokens(300).build();
        assertThat(tight.toString()).contains("AllowList.of([java.lang.Long])", "maxBytes=1000", "maxDepth=8",
                "maxStringLength=50", "maxNumberLength=20", "maxTokens=300");
        assertThat(CborCodec.withDefaults().toString()).contains("AllowList.defaults()", "maxBytes=16777216");
        assertThatThrownBy(() -> CborCodec.builder().maxDepth(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxDepth");
    }
}
