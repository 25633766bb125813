package io.distributedsupervisor.benchmarks.transport;

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
 * Runs {@link TransportRoundTripBenchmark} with 1 and 4 caller threads and prints the
 * NodeTransport request/reply as a ratio to the bare Netty echo measured in the same run.
 * Argument {@code --quick} shortens every run.
 */
public final class TransportComparison {
    private TransportComparison() {
    }

    public static void main(String[] args) throws RunnerException {
        boolean quick = List.of(args).contains("--quick");
        List<String> lines = new ArrayList<>();
        for (int threads : new int[] {1, 4}) {
            ChainedOptionsBuilder options = new OptionsBuilder()
                    .include(TransportRoundTripBenchmark.class.getName())
                    .threads(threads);
            if (quick) {
                options.warmupIterations(2).warmupTime(TimeValue.seconds(1))
                        .measurementIterations(3).measurementTime(TimeValue.seconds(1));
            }
            lines.addAll(rows(new Runner(options.build()).run(), threads));
        }
        System.out.println();
        System.out.println("NodeTransport request/reply vs. a bare Netty echo of the same bytes (same run; ratios to the echo)");
        System.out.printf("%-22s %7s %8s %12s %12s %13s %13s%n", "benchmark", "threads", "payload", "median us",
                "ops/us", "median ratio", "thrpt ratio");
        lines.forEach(System.out::println);
    }

    private static List<String> rows(Collection<RunResult> results, int threads) {
        List<String> rows = new ArrayList<>();
        for (String payload : new String[] {"64", "4096"}) {
            double refMedian = median(results, "rawNettyEcho", payload);
            double refThrpt = throughput(results, "rawNettyEcho", payload);
            for (String name : new String[] {"rawNettyEcho", "nodeTransportRequest"}) {
                double median = median(results, name, payload);
                double thrpt = throughput(results, name, payload);
                rows.add(String.format("%-22s %7d %8s %12.2f %12.4f %12.2fx %12.2fx", name, threads, payload, median, thrpt,
                        median / refMedian, thrpt / refThrpt));
            }
        }
        return rows;
    }

    private static RunResult find(Collection<RunResult> results, String name, String payload, Mode mode) {
        return results.stream()
                .filter(r -> r.getParams().getMode() == mode && r.getParams().getBenchmark().endsWith("." + name)
                        && r.getParams().getParam("payloadBytes").equals(payload))
                .findFirst().orElseThrow();
    }

    private static double median(Collection<RunResult> results, String name, String payload) {
        return find(results, name, payload, Mode.SampleTime).getPrimaryResult().getStatistics().getPercentile(50);
    }

    private static double throughput(Collection<RunResult> results, String name, String payload) {
        return find(results, name, payload, Mode.Throughput).getPrimaryResult().getScore();
    }
}
