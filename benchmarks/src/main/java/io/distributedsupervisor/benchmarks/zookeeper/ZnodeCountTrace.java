package io.distributedsupervisor.benchmarks.zookeeper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The server's znode count ({@code mntr}'s {@code zk_znode_count}) sampled every few milliseconds
 * on a thread of its own, from {@linkplain #ZnodeCountTrace construction} to {@link #close()}: a
 * failover's timeline as the server saw it. The dead session's ephemeral znodes leave the tree in
 * one transaction, so the count drops at the expiry, and climbs back as the survivors' claims are
 * applied. {@code mntr} is answered outside the server's request pipeline, so sampling does not
 * queue behind the writes it observes.
 */
final class ZnodeCountTrace {
    private static final long PERIOD_NANOS = 20_000_000L;

    private record Sample(long at, long count) {
    }

    private final StandaloneZooKeeper zk;
    private final List<Sample> samples = new ArrayList<>();
    private final long before;
    private final Thread sampler;
    private volatile boolean running = true;

    ZnodeCountTrace(StandaloneZooKeeper zk) throws IOException {
        this.zk = zk;
        this.before = zk.mntr("zk_znode_count");
        this.sampler = Thread.ofPlatform().name("znode-count-trace").daemon().start(this::sample);
    }

    private void sample() {
        long next = System.nanoTime();
        while (running) {
            try {
                long count = zk.mntr("zk_znode_count");
                synchronized (samples) {
                    samples.add(new Sample(System.nanoTime(), count));
                }
            } catch (IOException e) {
                return; // the server is gone: the trace ends here
            }
            next += PERIOD_NANOS;
            java.util.concurrent.locks.LockSupport.parkNanos(next - System.nanoTime());
        }
    }

    /** Stops sampling; returns the count before the trace began. */
    long close() throws InterruptedException {
        running = false;
        sampler.join();
        return before;
    }

    /** When the count was first at or below {@code count} (nanoTime), or -1. */
    long firstAtOrBelow(long count) {
        synchronized (samples) {
            return samples.stream().filter(s -> s.count() <= count).mapToLong(Sample::at).findFirst().orElse(-1);
        }
    }

    /** When the count was lowest from {@code since} on (the first such sample; nanoTime), or -1. */
    long lowest(long since) {
        synchronized (samples) {
            Sample low = null;
            for (Sample s : samples) {
                if (s.at() >= since && (low == null || s.count() < low.count())) {
                    low = s;
                }
            }
            return low == null ? -1 : low.at();
        }
    }

    /** When the count was first at or above {@code count} from {@code since} on (nanoTime), or -1. */
    long firstAtOrAbove(long count, long since) {
        synchronized (samples) {
            return samples.stream().filter(s -> s.at() >= since && s.count() >= count).mapToLong(Sample::at).findFirst().orElse(-1);
        }
    }
}
