package io.distributedsupervisor.benchmarks.zookeeper;

import static io.distributedsupervisor.benchmarks.zookeeper.DrainCallLoad.CALLERS_PER_NODE;
import static io.distributedsupervisor.benchmarks.zookeeper.DrainBenchmark.STARTERS;
import static io.distributedsupervisor.benchmarks.zookeeper.DrainBenchmark.ms;

import io.distributedsupervisor.DrainReport;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The figures of one size of {@link DrainBenchmark} (times in ns), and how they are printed: per
 * round, with the goals and the checks, and as a summary table of all rounds.
 */
record DrainRound(int n, long setup, DrainReport report, long drainWall, long freshStart, DrainCallWindow steady,
                  DrainCallWindow drain, DrainCallWindow inCall, DrainCallWindow duringFresh,
                  List<DrainCallLoad.Failure> failures, DrainCheck check, DrainMoves moves, double drainCores,
                  double freshCores, String loadAverage, long[] waits) {

    double drainRatio() {
        return drainWall / (double) freshStart;
    }

    double p99Ratio() {
        return drain.p99() / (double) steady.p99();
    }

    int failedTotal() {
        return failures.size();
    }

    String oneLine() {
        return String.format("%,d children: drain %,d ms, fresh start %,d ms (%.2fx), p99 %.2fx, %d failed calls, check %s",
                n, ms(drainWall), ms(freshStart), drainRatio(), p99Ratio(), failedTotal(), check.ok() ? "ok" : "FAILED");
    }

    /** One line per round, after a header naming the callers, the starters, the JDK and the cores. */
    static void printSummary(List<DrainRound> rounds) {
        System.out.printf("%nSummary (%d callers, %d concurrent starters for the references; JDK %s, %d cores)%n",
                2 * CALLERS_PER_NODE, STARTERS, Runtime.version(), Runtime.getRuntime().availableProcessors());
        System.out.println("| children | drain took (wall) | fresh start | drain / fresh | p50 drain / steady"
                + " | p99 drain / steady | p99 corrected, drain / steady | max drain / steady | calls/s drain / steady"
                + " | failed calls | every child once, counts kept |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        for (DrainRound r : rounds) {
            System.out.printf("| %,d | %,d ms (%,d ms) | %,d ms | **%.2fx** | %.2fx | **%.2fx** | %.2fx | %.2fx | %.2fx | **%d** | %s |%n",
                    r.n, r.report.took().toMillis(), ms(r.drainWall), ms(r.freshStart), r.drainRatio(),
                    r.drain.p50() / (double) r.steady.p50(), r.p99Ratio(),
                    r.drain.p99corrected() / (double) r.steady.p99corrected(), r.drain.max() / (double) r.steady.max(),
                    r.drain.perSecond() / r.steady.perSecond(), r.failedTotal(), r.check.ok() ? "yes" : "**NO**");
        }
    }

    void print() {
        System.out.printf("%nDrain of n3 with %,d ring-placed children; 3 nodes, one ZooKeeper server; %d callers"
                + " (%d through n1, %d through n2) calling random children%n", n, 2 * CALLERS_PER_NODE,
                CALLERS_PER_NODE, CALLERS_PER_NODE);
        System.out.printf("  drain()                     took %,d ms (DrainReport.took), %,d ms wall; handed over %,d,"
                + " left to failover %,d, stopped %,d%n", report.took().toMillis(), ms(drainWall), report.handedOver(),
                report.leftToFailover().size(), report.stopped());
        System.out.printf("  reference: fresh start      %,d ms for %,d children (startChild, %d concurrent starters"
                + " through n1 and n2, under the same load, on the two nodes left)%n", ms(freshStart), n, STARTERS);
        System.out.printf("  setup start, no load        %,d ms for %,d children (3 nodes, %d starters; no goal)%n",
                ms(setup), n, STARTERS);
        System.out.printf("  this process used %.2f cores during drain(), %.2f during the fresh start (of %d);"
                + " machine load average %s%n", drainCores, freshCores, Runtime.getRuntime().availableProcessors(),
                loadAverage);
        System.out.printf("  the moves, ms after drain() was called: first child handed over at %,.0f, last at %,.0f,"
                + " last new incarnation in init at %,.0f (%,d seen)%n", moves.firstOut(), moves.lastOut(), moves.lastIn(),
                moves.seen());
        System.out.printf("  each child between two nodes (its handoff to its next init): p50 %,.1f ms, p99 %,.1f ms,"
                + " max %,.1f ms%n", moves.gapP50(), moves.gapP99(), moves.gapMax());
        System.out.printf("%n  %-22s %8s %9s %8s %9s %10s %11s %10s %9s %7s%n", "calls in window", "length", "answered",
                "calls/s", "p50 us", "p99 us", "p99 corr.", "max us", "> 100 ms", "failed");
        row("steady (before)", steady);
        row("drain", drain);
        row("  of which in drain()", inCall);
        row("fresh start (ref.)", duringFresh);
        System.out.printf("  calls slower than 100 ms that began in drain(): %,d; %,d of them began before their child's"
                + " hand-over did (the child still ran on n3, out of its table, waiting for a slot)%s%n", inCall.overSlow(),
                waits.length, waits.length == 0 ? "" : String.format(": they waited p50 %,.0f ms, max %,.0f ms for it",
                        DrainCallLoad.percentile(waits, 0.5) / 1e6, waits[waits.length - 1] / 1e6));
        Map<String, Integer> byKind = new TreeMap<>();
        Map<String, String> example = new HashMap<>();
        synchronized (failures) {
            for (DrainCallLoad.Failure f : failures) {
                byKind.merge(f.kind(), 1, Integer::sum);
                example.putIfAbsent(f.kind(), f.message());
            }
        }
        System.out.printf("  failed calls, whole run: %d %s%n", failures.size(), byKind.isEmpty() ? "" : byKind);
        example.forEach((k, m) -> System.out.printf("    e.g. %s: %s%n", k, m));

        System.out.printf("%n  %-34s %14s %14s %8s %9s %s%n", "", "figure", "reference", "ratio", "goal", "met?");
        goal("drain time (wall) / fresh start", ms(drainWall) + " ms", ms(freshStart) + " ms", drainRatio(),
                "<= 1.0x", drainRatio() <= 1.0);
        goal("p99 during drain / steady p99", us(drain.p99()), us(steady.p99()), p99Ratio(), "<= 10x", p99Ratio() <= 10);
        double corr = drain.p99corrected() / (double) steady.p99corrected();
        goal("p99 corrected (see above) / steady", us(drain.p99corrected()), us(steady.p99corrected()), corr, "<= 10x",
                corr <= 10);
        goal("calls/s during drain / steady", String.format("%,.0f/s", drain.perSecond()),
                String.format("%,.0f/s", steady.perSecond()), drain.perSecond() / steady.perSecond(), "-", null);
        goal("p50 during drain / steady p50", us(drain.p50()), us(steady.p50()), drain.p50() / (double) steady.p50(), "-",
                null);
        goal("max during drain / steady max", us(drain.max()), us(steady.max()), drain.max() / (double) steady.max(), "-",
                null);
        System.out.printf("  %-34s %14d %14s %8s %9s %s%n", "failed calls (whole run)", failures.size(), "", "",
                "0", failures.isEmpty() ? "met" : "NOT met");

        DrainCheck c = check;
        System.out.printf("%n  check: every drained child runs exactly once on the ring's node: %s (%,d of %,d placed,"
                        + " %,d of %,d with one live incarnation in the JVM, %d ids on both nodes)%n",
                c.placed() == c.children() && c.onceInJvm() == c.children() && c.duplicates() == 0 ? "yes" : "NO",
                c.placed(), c.children(), c.onceInJvm(), c.children(), c.duplicates());
        System.out.printf("  check: counts survived: sum of counts %,d %s calls answered %,d: %s (%,d new incarnations"
                        + " got a handed-over count in init)%n", c.countSum(), c.countSum() == c.answered() ? "=" : "!=",
                c.answered(), c.countSum() == c.answered() ? "yes" : "NO", c.handedIn());
        System.out.printf("  check: fresh children once on the ring's node: %,d of %,d%n", c.freshPlaced(), c.fresh());
    }

    private static String us(long nanos) {
        return String.format("%,.0f us", nanos / 1e3);
    }

    private static void row(String name, DrainCallWindow w) {
        System.out.printf("  %-22s %6.1f s %,9d %,8.0f %,9.0f %,10.0f %,11.0f %,10.0f %9d %7d%s%n", name,
                w.lengthNanos() / 1e9, w.calls(), w.perSecond(), w.p50() / 1e3, w.p99() / 1e3, w.p99corrected() / 1e3,
                w.max() / 1e3, w.overSlow(), w.failed(),
                w.failures().isEmpty() ? "" : " " + w.failures());
    }

    private static void goal(String name, String figure, String reference, double ratio, String goal, Boolean met) {
        System.out.printf("  %-34s %14s %14s %7.2fx %9s %s%n", name, figure, reference, ratio, goal,
                met == null ? "-" : met ? "met" : "NOT met");
    }
}
