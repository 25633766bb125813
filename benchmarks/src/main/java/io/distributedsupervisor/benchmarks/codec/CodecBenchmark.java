package io.distributedsupervisor.benchmarks.codec;

import io.distributedsupervisor.codec.CborCodec;
import io.distributedsupervisor.codec.JavaSerializationCodec;
import io.distributedsupervisor.spi.CodecException;
import io.distributedsupervisor.spi.MessageCodec;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encode and decode of one payload, by {@link CborCodec} and by {@link JavaSerializationCodec},
 * each with the default allow-list plus this package: what a call's payload costs per hop.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {
    /** The payloads, by name. */
    public static final List<String> PAYLOADS = List.of("string64", "bytes64", "record", "spec", "longs100", "exception");

    /** A small message record. */
    public record Small(long id, String name, int count) implements Serializable {
    }

    /** A child class, as a stored spec names it. */
    public static final class Counter {
    }

    @Param({"cbor", "java"})
    public String codecName;

    @Param({"string64", "bytes64", "record", "spec", "longs100", "exception"})
    public String payloadName;

    private MessageCodec codec;
    private Object payload;
    private byte[] encoded;

    static MessageCodec codec(String name) {
        List<String> patterns = List.of(CodecBenchmark.class.getName() + "$*");
        return switch (name) {
            case "cbor" -> CborCodec.allowing(patterns);
            case "java" -> JavaSerializationCodec.allowing(patterns);
            default -> throw new IllegalArgumentException(name);
        };
    }

    static Object payload(String name) {
        Random random = new Random(7);
        return switch (name) {
            case "string64" -> "a 64-character string, the size of a small call's argument: okay";
            case "bytes64" -> {
                byte[] bytes = new byte[64];
                random.nextBytes(bytes);
                yield bytes;
            }
            case "record" -> new Small(42L, "counter-7", 3);
            case "spec" -> {
                Map<String, Object> spec = new LinkedHashMap<>();
                spec.put("type", Counter.class);
                spec.put("arg", new Small(1L, "start", 10));
                spec.put("id", "MGS");
                spec.put("restart", "PERMANENT");
                spec.put("shutdownMillis", 5000L);
                spec.put("node", "n2");
                yield spec;
            }
            case "longs100" -> {
                List<Long> longs = new ArrayList<>(100);
                for (int i = 0; i < 100; i++) {
                    longs.add(random.nextLong(1_000_000_000L));
                }
                yield longs;
            }
            case "exception" -> new IllegalStateException("boom", new IOException("disk full"));
            default -> throw new IllegalArgumentException(name);
        };
    }

    @Setup(Level.Trial)
    public void setUp() throws CodecException {
        codec = codec(codecName);
        payload = payload(payloadName);
        encoded = codec.encode(payload);
    }

    @Benchmark
    public byte[] encode() throws CodecException {
        return codec.encode(payload);
    }

    @Benchmark
    public Object decode() throws CodecException {
        return codec.decode(encoded);
    }
}
