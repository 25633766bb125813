package io.distributedsupervisor.benchmarks;

import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.SupervisorOptions;
import io.distributedsupervisor.benchmarks.transport.Measure;
import io.distributedsupervisor.inmemory.InMemoryCluster;
import io.distributedsupervisor.micrometer.MicrometerListener;
import io.distributedsupervisor.spi.Listener;
import io.distributedsupervisor.spi.NodeReadings;
import io.distributedsupervisor.spi.Timings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * What the {@link Timings} hook costs a local {@code call}: the call of {@link LocalCallBenchmark}
 * (one child, concurrency 1, from one platform thread) on a node with no listener at all (the
 * reference: the hook's {@code Timings.NONE} path, one identity comparison), with a listener whose
 * observer only adds the nanoseconds up (the hook's whole attached path: one more ticker reading
 * and the report), and with a {@link MicrometerListener} on a {@link SimpleMeterRegistry} (a
 * {@code Timer.record} per call). Measured in rounds that alternate in one JVM, as
 * {@link LocalCallRounds} does (fresh node each round), printed as medians of the rounds' median
 * call times [min-max] and ratios to the reference.
 *
 * <p>The attached no-op observer does strictly more than the unattached path (a clock read, a
 * virtual call, a try/finally, against one comparison), so its excess over the reference bounds
 * from above what the hook costs with no registry attached; but a local call's wake-ups vary by
 * more than the hook costs. So the hook alone is measured too, with JMH
 * ({@link TimingsHookBenchmark}, in a fork), and printed as a share of the local call of the same
 * run. Argument {@code --quick}: 3 rounds of 1 s warm-up and 1 s measurement instead of 7 of 3 s
 * and 3 s, and shorter JMH runs.
 */
public final class HookCost {
    private HookCost() {
    }

    /** Adds up what it is told: the cheapest observer that is not {@code Timings.NONE}. */
    private static final class Summing implements Listener, Timings {
        final LongAdder nanos = new LongAdder();

        @Override
        public Timings timings(NodeReadings node) {
            return this;
        }

        @Override
        public void call(boolean remote, boolean ok, long took) {
            nanos.add(took);
        }
    }

    public static void main(String[] args) throws Exception {
        boolean quick = List.of(args).contains("--quick");
        int rounds = quick ? 3 : 7;
        Duration d = Duration.ofSeconds(quick ? 1 : 3);
        String[] names = {"no listener (Timings.NONE: reference)", "no-op observer attached",
                "MicrometerListener, SimpleMeterRegistry"};
        double[][] results = new double[names.length][rounds];
        for (int r = 0; r < rounds; r++) {
            results[0][r] = call(d, null);
            results[1][r] = call(d, new Summing());
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            results[2][r] = call(d, new MicrometerListener(registry));
            registry.close();
        }
        System.out.println();
        System.out.printf("Local call, 1 child, concurrency 1, median us of each round; medians of %d rounds [min-max],"
                + " alternating%n", rounds);
        System.out.printf("%-42s %-22s %s%n", "what", "median us", "ratio to no listener");
        for (int f = 0; f < names.length; f++) {
            System.out.printf("%-42s %-22s %.3fx%n", names[f], cell(results[f]), median(results[f]) / median(results[0]));
        }
        double[] excess = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            excess[r] = (results[1][r] - results[0][r]) / results[0][r];
        }
        System.out.printf("no-op observer over the reference, per round (%%): %s; median %+.1f%%%n",
                Arrays.toString(Arrays.stream(excess).map(x -> Math.round(x * 1000) / 10.0).toArray()),
                median(excess) * 100);

        // The hook alone is a few nanoseconds: far below the rounds' noise, so JMH measures it,
        // and it is set against this run's call.
        Map<String, Double> ns = hookAlone(quick);
        double callNs = median(results[0]) * 1000;
        System.out.println();
        System.out.printf("The hook alone (TimingsHookBenchmark, JMH, ns/op), as a share of this run's local call (%.0f ns)%n",
                callNs);
        System.out.printf("%-42s %-12s %-14s %s%n", "what", "ns/op", "minus reference", "share of a local call");
        for (String b : List.of("reference", "nothingAttached", "noopObserver", "micrometer")) {
            double extra = ns.get(b) - ns.get("reference");
            System.out.printf("%-42s %-12.2f %-14.2f %.3f%%%n", b, ns.get(b), extra, 100 * Math.max(0, extra) / callNs);
        }
        System.out.printf("Goal: the hook with nothing attached under 5%% of a local call: %.3f%%%n",
                100 * Math.max(0, ns.get("nothingAttached") - ns.get("reference")) / callNs);
    }

    private static Map<String, Double> hookAlone(boolean quick) throws RunnerException {
        ChainedOptionsBuilder options = new OptionsBuilder().include(TimingsHookBenchmark.class.getSimpleName());
        if (quick) {
            options.warmupIterations(2).warmupTime(TimeValue.seconds(1)).measurementIterations(3)
                    .measurementTime(TimeValue.seconds(1));
        }
        Map<String, Double> ns = new TreeMap<>();
        for (RunResult r : new Runner(options.build()).run()) {
            String name = r.getParams().getBenchmark();
            ns.put(name.substring(name.lastIndexOf('.') + 1), r.getPrimaryResult().getScore());
        }
        return ns;
    }

    /** The median call time of one round, in µs, on a fresh node with {@code listener} (none when null). */
    private static double call(Duration d, Listener listener) throws Exception {
        try (InMemoryCluster cluster = new InMemoryCluster()) {
            SupervisorOptions.Builder b = SupervisorOptions.builder("hook").nodeName("n1").serviceLoaderListeners(false)
                    .allowList(List.of(Echo.class.getName()));
            if (listener != null) {
                b.listeners(List.of(listener));
            }
            DistributedSupervisor ds = cluster.start(b);
            ds.startChild(ChildSpec.of(Echo.class).withId("echo"));
            return Measure.medianMicros(d, () -> ds.call("echo", "echo"));
        }
    }

    private static String cell(double[] figures) {
        double[] sorted = figures.clone();
        Arrays.sort(sorted);
        return String.format("%.2f [%.2f-%.2f]", median(figures), sorted[0], sorted[sorted.length - 1]);
    }

    private static double median(double[] figures) {
        double[] sorted = figures.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
