package io.distributedsupervisor.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.distributedsupervisor.ExitReason;
import io.distributedsupervisor.RemoteChildException;
import io.distributedsupervisor.spi.CodecException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Exceptions crossing through {@link CborCodec}: rebuilt when allowed and constructible, stand-ins otherwise. */
class CborCodecExceptionsTest {
    private final CborCodec codec = CborCodec.allowing(List.of(CborCodecExceptionsTest.class.getName() + "$Allowed*"));

    /** Allowed, with the usual (String, Throwable) constructor. */
    public static class AllowedCrash extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public AllowedCrash(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Allowed, with a (String) constructor only. */
    public static class AllowedMessageOnly extends Exception {
        private static final long serialVersionUID = 1L;

        public AllowedMessageOnly(String message) {
            super(message);
        }
    }

    /** Allowed, but no public constructor that gives back its message. */
    public static class AllowedButOdd extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public AllowedButOdd(int code) {
            super("code " + code);
        }
    }

    /** Not on the allow-list. */
    public static class ForeignCrash extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public ForeignCrash(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private Throwable roundTrip(Throwable t) throws CodecException {
        return (Throwable) codec.decode(codec.encode(t));
    }

    @Test
    void an_allowed_exception_comes_back_as_its_class_with_message_cause_stack_and_suppressed() throws CodecException {
        IllegalStateException crash = new IllegalStateException("boom", new UncheckedIOException(new IOException("disk")));
        crash.addSuppressed(new ArithmeticException("/ by zero"));

        Throwable decoded = roundTrip(crash);

        assertThat(decoded).isExactlyInstanceOf(IllegalStateException.class).hasMessage("boom");
        assertThat(decoded.getStackTrace()).isEqualTo(crash.getStackTrace()).isNotEmpty();
        // UncheckedIOException has (String, IOException): the narrower constructor is used for a matching cause.
        assertThat(decoded.getCause()).isExactlyInstanceOf(UncheckedIOException.class)
                .hasMessage(crash.getCause().getMessage());
        assertThat(decoded.getCause().getStackTrace()).isEqualTo(crash.getCause().getStackTrace());
        assertThat(decoded.getCause().getCause()).isExactlyInstanceOf(IOException.class).hasMessage("disk").hasNoCause();
        assertThat(decoded.getSuppressed()).hasSize(1);
        assertThat(decoded.getSuppressed()[0]).isExactlyInstanceOf(ArithmeticException.class).hasMessage("/ by zero");
    }

    @Test
    void custom_exception_subclasses_of_allowed_classes_are_rebuilt() throws CodecException {
        Throwable decoded = roundTrip(new AllowedCrash("custom", new AllowedMessageOnly("inner")));
        assertThat(decoded).isExactlyInstanceOf(AllowedCrash.class).hasMessage("custom");
        assertThat(decoded.getCause()).isExactlyInstanceOf(AllowedMessageOnly.class).hasMessage("inner");
        assertThat(roundTrip(new NullPointerException())).isExactlyInstanceOf(NullPointerException.class).hasMessage(null);
    }

    @Test
    void an_exception_that_cannot_be_rebuilt_faithfully_becomes_a_stand_in_naming_it() throws CodecException {
        AllowedButOdd odd = new AllowedButOdd(7);
        Throwable decoded = roundTrip(odd);
        assertThat(decoded).isExactlyInstanceOf(RemoteChildException.class).hasMessage(AllowedButOdd.class.getName() + ": code 7");
        assertThat(((RemoteChildException) decoded).remoteClassName()).isEqualTo(AllowedButOdd.class.getName());
        assertThat(decoded.getStackTrace()).isEqualTo(odd.getStackTrace());
    }

    @Test
    void an_exception_of_a_refused_class_never_fails_the_decode() throws CodecException {
        ForeignCrash crash = new ForeignCrash("not allowed here", new IllegalArgumentException("bad arg"));

        Throwable decoded = roundTrip(crash);

        assertThat(decoded).isExactlyInstanceOf(RemoteChildException.class)
                .hasMessage(ForeignCrash.class.getName() + ": not allowed here");
        assertThat(((RemoteChildException) decoded).remoteClassName()).isEqualTo(ForeignCrash.class.getName());
        assertThat(decoded.getStackTrace()).isEqualTo(crash.getStackTrace());
        assertThat(decoded.getCause()).isExactlyInstanceOf(IllegalArgumentException.class).hasMessage("bad arg");
        // Nested in a payload, and as the cause of an exit, too.
        Object inList = codec.decode(codec.encode(List.of(1L, crash)));
        assertThat(((List<?>) inList).get(1)).isInstanceOf(RemoteChildException.class);
        ExitReason exit = (ExitReason) codec.decode(codec.encode(ExitReason.error(crash)));
        assertThat(exit.cause()).isInstanceOf(RemoteChildException.class).hasMessageContaining("not allowed here");
    }

    @Test
    void a_remote_child_exception_keeps_its_remote_class_name() throws CodecException {
        StackTraceElement[] stack = {new StackTraceElement("com.example.Worker", "run", "Worker.java", 12)};
        RemoteChildException remote = RemoteChildException.of("java.lang.IllegalStateException", "far away", stack,
                RemoteChildException.of("com.example.Inner", null, null, null));

        Throwable decoded = roundTrip(remote);

        // Its remote class is allowed here, but it stays a stand-in: that is what it was sent as.
        assertThat(decoded).isExactlyInstanceOf(RemoteChildException.class).hasMessage(remote.getMessage());
        assertThat(((RemoteChildException) decoded).remoteClassName()).isEqualTo("java.lang.IllegalStateException");
        assertThat(decoded.getStackTrace()).isEqualTo(stack);
        assertThat(decoded.getCause()).isExactlyInstanceOf(RemoteChildException.class).hasMessage("com.example.Inner");
        assertThat(decoded.getCause().getCause()).isNull();
    }

    @Test
    void a_cycle_in_the_cause_chain_ends_the_chain() throws CodecException {
        IllegalStateException a = new IllegalStateException("a");
        IllegalArgumentException b = new IllegalArgumentException("b", a);
        a.initCause(b);
        a.addSuppressed(a.getCause());

        Throwable decoded = roundTrip(a);

        assertThat(decoded).hasMessage("a");
        assertThat(decoded.getCause()).hasMessage("b");
        assertThat(decoded.getCause().getCause()).isNull();
        assertThat(decoded.getSuppressed()).isEmpty();
    }

    @Test
    void an_exception_crosses_inside_a_map_as_the_runtime_sends_a_crash() throws CodecException {
        Map<String, Object> crash = Map.of("id", 5L, "cause", new AllowedCrash("inside", null));
        @SuppressWarnings("unchecked")
        Map<String, Object> decoded = (Map<String, Object>) codec.decode(codec.encode(crash));
        assertThat((Throwable) decoded.get("cause")).isExactlyInstanceOf(AllowedCrash.class).hasMessage("inside");
        assertThat(decoded.get("id")).isEqualTo(5L);
    }
}
