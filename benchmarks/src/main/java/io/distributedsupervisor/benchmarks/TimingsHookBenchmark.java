package io.distributedsupervisor.benchmarks;

import io.distributedsupervisor.Ticker;
import io.distributedsupervisor.micrometer.MicrometerListener;
import io.distributedsupervisor.spi.NodeReadings;
import io.distributedsupervisor.spi.Timings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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
 * The {@link Timings} hook alone, in nanoseconds per operation: what the runtime's {@code call}
 * does around the call itself (the shape of {@code Router.call}: load the node's observer,
 * compare it with {@code Timings.NONE}; when one is attached, read the ticker and report), with
 * nothing attached, with an observer that does nothing, and with a {@link MicrometerListener} on
 * a {@link SimpleMeterRegistry}; {@link #reference} does none of it. {@link HookCost} sets these
 * against a local call measured in the same run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class TimingsHookBenchmark {
    // Fields, not constants: read at each operation, as the runtime reads NodeContext.timings.
    private Timings none = Timings.NONE;
    private Timings noop = new Timings() { };
    private Timings micrometer;
    private final Ticker ticker = Ticker.system();
    private long madeAt;
    private SimpleMeterRegistry registry;

    @Setup(Level.Trial)
    public void setUp() {
        registry = new SimpleMeterRegistry();
        micrometer = new MicrometerListener(registry).timings(new NodeReadings() {
            @Override
            public String supervisor() {
                return "bench";
            }

            @Override
            public String node() {
                return "n1";
            }

            @Override
            public int maxMailboxDepth() {
                return 0;
            }

            @Override
            public long totalMailboxDepth() {
                return 0;
            }
        });
        madeAt = ticker.read();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        registry.close();
    }

    private long measured(Timings timings) {
        if (timings == Timings.NONE) {
            return madeAt;
        }
        timings.call(false, true, ticker.read() - madeAt);
        return madeAt;
    }

    @Benchmark
    public long reference() {
        return madeAt;
    }

    @Benchmark
    public long nothingAttached() {
        return measured(none);
    }

    @Benchmark
    public long noopObserver() {
        return measured(noop);
    }

    @Benchmark
    public long micrometer() {
        return measured(micrometer);
    }
}
