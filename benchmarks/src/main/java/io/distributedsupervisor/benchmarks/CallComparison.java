package io.distributedsupervisor.benchmarks;

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
 * Runs {@link LocalCallBenchmark} and its reference {@link HandOffBenchmark} in one go, with 1
 * and 2 caller threads, and prints each result as a ratio to the reference. Goal: median call
 * time at most 2x the bare hand-off. Argument {@code --quick} shortens every run.
 */
public final class CallComparison {
    private record Row(String what, int threads, String children, double medianUs, double opsPerUs) {
    }

    private CallComparison() {
    }

    public static void main(String[] args) throws RunnerException {
        boolean quick = List.of(args).contains("--quick");
        List<Row> rows = new ArrayList<>();
        for (int threads : new int[] {1, 2}) {
            ChainedOptionsBuilder options = new OptionsBuilder()
                    .include(LocalCallBenchmark.class.getSimpleName())
                    .include(HandOffBenchmark.class.getSimpleName())
                    .threads(threads)
                    .shouldDoGC(true);
            if (quick) {
                options.warmupIterations(2).warmupTime(TimeValue.seconds(1))
                        .measurementIterations(3).measurementTime(TimeValue.seconds(1));
            }
            rows.addAll(collect(new Runner(options.build()).run(), threads));
        }
        System.out.println();
        System.out.println("Local call vs. bare hand-off (same run; lower median and higher throughput are better)");
        System.out.printf("%-28s %7s %8s %12s %14s %12s %12s%n", "benchmark", "threads", "children", "median us",
                "ops/us", "median ratio", "thrpt ratio");
        for (Row r : rows) {
            Row ref = rows.stream().filter(x -> x.what.equals("handOff") && x.threads == r.threads).findFirst()
                    .orElseThrow();
            System.out.printf("%-28s %7d %8s %12.2f %14.4f %11.2fx %11.2fx%n", r.what, r.threads, r.children,
                    r.medianUs, r.opsPerUs, r.medianUs / ref.medianUs, r.opsPerUs / ref.opsPerUs);
        }
    }

    private static List<Row> collect(Collection<RunResult> results, int threads) {
        List<Row> rows = new ArrayList<>();
        for (RunResult sample : results) {
            if (sample.getParams().getMode() != Mode.SampleTime) {
                continue;
            }
            String children = sample.getParams().getParamsKeys().contains("children")
                    ? sample.getParams().getParam("children") : "-";
            RunResult thrpt = results.stream()
                    .filter(r -> r.getParams().getMode() == Mode.Throughput
                            && r.getParams().getBenchmark().equals(sample.getParams().getBenchmark())
                            && (!r.getParams().getParamsKeys().contains("children")
                            || r.getParams().getParam("children").equals(children)))
                    .findFirst().orElseThrow();
            String name = sample.getParams().getBenchmark();
            name = name.substring(name.lastIndexOf('.') + 1);
            rows.add(new Row(name, threads, children, sample.getPrimaryResult().getStatistics().getPercentile(50),
                    thrpt.getPrimaryResult().getScore()));
        }
        return rows;
    }
}
