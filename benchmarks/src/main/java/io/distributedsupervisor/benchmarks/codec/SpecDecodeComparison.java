package io.distributedsupervisor.benchmarks.codec;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.benchmarks.IdleChildFootprint;
import io.distributedsupervisor.codec.CborCodec;
import io.distributedsupervisor.protocol.WireFormat;
import io.distributedsupervisor.spi.CodecException;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * What an heir pays per inherited spec: {@link WireFormat#decodeSpec(byte[])} of the specs the
 * scale benchmark stores ({@code ChildSpec.of(Idle.class).withId("c" + i)}), with the default
 * {@link CborCodec} allowing the benchmarks' classes, against a plain Jackson CBOR
 * {@code readTree} of the same bytes (no typing, no allow-list: the floor of reading them at all),
 * in alternating rounds in this one thread. Prints ns per spec and the ratio decodeSpec / readTree,
 * and first the cost of the very first pass in this JVM (interpreted and JIT-compiling code).
 * Arguments: the number of specs (default 100,000) and of rounds (default 10); {@code --record-arg}
 * gives every spec a record argument ({@link CodecBenchmark.Small}), which the codec reads through
 * Jackson.
 */
public final class SpecDecodeComparison {
    private static volatile Object sink;

    private SpecDecodeComparison() {
    }

    public static void main(String[] args) throws CodecException, IOException {
        List<String> flags = List.of(args).stream().filter(a -> a.startsWith("--")).toList();
        List<String> numbers = List.of(args).stream().filter(a -> !a.startsWith("--")).toList();
        int n = numbers.size() > 0 ? Integer.parseInt(numbers.get(0)) : 100_000;
        int rounds = numbers.size() > 1 ? Integer.parseInt(numbers.get(1)) : 10;
        boolean recordArg = flags.contains("--record-arg");
        WireFormat wire = new WireFormat("scale", CborCodec.allowing(List.of("io.distributedsupervisor.benchmarks.**")));
        ObjectMapper plain = new CBORMapper();
        // injected: Idle has no constructor that takes the record, and decodeSpec does not ask for one.
        ChildSpec spec = recordArg ? ChildSpec.injected(IdleChildFootprint.Idle.class, new CodecBenchmark.Small(1L, "start", 10))
                : ChildSpec.of(IdleChildFootprint.Idle.class);
        byte[][] stored = new byte[n][];
        for (int i = 0; i < n; i++) {
            stored[i] = wire.encodeSpec(spec.withId("c" + i));
        }
        // The first pass, before any warm-up: what an heir whose JVM never decoded a spec pays.
        long c0 = System.nanoTime();
        decodeAll(wire, stored);
        long c1 = System.nanoTime();
        treeAll(plain, stored);
        long c2 = System.nanoTime();
        if (!wire.decodeSpec(stored[n - 1]).equals(spec.withId("c" + (n - 1)))) {
            throw new AssertionError("decodeSpec does not give back the spec stored");
        }
        System.out.printf("%,d specs of %d bytes (%s, %s), %d rounds of each, alternating%n", n, stored[0].length,
                IdleChildFootprint.Idle.class.getSimpleName(), recordArg ? "a record argument" : "no argument", rounds);
        System.out.printf("first pass, cold: decodeSpec %.0f ns/spec, then readTree %.0f ns/spec (it shares the CBOR"
                + " parser decodeSpec warmed up)%n", (double) (c1 - c0) / n, (double) (c2 - c1) / n);
        double[] decode = new double[rounds];
        double[] tree = new double[rounds];
        for (int warm = 0; warm < 3; warm++) {
            decodeAll(wire, stored);
            treeAll(plain, stored);
        }
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            decodeAll(wire, stored);
            long t1 = System.nanoTime();
            treeAll(plain, stored);
            long t2 = System.nanoTime();
            decode[r] = (double) (t1 - t0) / n;
            tree[r] = (double) (t2 - t1) / n;
        }
        double d = median(decode);
        double t = median(tree);
        System.out.printf("decodeSpec %8.0f ns/spec (min %.0f)%n", d, Arrays.stream(decode).min().orElseThrow());
        System.out.printf("readTree   %8.0f ns/spec (min %.0f)%n", t, Arrays.stream(tree).min().orElseThrow());
        System.out.printf("ratio decodeSpec / readTree: %.2fx (medians)%n", d / t);
    }

    private static void decodeAll(WireFormat wire, byte[][] stored) throws CodecException {
        Object last = null;
        for (byte[] b : stored) {
            last = wire.decodeSpec(b);
        }
        sink = last;
    }

    private static void treeAll(ObjectMapper plain, byte[][] stored) throws IOException {
        Object last = null;
        for (byte[] b : stored) {
            last = plain.readTree(b);
        }
        sink = last;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
