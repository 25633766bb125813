package io.distributedsupervisor.benchmarks.zookeeper;

import java.util.ArrayList;
import java.util.List;

/**
 * The CPU time that a failover's survivors and the ZooKeeper server use, read at each of the
 * scale benchmark's looks (their processes' CPU time), so that it can tell what they used in the
 * heirs' part: the work that two shared cores do in that part (busy, about its length times the
 * cores), and that machines of their own would share out.
 */
final class FailoverCpu {
    private final List<ScaleNodeProcess> survivors;
    private final StandaloneZooKeeper zk;
    private final List<Sample> samples = new ArrayList<>();

    private record Sample(long atMillis, long[] used) {
    }

    /**
     * What was used between two looks: {@code used[i]} by survivor {@code i} (ns), and the last by
     * the server.
     */
    record Part(long fromMillis, long toMillis, long[] used) {
        long server() {
            return used[used.length - 1];
        }

        long heirs() {
            long sum = 0;
            for (int i = 0; i < used.length - 1; i++) {
                sum += used[i];
            }
            return sum;
        }
    }

    FailoverCpu(List<ScaleNodeProcess> survivors, StandaloneZooKeeper zk) {
        this.survivors = List.copyOf(survivors);
        this.zk = zk;
    }

    /** Reads each survivor's CPU time and the server's now. */
    void look() {
        long[] used = new long[survivors.size() + 1];
        for (int i = 0; i < survivors.size(); i++) {
            used[i] = survivors.get(i).cpu().toNanos();
        }
        used[survivors.size()] = zk.cpu().toNanos();
        samples.add(new Sample(System.currentTimeMillis(), used));
    }

    /** What was used from the last look at or before {@code fromMillis} to the last look. */
    Part since(long fromMillis) {
        Sample from = samples.get(0);
        for (Sample s : samples) {
            if (s.atMillis() <= fromMillis) {
                from = s;
            }
        }
        Sample to = samples.get(samples.size() - 1);
        long[] used = new long[to.used().length];
        for (int i = 0; i < used.length; i++) {
            used[i] = to.used()[i] - from.used()[i];
        }
        return new Part(from.atMillis(), to.atMillis(), used);
    }
}
