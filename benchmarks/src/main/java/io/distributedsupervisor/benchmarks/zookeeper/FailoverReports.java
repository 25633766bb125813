package io.distributedsupervisor.benchmarks.zookeeper;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The survivors' last failover reports ({@code health().lastFailover()}) made after a kill: the
 * children they took over in all, when the last of them was over, and each survivor's count.
 * Asking for them costs the nodes nothing, where counting their children would take CPU from the
 * very failover the scale benchmark measures.
 */
record FailoverReports(int taken, long overAtMillis, String each) {

    /**
     * Asks {@code survivors} every 100 ms until their reports made after {@code killedAtMillis}
     * add up to {@code marked} children, or {@code timeout} passed; runs {@code eachLook} before
     * each round.
     */
    static FailoverReports await(List<ScaleNodeProcess> survivors, long killedAtMillis, int marked, Duration timeout,
                                 Runnable eachLook) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        FailoverReports reports = new FailoverReports(0, 0, "");
        while (System.nanoTime() < deadline) {
            eachLook.run();
            int taken = 0;
            long overAtMillis = 0;
            StringJoiner each = new StringJoiner(", ");
            for (ScaleNodeProcess n : survivors) {
                Map<String, String> f = n.requestValues("failover", timeout);
                long at = Long.parseLong(f.get("at"));
                if (at > killedAtMillis) { // not an earlier failover's
                    int children = Integer.parseInt(f.get("children"));
                    taken += children;
                    overAtMillis = Math.max(overAtMillis, at);
                    each.add(n.name + " " + String.format("%,d", children));
                }
            }
            reports = new FailoverReports(taken, overAtMillis, each.toString());
            if (taken >= marked) {
                break;
            }
            Thread.sleep(100);
        }
        return reports;
    }
}
