package io.distributedsupervisor.benchmarks.transport;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * {@link PipelinedTransport} against its reference {@link PipelinedEcho}, shape by shape, in one
 * JVM run, printed as a table of medians over several rounds (echo and transport alternate, so
 * that drift of the machine hits both) with the ratios transport / echo, of the medians and of
 * the best rounds. Each round starts fresh threads, and on a small machine where they land
 * decides much (a round at concurrency 1 takes either about 35 µs or about 100 µs on the
 * project's 2 cores), hence the best-round ratio next to the median one. Arguments:
 * {@code --quick} (3 rounds of 1 s warm-up and 1 s measurement per figure instead of 7 rounds of
 * 3 s and 3 s), {@code --nio} (both on NIO instead of native epoll).
 */
public final class TransportComparison {
    private TransportComparison() {
    }

    /** One figure, measured once. */
    @FunctionalInterface
    private interface Figure {
        double measure() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        boolean quick = List.of(args).contains("--quick");
        boolean nativeTransport = !List.of(args).contains("--nio");
        int rounds = quick ? 3 : 7;
        Duration d = Duration.ofSeconds(quick ? 1 : 3);
        int threads = 64;

        double[][] pipelined = rounds(rounds, () -> PipelinedEcho.throughput(d, nativeTransport),
                () -> PipelinedTransport.throughput(d, nativeTransport));
        double[][] latency = rounds(rounds, () -> PipelinedEcho.medianLatencyMicros(d, nativeTransport),
                () -> PipelinedTransport.medianLatencyMicros(d, nativeTransport));
        double[][] blocking = rounds(rounds, () -> PipelinedEcho.blockingThroughput(d, threads),
                () -> PipelinedTransport.blockingThroughput(d, threads));

        System.out.println();
        System.out.printf("NodeTransport vs. a raw Netty echo of %d bytes over loopback (%s, %d event-loop threads a side);%n"
                        + "medians of %d rounds [min-max], same run%n", PipelinedEcho.PAYLOAD_BYTES,
                nativeTransport ? "native epoll where available" : "NIO", PipelinedEcho.EVENT_LOOP_THREADS, rounds);
        System.out.printf("%-50s %-26s %-26s %-16s %s%n", "shape", "echo", "transport", "transport/echo", "best/best");
        row(PipelinedEcho.OUTSTANDING + " outstanding on one connection, from the loop", pipelined, "%.0f/s", true);
        row("concurrency 1 from a caller thread, median", latency, "%.1f us", false);
        row(threads + " blocking caller threads, one connection", blocking, "%.0f/s", true);
    }

    private static double[][] rounds(int rounds, Figure echo, Figure transport) throws Exception {
        double[][] figures = new double[2][rounds];
        for (int r = 0; r < rounds; r++) {
            figures[0][r] = echo.measure();
            figures[1][r] = transport.measure();
        }
        return figures;
    }

    private static void row(String shape, double[][] figures, String format, boolean higherIsBetter) {
        double echo = median(figures[0]);
        double transport = median(figures[1]);
        double bestEcho = higherIsBetter ? Arrays.stream(figures[0]).max().orElseThrow() : Arrays.stream(figures[0]).min().orElseThrow();
        double bestTransport = higherIsBetter ? Arrays.stream(figures[1]).max().orElseThrow()
                : Arrays.stream(figures[1]).min().orElseThrow();
        System.out.printf("%-50s %-26s %-26s %-16s %.2fx%n", shape, cell(figures[0], format), cell(figures[1], format),
                String.format("%.2fx", transport / echo), bestTransport / bestEcho);
    }

    private static String cell(double[] figures, String format) {
        double[] sorted = figures.clone();
        Arrays.sort(sorted);
        return String.format(format, median(figures)) + " [" + String.format("%.0f", sorted[0]) + "-"
                + String.format("%.0f", sorted[sorted.length - 1]) + "]";
    }

    private static double median(double[] figures) {
        double[] sorted = figures.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
