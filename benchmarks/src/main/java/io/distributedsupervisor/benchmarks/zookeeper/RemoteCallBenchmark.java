package io.distributedsupervisor.benchmarks.zookeeper;

import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.SupervisorOptions;
import io.distributedsupervisor.benchmarks.Echo;
import io.distributedsupervisor.zookeeper.EmbeddedZooKeeper;
import io.distributedsupervisor.zookeeper.ZooKeeperBackend;
import java.time.Duration;
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
 * A remote {@code call} between two nodes over loopback on the ZooKeeper backend: n1 calls
 * children that run on n2, with a 64-byte payload. Compare with the raw Netty echo of
 * {@code TransportRoundTripBenchmark} (same payload, same loopback): {@link RemoteCallComparison}.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.SampleTime, Mode.Throughput})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class RemoteCallBenchmark {
    private static final int CHILDREN = 64;

    private EmbeddedZooKeeper zk;
    private DistributedSupervisor n1;
    private DistributedSupervisor n2;
    private String[] ids;
    private byte[] payload;

    @State(Scope.Thread)
    public static class Cursor {
        int next;
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        zk = new EmbeddedZooKeeper();
        n1 = node("n1");
        n2 = node("n2");
        // Membership reaches n1 through its watch: the children go to n2 once n1 sees it.
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (!n1.nodes().contains("n2") && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        ids = new String[CHILDREN];
        for (int i = 0; i < CHILDREN; i++) {
            ids[i] = "echo-" + i;
            n1.startChild(ChildSpec.of(Echo.class).withId(ids[i]), "n2");
        }
        payload = new byte[64];
    }

    private DistributedSupervisor node(String name) {
        ZooKeeperBackend backend = ZooKeeperBackend.builder(zk.connectString()).secret("benchmark-cluster-secret-0123456789")
                .digestAcl(EmbeddedZooKeeper.TEST_USER, EmbeddedZooKeeper.TEST_PASSWORD)
                .sessionTimeout(Duration.ofSeconds(10)).build();
        return DistributedSupervisor.start(SupervisorOptions.builder("bench").nodeName(name)
                .serviceLoaderListeners(false).backend(backend).build());
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        n1.close();
        n2.close();
        zk.close();
    }

    @Benchmark
    public Object call(Cursor cursor) {
        return n1.call(ids[cursor.next++ % CHILDREN], payload);
    }
}
