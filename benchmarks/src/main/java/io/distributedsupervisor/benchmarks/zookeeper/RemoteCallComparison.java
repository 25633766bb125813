package io.distributedsupervisor.benchmarks.zookeeper;

import io.distributedsupervisor.benchmarks.transport.PipelinedEcho;
import io.distributedsupervisor.benchmarks.transport.PipelinedTransport;
import io.distributedsupervisor.zookeeper.EmbeddedZooKeeper;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Full-stack remote calls ({@link RemoteCalls}) against the raw Netty echo ({@link PipelinedEcho})
 * in the same shapes, in one JVM run, rounds alternating (echo, then the library) so that drift
 * of the machine hits both; printed as medians of the rounds [min-max] and the ratio of the
 * medians, with the goals:
 * <ul>
 *   <li>{@value PipelinedEcho#OUTSTANDING} {@code callAsync} in flight from one thread (each
 *       completion issues the next), to 1 child and to {@value #CHILDREN} children round-robin,
 *       against {@link PipelinedEcho#throughput}: at least {@value #THROUGHPUT_GOAL}x;</li>
 *   <li>a blocking {@code call} at concurrency 1 from a caller thread, median, against
 *       {@link PipelinedEcho#medianLatencyMicros}: at most {@value #LATENCY_GOAL}x.</li>
 * </ul>
 * A yardstick row, no goal: the transport alone with its server answering each request from a
 * virtual thread started for it ({@link PipelinedTransport#throughputVirtualThreadPerRequest}),
 * what a message to an idle child costs at the least (its child holds no thread).
 * Arguments: {@code --quick} (3 rounds of 1 s warm-up and 1 s measurement per figure instead of 7
 * rounds of 3 s and 3 s), {@code --throughput-only} or {@code --latency-only}.
 */
public final class RemoteCallComparison {
    static final int CHILDREN = 64;
    static final double THROUGHPUT_GOAL = 0.5;
    static final double LATENCY_GOAL = 1.5;

    private RemoteCallComparison() {
    }

    /** One figure, measured once. */
    @FunctionalInterface
    private interface Figure {
        double measure() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        List<String> options = List.of(args);
        boolean quick = options.contains("--quick");
        boolean throughput = !options.contains("--latency-only");
        boolean latency = !options.contains("--throughput-only");
        int rounds = quick ? 3 : 7;
        Duration d = Duration.ofSeconds(quick ? 1 : 3);
        try (EmbeddedZooKeeper zk = new EmbeddedZooKeeper()) {
            double[][] pipelined = !throughput ? null : rounds(rounds, () -> PipelinedEcho.throughput(d),
                    () -> RemoteCalls.throughput(zk, 1, d), () -> RemoteCalls.throughput(zk, CHILDREN, d),
                    () -> PipelinedTransport.throughputVirtualThreadPerRequest(d));
            double[][] median = !latency ? null : rounds(rounds, () -> PipelinedEcho.medianLatencyMicros(d),
                    () -> RemoteCalls.medianLatencyMicros(zk, d));

            System.out.println();
            System.out.printf("Remote call through n1 to children on n2 (ZooKeeper backend, CborCodec, %d-byte byte[]) vs. a raw"
                    + " Netty echo of %d bytes;%nmedians of %d rounds [min-max], same run, alternating%n",
                    PipelinedEcho.PAYLOAD_BYTES, PipelinedEcho.PAYLOAD_BYTES, rounds);
            System.out.printf("%-58s %-28s %-28s %-8s %s%n", "shape", "echo", "library", "ratio", "goal");
            if (throughput) {
                String shape = PipelinedEcho.OUTSTANDING + " callAsync in flight from one thread, ";
                row(shape + "1 child", pipelined[0], pipelined[1], "%.0f/s", true);
                row(shape + CHILDREN + " children", pipelined[0], pipelined[2], "%.0f/s", true);
                row("yardstick: transport + a virtual thread per request", pipelined[0], pipelined[3], "%.0f/s", true);
            }
            if (latency) {
                row("call at concurrency 1 from a caller thread, median", median[0], median[1], "%.1f us", false);
            }
        }
    }

    private static double[][] rounds(int rounds, Figure... figures) throws Exception {
        double[][] results = new double[figures.length][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int f = 0; f < figures.length; f++) {
                results[f][r] = figures[f].measure();
            }
        }
        return results;
    }

    private static void row(String shape, double[] echo, double[] library, String format, boolean higherIsBetter) {
        double ratio = median(library) / median(echo);
        boolean met = higherIsBetter ? ratio >= THROUGHPUT_GOAL : ratio <= LATENCY_GOAL;
        String goal = shape.startsWith("yardstick") ? "-"
                : (higherIsBetter ? ">= " + THROUGHPUT_GOAL : "<= " + LATENCY_GOAL) + "x: " + (met ? "met" : "NOT met");
        System.out.printf("%-58s %-28s %-28s %-8s %s%n", shape, cell(echo, format), cell(library, format),
                String.format("%.2fx", ratio), goal);
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
