package io.distributedsupervisor.benchmarks;

import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.SupervisorOptions;
import io.distributedsupervisor.inmemory.InMemoryCluster;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A local {@code call} round trip: the caller's thread hands a request to a child's mailbox,
 * the child's virtual thread answers, the caller gets the reply. Compare with
 * {@link HandOffBenchmark}, the bare floor of such a hand-off.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.SampleTime, Mode.Throughput})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class LocalCallBenchmark {

    @Param({"1", "1000"})
    public int children;

    private InMemoryCluster cluster;
    private DistributedSupervisor ds;
    private String[] ids;

    @State(Scope.Thread)
    public static class Cursor {
        int next;
    }

    @Setup(Level.Trial)
    public void setUp() {
        cluster = new InMemoryCluster();
        // The in-memory backend stores specs through the codec: the child class must be allowed.
        ds = cluster.start(SupervisorOptions.builder("bench").nodeName("n1").serviceLoaderListeners(false)
                .allowList(List.of(Echo.class.getName())));
        ids = new String[children];
        for (int i = 0; i < children; i++) {
            ids[i] = "echo-" + i;
            ds.startChild(ChildSpec.of(Echo.class).withId(ids[i]));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        cluster.close();
    }

    @Benchmark
    public Object call(Cursor cursor) {
        String id = ids[cursor.next++ % ids.length];
        return ds.call(id, id);
    }
}
