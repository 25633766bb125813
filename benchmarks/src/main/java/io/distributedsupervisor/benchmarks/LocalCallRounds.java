package io.distributedsupervisor.benchmarks;

import io.distributedsupervisor.benchmarks.transport.Measure;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The local call of {@link LocalCallBenchmark} against the bare hand-off of
 * {@link HandOffBenchmark}, at concurrency 1 from one platform thread, in rounds that alternate
 * in one JVM (fresh threads and a fresh node each round), printed as medians of the rounds'
 * median call times [min-max] and the ratio of the medians. JMH ({@link CallComparison})
 * measures each benchmark in a fork of its own, so on a machine whose thread wake-ups change
 * speed from one start to the next, its reference and its call may come from different modes;
 * alternating rounds expose both to the same drift. Argument {@code --quick}: 3 rounds of 1 s
 * warm-up and 1 s measurement instead of 7 of 3 s and 3 s.
 */
public final class LocalCallRounds {
    private LocalCallRounds() {
    }

    /** One figure, measured once. */
    @FunctionalInterface
    private interface Figure {
        double measure() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        boolean quick = List.of(args).contains("--quick");
        int rounds = quick ? 3 : 7;
        Duration d = Duration.ofSeconds(quick ? 1 : 3);
        Figure[] figures = {() -> handOff(d, false), () -> call(d, 1), () -> call(d, 1000), () -> handOff(d, true)};
        double[][] results = new double[figures.length][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int f = 0; f < figures.length; f++) {
                results[f][r] = figures[f].measure();
            }
        }
        System.out.println();
        System.out.printf("Local call vs. bare hand-off, concurrency 1, median us of each round; medians of %d rounds [min-max],"
                + " alternating%n", rounds);
        System.out.printf("%-40s %-22s %s%n", "what", "median us", "ratio to the hand-off");
        String[] names = {"bare hand-off (reference)", "call, 1 child", "call, 1,000 children (round-robin)",
                "yardstick: hand-off to a new virtual thread"};
        for (int f = 0; f < figures.length; f++) {
            System.out.printf("%-40s %-22s %.2fx%n", names[f], cell(results[f]), median(results[f]) / median(results[0]));
        }
    }

    private static double handOff(Duration d, boolean virtualThread) throws Exception {
        HandOffBenchmark bench = new HandOffBenchmark();
        bench.setUp();
        try {
            return Measure.medianMicros(d, virtualThread ? bench::virtualThreadHandOff : bench::handOff);
        } finally {
            bench.tearDown();
        }
    }

    private static double call(Duration d, int children) throws Exception {
        LocalCallBenchmark bench = new LocalCallBenchmark();
        bench.children = children;
        bench.setUp();
        try {
            LocalCallBenchmark.Cursor cursor = new LocalCallBenchmark.Cursor();
            return Measure.medianMicros(d, () -> bench.call(cursor));
        } finally {
            bench.tearDown();
        }
    }

    private static String cell(double[] figures) {
        double[] sorted = figures.clone();
        Arrays.sort(sorted);
        return String.format("%.1f [%.1f-%.1f]", median(figures), sorted[0], sorted[sorted.length - 1]);
    }

    private static double median(double[] figures) {
        double[] sorted = figures.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
