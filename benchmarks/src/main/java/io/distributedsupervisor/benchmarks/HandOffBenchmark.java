package io.distributedsupervisor.benchmarks;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The reference for {@link LocalCallBenchmark}: a bare hand-off between two threads, a queue
 * plus a {@link CompletableFuture} reply, with nothing of the library in between
 * ({@link #handOff}); and the floor of a hand-off to a new virtual thread ({@link #virtualThreadHandOff}).
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.SampleTime, Mode.Throughput})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class HandOffBenchmark {
    private record Request(Object payload, CompletableFuture<Object> reply) {
    }

    private static final Request STOP = new Request(null, null);

    private final LinkedBlockingQueue<Request> queue = new LinkedBlockingQueue<>();
    private Thread consumer;

    @Setup(Level.Trial)
    public void setUp() {
        consumer = Thread.ofPlatform().daemon().start(() -> {
            try {
                for (Request r; (r = queue.take()) != STOP; ) {
                    r.reply.complete(r.payload);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        queue.add(STOP);
        consumer.join();
    }

    @Benchmark
    public Object handOff() throws ExecutionException, InterruptedException {
        CompletableFuture<Object> reply = new CompletableFuture<>();
        queue.add(new Request("echo", reply));
        return reply.get();
    }

    /**
     * A second yardstick, not the goal's reference: the cost of waking an idle child, which has
     * no thread and so gets a new virtual thread for its message.
     */
    @Benchmark
    public Object virtualThreadHandOff() throws ExecutionException, InterruptedException {
        CompletableFuture<Object> reply = new CompletableFuture<>();
        Thread.startVirtualThread(() -> reply.complete("echo"));
        return reply.get();
    }
}
