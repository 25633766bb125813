package io.distributedsupervisor.benchmarks.codec;

import io.distributedsupervisor.spi.CodecException;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link CodecBenchmark} and prints, per payload, CborCodec's encode time, decode time and
 * size next to JavaSerializationCodec's, with the ratios (CBOR / Java: below 1 means CBOR is
 * faster or smaller). Argument {@code --quick} shortens every run.
 */
public final class CodecComparison {
    private CodecComparison() {
    }

    public static void main(String[] args) throws RunnerException, CodecException {
        boolean quick = List.of(args).contains("--quick");
        ChainedOptionsBuilder options = new OptionsBuilder().include(CodecBenchmark.class.getName());
        if (quick) {
            options.warmupIterations(2).warmupTime(TimeValue.milliseconds(500))
                    .measurementIterations(3).measurementTime(TimeValue.milliseconds(500));
        }
        Collection<RunResult> results = new Runner(options.build()).run();
        System.out.println();
        System.out.println("CborCodec vs JavaSerializationCodec, same payloads (ns per operation, bytes; ratio = CBOR / Java)");
        System.out.printf("%-10s %10s %10s %7s %10s %10s %7s %8s %8s %7s%n", "payload", "enc cbor", "enc java", "ratio",
                "dec cbor", "dec java", "ratio", "B cbor", "B java", "ratio");
        for (String payload : CodecBenchmark.PAYLOADS) {
            double encCbor = score(results, "encode", "cbor", payload);
            double encJava = score(results, "encode", "java", payload);
            double decCbor = score(results, "decode", "cbor", payload);
            double decJava = score(results, "decode", "java", payload);
            int bytesCbor = CodecBenchmark.codec("cbor").encode(CodecBenchmark.payload(payload)).length;
            int bytesJava = CodecBenchmark.codec("java").encode(CodecBenchmark.payload(payload)).length;
            System.out.printf("%-10s %10.0f %10.0f %6.2fx %10.0f %10.0f %6.2fx %8d %8d %6.2fx%n", payload, encCbor, encJava,
                    encCbor / encJava, decCbor, decJava, decCbor / decJava, bytesCbor, bytesJava, (double) bytesCbor / bytesJava);
        }
    }

    private static double score(Collection<RunResult> results, String op, String codec, String payload) {
        return results.stream()
                .filter(r -> r.getParams().getBenchmark().endsWith("." + op)
                        && r.getParams().getParam("codecName").equals(codec)
                        && r.getParams().getParam("payloadName").equals(payload))
                .findFirst().orElseThrow().getPrimaryResult().getScore();
    }
}
