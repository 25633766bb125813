package io.distributedsupervisor.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distributedsupervisor.ChildStatus;
import io.distributedsupervisor.ExitReason;
import io.distributedsupervisor.Incarnation;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.RemoteChildException;
import io.distributedsupervisor.Restart;
import io.distributedsupervisor.spi.CodecException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The opt-in {@link JavaSerializationCodec}: what the old codec guaranteed, plus the encode-side checks. */
class JavaSerializationCodecTest {
    private static final List<String> TRIPWIRE = List.of(Tripwires.NAME);
    private final JavaSerializationCodec codec = JavaSerializationCodec.allowing(List.of(
            Counter.class.getName(), Point.class.getName()));

    /** A child class of the kind a spec names. */
    public static final class Counter {
    }

    public record Point(int x, int y) implements Serializable {
    }

    /** Not on the list. */
    public static final class ForeignCrash extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ForeignCrash(String message) {
            super(message);
        }
    }

    /** A serializable InvocationHandler, to build a proxy the way gadget chains do. */
    static final class Handler implements InvocationHandler, Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) {
            return 0;
        }
    }

    private Object roundTrip(Object value) throws CodecException {
        return codec.decode(codec.encode(value));
    }

    private static byte[] unchecked(Object value) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        return bytes.toByteArray();
    }

    private static JavaSerializationCodec decoderWith(ClassLoader loader, List<String> patterns) {
        return JavaSerializationCodec.of(AllowList.defaults().and(patterns), loader);
    }

    @Test
    void round_trips_the_api_values_and_common_values() throws CodecException {
        Pid pid = new Pid("n1", "DS", "id-1", new Incarnation(42L, 1));
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("type", Counter.class);
        spec.put("arg", new Point(1, 2));
        spec.put("id", 5L);
        spec.put("restart", "PERMANENT");
        List<Object> values = List.of(pid, new ChildStatus("id-1", pid, Counter.class.getName(), Restart.PERMANENT,
                        Instant.parse("2024-01-02T03:04:05Z"), 2), ExitReason.shutdown("term"), ExitReason.nodeDown("n2"), spec,
                List.of(1, 2L, "three", 4.0, 'c', true, (byte) 5, (short) 6), new ArrayList<>(List.of("a", "b")),
                new HashMap<>(Map.of("k", 1)), new TreeMap<>(Map.of("a", 1, "b", 2)), new LinkedHashSet<>(List.of(3, 1, 2)),
                Map.of("x", List.of(1), "y", Set.of("z")), Collections.unmodifiableList(new ArrayList<>(List.of(1))),
                Collections.emptyList(), Collections.singletonMap("k", "v"), Arrays.asList("p", "q"), UUID.randomUUID(),
                Duration.ofMillis(1500), Instant.ofEpochSecond(7), LocalDate.of(2024, 2, 29),
                ZonedDateTime.parse("2024-01-02T03:04:05+01:00[Europe/Paris]"), new BigInteger("123456789012345678901234567890"),
                new BigDecimal("3.14159"), TimeUnit.SECONDS, Restart.PERMANENT);
        for (Object value : values) {
            assertThat(roundTrip(value)).as("%s", value).isEqualTo(value);
        }
        assertThat((int[]) roundTrip(new int[] {1, 2, 3})).containsExactly(1, 2, 3);
        assertThat((String[][]) roundTrip(new String[][] {{"a"}, {"b", "c"}})).isDeepEqualTo(new String[][] {{"a"}, {"b", "c"}});
        assertThat(((Map<?, ?>) roundTrip(spec)).get("type")).isSameAs(Counter.class);
    }

    @Test
    void round_trips_a_crash_with_its_cause_and_stack_trace() throws CodecException {
        IllegalStateException crash = new IllegalStateException("boom", new UncheckedIOException(new IOException("disk")));
        crash.addSuppressed(new ArithmeticException("/ by zero"));
        Throwable decoded = (Throwable) roundTrip(crash);
        assertThat(decoded).isInstanceOf(IllegalStateException.class).hasMessage("boom").hasRootCauseInstanceOf(IOException.class);
        assertThat(decoded.getSuppressed()).hasSize(1);
        assertThat(decoded.getStackTrace()).isEqualTo(crash.getStackTrace());
    }

    @Test
    void an_exception_of_a_class_outside_the_list_is_sent_as_a_stand_in() throws CodecException {
        Throwable decoded = (Throwable) roundTrip(List.of(new ForeignCrash("far")).get(0));
        assertThat(decoded).isExactlyInstanceOf(RemoteChildException.class).hasMessage(ForeignCrash.class.getName() + ": far");
        assertThat(((RemoteChildException) decoded).remoteClassName()).isEqualTo(ForeignCrash.class.getName());
    }

    @Test
    void refuses_a_class_outside_the_list_without_loading_it() throws Exception {
        byte[] bytes = unchecked(Tripwires.instance());
        Tripwires.IsolatedLoader loader = new Tripwires.IsolatedLoader();

        assertThatThrownBy(() -> decoderWith(loader, List.of()).decode(bytes)).isInstanceOfSatisfying(CodecException.class,
                e -> assertThat(e.refusedClass()).contains(Tripwires.NAME)).hasMessageContaining("allow-list");
        assertThat(loader.wasAskedFor(Tripwires.NAME)).isFalse();
        assertThat(Tripwires.initialized(loader)).isFalse();

        // Control: allowed, the same bytes load and initialize it.
        assertThat(decoderWith(loader, TRIPWIRE).decode(bytes).getClass().getClassLoader()).isSameAs(loader);
        assertThat(Tripwires.initialized(loader)).isTrue();
    }

    @Test
    void refuses_a_class_outside_the_list_nested_in_allowed_ones() throws Exception {
        byte[] bytes = unchecked(new ArrayList<>(List.of("fine", new HashMap<>(Map.of("k", Tripwires.instance())))));
        Tripwires.IsolatedLoader loader = new Tripwires.IsolatedLoader();
        assertThatThrownBy(() -> decoderWith(loader, List.of()).decode(bytes)).isInstanceOfSatisfying(CodecException.class,
                e -> assertThat(e.refusedClass()).contains(Tripwires.NAME));
        assertThat(loader.wasAskedFor(Tripwires.NAME)).isFalse();
    }

    @Test
    void a_class_object_is_checked_under_the_name_it_stands_for() throws Exception {
        assertThat(roundTrip(List.of(String.class, Counter.class, int.class))).isEqualTo(List.of(String.class, Counter.class, int.class));
        Class<?> tripwire = new Tripwires.IsolatedLoader().loadClass(Tripwires.NAME);
        byte[] bytes = unchecked(new Object[] {tripwire});
        Tripwires.IsolatedLoader loader = new Tripwires.IsolatedLoader();
        assertThatThrownBy(() -> decoderWith(loader, List.of()).decode(bytes)).isInstanceOfSatisfying(CodecException.class,
                e -> assertThat(e.refusedClass()).contains(Tripwires.NAME));
        assertThat(loader.wasAskedFor(Tripwires.NAME)).isFalse();
        assertThatThrownBy(() -> codec.decode(unchecked(List.of(PriorityQueue.class)))).isInstanceOfSatisfying(
                CodecException.class, e -> assertThat(e.refusedClass()).contains("java.util.PriorityQueue"));
    }

    @Test
    void refuses_gadget_classes_and_dynamic_proxies() throws IOException {
        PriorityQueue<Object> queue = new PriorityQueue<>(Collections.reverseOrder());
        queue.add("a");
        queue.add("b");
        for (Object gadget : List.of(queue, List.of(1, queue))) {
            assertThatThrownBy(() -> codec.decode(unchecked(gadget))).isInstanceOfSatisfying(CodecException.class,
                    e -> assertThat(e.refusedClass()).contains("java.util.PriorityQueue"));
        }
        Object proxy = Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Comparator.class}, new Handler());
        assertThatThrownBy(() -> codec.decode(unchecked(proxy))).isInstanceOf(CodecException.class)
                .hasMessageContaining("java.util.Comparator").hasMessageContaining("proxy");
    }

    @Test
    void encode_refuses_what_decode_would_refuse() throws Exception {
        PriorityQueue<Object> queue = new PriorityQueue<>();
        Object tripwire = Tripwires.instance();
        for (Object payload : List.of(queue, new ArrayList<>(List.of(1, queue)), tripwire, Map.of("type", tripwire.getClass()))) {
            assertThatThrownBy(() -> codec.encode(payload)).as("%s", payload).isInstanceOf(CodecException.class)
                    .satisfies(e -> assertThat(((CodecException) e).refusedClass()).isPresent());
        }
        Object proxy = Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Comparator.class}, new Handler());
        assertThatThrownBy(() -> codec.encode(proxy)).isInstanceOf(CodecException.class).hasMessageContaining("proxy");
    }

    @Test
    void refuses_an_array_that_claims_more_elements_than_the_message_can_hold() throws CodecException {
        byte[] bytes = codec.encode(new long[4]);
        // The element count is the int right before the 4 x 8 data bytes at the end of the stream.
        ByteBuffer.wrap(bytes).putInt(bytes.length - 32 - 4, Integer.MAX_VALUE - 8);
        assertThatThrownBy(() -> codec.decode(bytes)).isInstanceOf(CodecException.class)
                .hasMessageContaining("array of " + (Integer.MAX_VALUE - 8) + " elements");
    }

    @Test
    void refuses_nesting_deeper_than_the_limit() throws CodecException {
        List<Object> deep = new ArrayList<>();
        List<Object> inner = deep;
        for (int i = 0; i < JavaSerializationCodec.MAX_DEPTH + 10; i++) {
            List<Object> next = new ArrayList<>();
            inner.add(next);
            inner = next;
        }
        byte[] bytes = codec.encode(deep);
        assertThatThrownBy(() -> codec.decode(bytes)).isInstanceOf(CodecException.class)
                .hasMessageContaining("nested deeper than " + JavaSerializationCodec.MAX_DEPTH);
    }

    @Test
    void refuses_garbage_with_a_codec_exception() throws CodecException {
        assertThatThrownBy(() -> codec.decode(new byte[] {1, 2, 3, 4})).isInstanceOf(CodecException.class);
        assertThatThrownBy(() -> codec.decode(new byte[0])).isInstanceOf(CodecException.class);
        byte[] valid = codec.encode(Map.of("k", List.of(1L, "v")));
        for (int cut = 1; cut < valid.length; cut++) {
            byte[] truncated = Arrays.copyOf(valid, cut);
            assertThatThrownBy(() -> codec.decode(truncated)).isInstanceOf(CodecException.class);
        }
    }

    @Test
    void user_patterns_extend_the_default_list() throws CodecException {
        JavaSerializationCodec extended = JavaSerializationCodec.allowing(
                List.of("java.util.PriorityQueue", "java.util.Collections$ReverseComparator"));
        PriorityQueue<Object> queue = new PriorityQueue<>(Collections.reverseOrder());
        queue.add("a");
        queue.add("b");
        @SuppressWarnings("unchecked")
        PriorityQueue<Object> decoded = (PriorityQueue<Object>) extended.decode(extended.encode(queue));
        assertThat(decoded.poll()).isEqualTo("b");
        assertThat(extended.allowList().patterns()).startsWith(AllowList.defaults().patterns().toArray(String[]::new))
                .endsWith("java.util.PriorityQueue", "java.util.Collections$ReverseComparator");
        assertThat(extended.toString()).contains("java.util.PriorityQueue", "maxdepth=200");
    }

    @Test
    void package_patterns_match_as_object_input_filter_does() throws CodecException {
        JavaSerializationCodec onePackage = JavaSerializationCodec.allowing(List.of("java.util.concurrent.*"));
        var list = new java.util.concurrent.CopyOnWriteArrayList<>(List.of(1, 2));
        assertThat(onePackage.decode(onePackage.encode(list))).isEqualTo(list);
        // ".*" is one package only: java.util.concurrent.atomic is not in it, "**" takes subpackages too.
        assertThatThrownBy(() -> onePackage.encode(new java.util.concurrent.atomic.AtomicInteger(1)))
                .isInstanceOfSatisfying(CodecException.class,
                        e -> assertThat(e.refusedClass()).contains("java.util.concurrent.atomic.AtomicInteger"));
        JavaSerializationCodec subpackages = JavaSerializationCodec.allowing(List.of("java.util.concurrent.**"));
        assertThat(subpackages.decode(subpackages.encode(new java.util.concurrent.atomic.AtomicInteger(1))).toString()).isEqualTo("1");
    }
}
