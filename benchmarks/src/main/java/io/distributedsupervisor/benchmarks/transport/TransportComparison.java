package io.distributedsupervisor.benchmarks.transport;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * {@link PipelinedTransport} against its reference {@link PipelinedEcho}, shape by shape, in one
 * JVM run, printed as a table of medians over several rounds (echo and transport alternate, so
 * that drift of the machine hits both) with the ratios transport / echo. Arguments:
 * {@code --quick} (3 rounds of 1 s warm-up and 1 s measurement per figure instead of 5 rounds of
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
        int rounds = quick ? 3 : 5;
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
        System.out.printf("%-50s %-26s %-26s %s%n", "shape", "echo", "transport", "transport/echo");
        row(PipelinedEcho.OUTSTANDING + " outstanding on one connection, from the loop", pipelined, "%.0f/s");
        row("concurrency 1 from a caller thread, median", latency, "%.1f us");
        row(threads + " blocking caller threads, one connection", blocking, "%.0f/s");
    }

    private static double[][] rounds(int rounds, Figure echo, Figure transport) throws Exception {
        double[][] figures = new double[2][rounds];
        for (int r = 0; r < rounds; r++) {
            figures[0][r] = echo.measure();
            figures[1][r] = transport.measure();
        }
        return figures;
    }

    private static void row(String shape, double[][] figures, String format) {
        double echo = median(figures[0]);
        double transport = median(figures[1]);
        System.out.printf("%-50s %-26s %-26s %.2fx%n", shape, cell(figures[0], format), cell(figures[1], format), transport / echo);
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
