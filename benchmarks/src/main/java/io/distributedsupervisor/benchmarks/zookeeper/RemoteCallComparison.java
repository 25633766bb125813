package io.distributedsupervisor.benchmarks.zookeeper;

import io.distributedsupervisor.benchmarks.transport.TransportRoundTripBenchmark;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * A remote call between two nodes ({@link RemoteCallBenchmark}) next to a raw Netty echo of the
 * same 64-byte payload over the same loopback, at concurrency 1 (median latency) and 64
 * (throughput). Goals: throughput at least 0.5x the echo, median latency at most 2x.
 * Argument {@code --quick} shortens every run.
 */
public final class RemoteCallComparison {
    private RemoteCallComparison() {
    }

    public static void main(String[] args) throws RunnerException {
        boolean quick = List.of(args).contains("--quick");
        List<String> rows = new ArrayList<>();
        for (int threads : new int[] {1, 64}) {
            ChainedOptionsBuilder options = new OptionsBuilder()
                    .include(RemoteCallBenchmark.class.getName() + ".call")
                    .include(TransportRoundTripBenchmark.class.getName() + ".rawNettyEcho")
                    .param("payloadBytes", "64")
                    .threads(threads);
            if (quick) {
                options.warmupIterations(2).warmupTime(TimeValue.seconds(1))
                        .measurementIterations(3).measurementTime(TimeValue.seconds(1));
            }
            Collection<RunResult> results = new Runner(options.build()).run();
            double echoMedian = pick(results, "rawNettyEcho", Mode.SampleTime);
            double echoThrpt = pick(results, "rawNettyEcho", Mode.Throughput);
            double callMedian = pick(results, "call", Mode.SampleTime);
            double callThrpt = pick(results, "call", Mode.Throughput);
            rows.add(String.format("%-16s %7d %12.1f %12.4f %12s %12s", "raw Netty echo", threads, echoMedian, echoThrpt,
                    "1.00x", "1.00x"));
            rows.add(String.format("%-16s %7d %12.1f %12.4f %11.2fx %11.2fx", "remote call", threads, callMedian,
                    callThrpt, callMedian / echoMedian, callThrpt / echoThrpt));
        }
        System.out.println();
        System.out.println("Remote call between two nodes vs. a raw Netty echo of the same 64 bytes (same run)");
        System.out.printf("%-16s %7s %12s %12s %12s %12s%n", "what", "threads", "median us", "ops/us", "median ratio",
                "thrpt ratio");
        rows.forEach(System.out::println);
    }

    private static double pick(Collection<RunResult> results, String name, Mode mode) {
        RunResult r = results.stream().filter(x -> x.getParams().getMode() == mode
                && x.getParams().getBenchmark().endsWith("." + name)).findFirst().orElseThrow();
        return mode == Mode.SampleTime ? r.getPrimaryResult().getStatistics().getPercentile(50)
                : r.getPrimaryResult().getScore();
    }
}
