package io.distributedsupervisor.zookeeper.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distributedsupervisor.Child;
import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.ChildStatus;
import io.distributedsupervisor.ExitReason;
import io.distributedsupervisor.Incarnation;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.Restart;
import io.distributedsupervisor.internal.Protocol;
import io.distributedsupervisor.zookeeper.JavaSerializationCodec;
import java.io.IOException;
import java.io.InvalidClassException;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.management.BadAttributeValueExpException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JavaSerializationCodecTest {
    private final JavaSerializationCodec codec = JavaSerializationCodec.withDefaults();

    /** A child class of the kind a ChildSpec names. */
    public static final class Counter implements Child {
        public Counter(Integer start) {
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

    @BeforeEach
    void resetTripwire() {
        ForeignClasses.reset();
    }

    private Object roundTrip(Object value) throws IOException {
        return codec.decode(codec.encode(value));
    }

    @Test
    void round_trips_the_protocol_records_and_common_values() throws IOException {
        Pid pid = new Pid("n1", "DS", "id-1", new Incarnation(42L, 1));
        List<Object> values = List.of(
                new Protocol.Call("key", List.of(1, 2L, "three", 4.0, 'c', true, (byte) 5, (short) 6)),
                new Protocol.Start(ChildSpec.of(Counter.class, 10).withId("MGS").withRestart(Restart.TRANSIENT), "n2"),
                new Protocol.Terminate("key", new Incarnation(1, 0)),
                new Protocol.NodeTerminating("n1", "shutdown", List.of(
                        new ChildStatus("id-1", pid, Counter.class.getName(), Restart.PERMANENT, Instant.parse("2024-01-02T03:04:05Z"), 2))),
                new Protocol.Ok(pid),
                Protocol.NOT_HERE_REPLY,
                new Protocol.AlreadyStarted(pid),
                ExitReason.shutdown(),
                new ArrayList<>(List.of("a", "b")),
                new HashMap<>(Map.of("k", 1)),
                new TreeMap<>(Map.of("a", 1, "b", 2)),
                new LinkedHashSet<>(List.of(3, 1, 2)),
                Map.of("x", List.of(1), "y", Set.of("z")),
                Collections.unmodifiableList(new ArrayList<>(List.of(1))),
                Collections.emptyList(), Collections.singletonMap("k", "v"),
                Arrays.asList("p", "q"),
                UUID.randomUUID(),
                Duration.ofMillis(1500), Instant.ofEpochSecond(7), LocalDate.of(2024, 2, 29),
                ZonedDateTime.parse("2024-01-02T03:04:05+01:00[Europe/Paris]"),
                new BigInteger("123456789012345678901234567890"), new BigDecimal("3.14159"),
                TimeUnit.SECONDS, Restart.PERMANENT);
        for (Object value : values) {
            assertThat(roundTrip(value)).as("%s", value).isEqualTo(value);
        }
        assertThat((int[]) roundTrip(new int[] {1, 2, 3})).containsExactly(1, 2, 3);
        assertThat((String[][]) roundTrip(new String[][] {{"a"}, {"b", "c"}})).isDeepEqualTo(new String[][] {{"a"}, {"b", "c"}});
        assertThat(((Protocol.Start) roundTrip(values.get(1))).spec().type()).isEqualTo(Counter.class);
    }

    @Test
    void round_trips_a_crash_with_its_cause_and_stack_trace() throws IOException {
        IllegalStateException crash = new IllegalStateException("boom", new UncheckedIOException(new IOException("disk")));
        crash.addSuppressed(new ArithmeticException("/ by zero"));
        Protocol.Crashed decoded = (Protocol.Crashed) roundTrip(new Protocol.Crashed(crash));
        assertThat(decoded.cause()).isInstanceOf(IllegalStateException.class).hasMessage("boom")
                .hasRootCauseInstanceOf(IOException.class);
        assertThat(decoded.cause().getSuppressed()).hasSize(1);
        assertThat(decoded.cause().getStackTrace()).isNotEmpty();
    }

    @Test
    void refuses_a_class_outside_the_list_without_running_its_code() throws Exception {
        byte[] bytes = codec.encode(ForeignClasses.tripwire());

        assertThatThrownBy(() -> codec.decode(bytes))
                .isInstanceOf(InvalidClassException.class)
                .hasMessageContaining(ForeignClasses.TRIPWIRE)
                .hasMessageContaining("allow-list");
        assertThat(ForeignClasses.ran()).as("readObject of the refused class ran").isFalse();

        // Control: the same bytes do run the class's code when deserialized without the codec.
        ForeignClasses.unfilteredDecode(bytes);
        assertThat(ForeignClasses.ran()).isTrue();
    }

    @Test
    void refuses_a_class_outside_the_list_nested_in_allowed_ones() throws IOException {
        byte[] bytes = codec.encode(new Protocol.Call("key", new ArrayList<>(List.of("fine", ForeignClasses.tripwire()))));
        assertThatThrownBy(() -> codec.decode(bytes)).isInstanceOf(InvalidClassException.class)
                .hasMessageContaining(ForeignClasses.TRIPWIRE);
        assertThat(ForeignClasses.ran()).isFalse();
    }

    @Test
    void refuses_gadget_classes() throws IOException {
        PriorityQueue<Object> queue = new PriorityQueue<>(Collections.reverseOrder());
        queue.add("a");
        queue.add("b");
        assertThatThrownBy(() -> codec.decode(codec.encode(queue))).isInstanceOf(InvalidClassException.class)
                .hasMessageContaining("java.util.PriorityQueue");
        assertThatThrownBy(() -> codec.decode(codec.encode(new BadAttributeValueExpException("x"))))
                .isInstanceOf(InvalidClassException.class)
                .hasMessageContaining("javax.management.BadAttributeValueExpException");
        assertThatThrownBy(() -> codec.decode(codec.encode(List.of(1, queue)))).isInstanceOf(InvalidClassException.class)
                .hasMessageContaining("java.util.PriorityQueue");
    }

    @Test
    void refuses_a_dynamic_proxy() throws IOException {
        Object proxy = Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Comparator.class}, new Handler());
        assertThatThrownBy(() -> codec.decode(codec.encode(proxy))).isInstanceOf(InvalidClassException.class)
                .hasMessageContaining("java.util.Comparator").hasMessageContaining("proxy");
    }

    @Test
    void a_class_object_is_checked_under_the_name_it_stands_for() throws IOException {
        assertThat(roundTrip(List.of(String.class, Counter.class))).isEqualTo(List.of(String.class, Counter.class));
        assertThatThrownBy(() -> codec.decode(codec.encode(List.of(PriorityQueue.class))))
                .isInstanceOf(InvalidClassException.class).hasMessageContaining("java.util.PriorityQueue");
        assertThatThrownBy(() -> codec.decode(codec.encode(new Object[] {ForeignClasses.tripwire().getClass()})))
                .isInstanceOf(InvalidClassException.class).hasMessageContaining(ForeignClasses.TRIPWIRE);
    }

    @Test
    void refuses_an_array_that_claims_more_elements_than_the_message_can_hold() throws IOException {
        byte[] bytes = codec.encode(new long[4]);
        // The element count is the int right before the 4 x 8 data bytes at the end of the stream.
        ByteBuffer.wrap(bytes).putInt(bytes.length - 32 - 4, Integer.MAX_VALUE - 8);
        assertThatThrownBy(() -> codec.decode(bytes)).isInstanceOf(InvalidClassException.class)
                .hasMessageContaining("array of " + (Integer.MAX_VALUE - 8) + " elements");
    }

    @Test
    void refuses_nesting_deeper_than_the_limit() throws IOException {
        List<Object> deep = new ArrayList<>();
        List<Object> inner = deep;
        for (int i = 0; i < JavaSerializationCodec.MAX_DEPTH + 10; i++) {
            List<Object> next = new ArrayList<>();
            inner.add(next);
            inner = next;
        }
        byte[] bytes = codec.encode(deep);
        assertThatThrownBy(() -> codec.decode(bytes)).isInstanceOf(InvalidClassException.class)
                .hasMessageContaining("nested deeper than " + JavaSerializationCodec.MAX_DEPTH);
    }

    @Test
    void refuses_garbage() {
        assertThatThrownBy(() -> codec.decode(new byte[] {1, 2, 3, 4})).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> codec.decode(new byte[0])).isInstanceOf(IOException.class);
    }

    @Test
    void user_patterns_extend_the_default_list() throws IOException {
        JavaSerializationCodec extended = JavaSerializationCodec.allowing(
                List.of("java.util.PriorityQueue", "java.util.Collections$ReverseComparator"));
        PriorityQueue<Object> queue = new PriorityQueue<>(Collections.reverseOrder());
        queue.add("a");
        queue.add("b");
        @SuppressWarnings("unchecked")
        PriorityQueue<Object> decoded = (PriorityQueue<Object>) extended.decode(extended.encode(queue));
        assertThat(decoded.poll()).isEqualTo("b");

        assertThat(extended.allowList()).startsWith(JavaSerializationCodec.withDefaults().allowList().toArray(String[]::new))
                .endsWith("java.util.PriorityQueue", "java.util.Collections$ReverseComparator");
        // Still refused: everything else.
        assertThatThrownBy(() -> extended.decode(extended.encode(new BadAttributeValueExpException("x"))))
                .isInstanceOf(InvalidClassException.class);
    }

    @Test
    void package_patterns_match_as_object_input_filter_does() throws IOException {
        JavaSerializationCodec onePackage = JavaSerializationCodec.allowing(List.of("java.util.concurrent.*"));
        var list = new java.util.concurrent.CopyOnWriteArrayList<>(List.of(1, 2));
        assertThat(onePackage.decode(onePackage.encode(list))).isEqualTo(list);
        // ".*" is one package only: java.util.concurrent.atomic is not in it, "**" takes subpackages too.
        assertThatThrownBy(() -> onePackage.decode(onePackage.encode(new java.util.concurrent.atomic.AtomicInteger(1))))
                .isInstanceOf(InvalidClassException.class).hasMessageContaining("java.util.concurrent.atomic.AtomicInteger");
        JavaSerializationCodec subpackages = JavaSerializationCodec.allowing(List.of("java.util.concurrent.**"));
        assertThat(subpackages.decode(subpackages.encode(new java.util.concurrent.atomic.AtomicInteger(1))).toString()).isEqualTo("1");
    }

    @Test
    void invalid_user_patterns_are_refused() {
        for (String bad : List.of("", "  ", "a.B;c.D", "maxdepth=5", "java.base/java.util.*", "a*b")) {
            assertThatThrownBy(() -> JavaSerializationCodec.allowing(List.of(bad)))
                    .as("pattern '%s'", bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
