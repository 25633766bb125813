package io.distributedsupervisor.benchmarks.zookeeper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * How the cluster's costs grow with the number of children (issue 12, part 4): for each size
 * asked (default 10,000, 100,000 and 1,000,000; {@code --quick}: 10,000), a fresh stock ZooKeeper
 * server in a JVM of its own ({@link StandaloneZooKeeper}) and node JVMs ({@link ScaleNode}, public
 * API only, so any znode layout), measuring:
 * <ol>
 *   <li>the start rate: half the children (at most 50,000) with {@code startChild} from 64
 *       starters over 3 nodes; of the rest, half with {@code startChildren(List)} in batches of
 *       1,000 (one batch in flight per node) and half with {@code startChildAsync}, 1,000 in
 *       flight per node, over 3 nodes; each against raw Curator async creates from 3 clients
 *       with the same window (64 in all, 1,000 each),
 *       as many znodes: each phase runs in {@value #ROUNDS} rounds, each round's starts right
 *       after a round of raw creates of the same count, and its ratio is the median of the
 *       rounds' ratios (a reference measured once per size drifted 2-3x between runs);</li>
 *   <li>the server's {@code zk_packets_sent} per start, and the watch events among them: sent
 *       minus received, since each request (and each ping) gets one answer;</li>
 *   <li>heap per child on a node after full collections: the view of others' children (a node
 *       that joins afterwards and owns nothing, against the same node joined to an empty
 *       cluster), and own children (an owner's growth minus the view's);</li>
 *   <li>the server's live heap, znodes, approximate data size and watches per child
 *       ({@code mntr}, {@code jcmd GC.class_histogram});</li>
 *   <li>the time for a new node to join and load its view (until {@code children()} holds all);</li>
 *   <li>failover: a node holding a quarter of the children is killed (SIGKILL), until every
 *       survivor's {@code health().lastFailover()} says its share ran init, against the session
 *       timeout; when the succession that hands its children on was written; and the CPU the
 *       survivors' and the server's processes used from then on;</li>
 *   <li>a full-cluster restart: every node killed and launched again, until the nodes'
 *       {@code localChildren()} add up to all children;</li>
 *   <li>the largest {@code getChildren} answer in the tree (a plain ZooKeeper client walks it).</li>
 * </ol>
 * Each size's figures are printed as they come and saved under {@code benchmarks/target/scale/},
 * and the table at the end shows every size saved there, so sizes can run one at a time.
 *
 * <p>Arguments: {@code [sizes...] [--quick] [--session-timeout-ms 6000] [--warm-failover <children>]
 * [--node-jvm "<options>"]}, the last appended to the node JVMs' options (for example
 * {@code -XX:StartFlightRecording}). With {@code --warm-failover}, a sixth node joins before the
 * failover, runs its ring share of that many new children, and is killed; the failover measured is
 * then every survivor's second, on code the first one compiled (without it, the first: the heirs'
 * path runs while the JIT compiles it).
 */
public final class ScaleBenchmark {
    private static final int OWNERS = 4;
    private static final int STARTERS = 64;
    private static final int WINDOW = 1_000;
    private static final int WARM = 1_000;
    private static final int SYNC_STARTS = 50_000;
    private static final int ROUNDS = 3;

    private final int size;
    private final Duration session;
    private final Path logs;
    private final List<String> nodeJvm;
    /** Children started for a warm-up failover before the one measured; 0 for none. */
    private final int warmFailover;
    private final Map<String, Double> figures = new LinkedHashMap<>();
    private final List<ScaleNodeProcess> processes = new ArrayList<>();

    private ScaleBenchmark(int size, Duration session, Path logs, List<String> nodeJvm, int warmFailover) {
        this.nodeJvm = nodeJvm;
        this.warmFailover = warmFailover;
        this.size = size;
        this.session = session;
        this.logs = logs;
    }

    public static void main(String[] args) throws Exception {
        List<Integer> sizes = new ArrayList<>();
        Duration session = Duration.ofSeconds(6);
        List<String> nodeJvm = new ArrayList<>();
        int warmFailover = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--warm-failover" -> warmFailover = Integer.parseInt(args[++i].replace("_", "").replace(",", ""));
                case "--quick" -> sizes.add(10_000);
                case "--session-timeout-ms" -> session = Duration.ofMillis(Long.parseLong(args[++i]));
                case "--node-jvm" -> nodeJvm.addAll(List.of(args[++i].trim().split("\\s+")));
                default -> sizes.add(Integer.parseInt(args[i].replace("_", "").replace(",", "")));
            }
        }
        if (sizes.isEmpty()) {
            sizes.addAll(List.of(10_000, 100_000, 1_000_000));
        }
        Path results = Files.isDirectory(Path.of("benchmarks", "target")) ? Path.of("benchmarks", "target", "scale")
                : Path.of(System.getProperty("java.io.tmpdir"), "ds-scale");
        Files.createDirectories(results);
        for (int size : sizes) {
            ScaleBenchmark run = new ScaleBenchmark(size, session, results.resolve("logs-" + size), nodeJvm, warmFailover);
            System.out.printf("%n=== %,d children, %d owner nodes + 1 joining, session timeout %d ms (logs in %s)%n",
                    size, OWNERS, session.toMillis(), run.logs);
            try {
                run.run();
            } finally {
                ScaleTable.save(results.resolve(size + ".properties"), size, run.figures);
            }
        }
        ScaleTable.print(results);
    }

    private Duration timeout() {
        return Duration.ofSeconds(120 + size / 1_000);
    }

    private void put(String key, double value, String line, Object... args) {
        figures.put(key, value);
        System.out.printf("  " + line + "%n", args);
    }

    private void run() throws Exception {
        String heap = (512 + size / 256) + "m"; // 4 KiB per child and node, at most
        try (StandaloneZooKeeper zk = new StandaloneZooKeeper((512 + size / 341) + "m")) {
            String connect = zk.connectString();
            List<String> jvm = new ArrayList<>(List.of("-Xmx" + heap, "-XX:+UseSerialGC"));
            jvm.addAll(nodeJvm);
            figures.put("session.ms", (double) session.toMillis());

            // A warm-up of the server's create path; each phase measures its own references.
            RawCreates.rate(connect, "/raw-warm", 5_000, 3, WINDOW);
            // startChild at 64 in flight is the slow one: at most 50,000 of them (then async for the rest).
            int half = Math.min(size / 2, SYNC_STARTS);

            // A node alone, for the heap of a node with an empty view.
            ScaleNodeProcess empty = launch("v0", connect, jvm);
            empty.awaitReady(timeout());
            long emptyHeap = empty.heap(timeout());
            empty.request("quit", timeout());
            empty.close();

            List<ScaleNodeProcess> owners = new ArrayList<>();
            for (int i = 1; i <= OWNERS; i++) {
                owners.add(launch("n" + i, connect, jvm));
            }
            for (ScaleNodeProcess n : owners) {
                n.awaitReady(timeout());
            }
            awaitNodes(owners, OWNERS);
            List<ScaleNodeProcess> starters = owners.subList(0, 3);
            start(starters, "w", 0, WARM, "sync", STARTERS / 3); // warms the nodes' start path up
            long[] baseHeap = new long[OWNERS];
            int[] baseLocal = new int[OWNERS];
            for (int i = 0; i < OWNERS; i++) {
                baseLocal[i] = owners.get(i).local(timeout());
                baseHeap[i] = owners.get(i).heap(timeout());
            }
            long znodes0 = zk.mntr("zk_znode_count");
            long data0 = zk.mntr("zk_approximate_data_size");
            long watches0 = zk.mntr("zk_watch_count");
            long zkHeap0 = zk.liveHeap();

            phase(zk, starters, "sync", "startChild, 64 starters over 3 nodes", 0, half, STARTERS / 3);
            int rest = size - half;
            // startChildren(List): the same window as the async phase.
            int batched = rest / 2;
            phase(zk, starters, "batch", "startChildren, batches of 1,000, one per node", half, batched, WINDOW);
            phase(zk, starters, "async", "startChildAsync, 1,000 in flight per node", half + batched, rest - batched, WINDOW);

            int total = WARM + size;
            awaitViews(owners, total);
            long zkHeap = zk.liveHeap();
            put("zk.heap", (zkHeap - zkHeap0) / (double) size, "ZooKeeper server: live heap %,d -> %,d bytes, %.0f B/child",
                    zkHeap0, zkHeap, (zkHeap - zkHeap0) / (double) size);
            long znodes = zk.mntr("zk_znode_count");
            long data = zk.mntr("zk_approximate_data_size");
            long watches = zk.mntr("zk_watch_count");
            put("zk.znodes", (znodes - znodes0) / (double) size,
                    "znodes %,d -> %,d (%.2f/child), data %.0f B/child, watches %,d -> %,d (%.2f/child)",
                    znodes0, znodes, (znodes - znodes0) / (double) size, (data - data0) / (double) size,
                    watches0, watches, (watches - watches0) / (double) size);
            figures.put("zk.data", (data - data0) / (double) size);
            figures.put("zk.watches", (watches - watches0) / (double) size);

            // A fifth node joins and owns nothing (PASSIVE rebalance): its view's cost and load time.
            ScaleNodeProcess viewer = launch("n5", connect, jvm);
            long[] ready = viewer.awaitReady(timeout());
            long loaded = Long.parseLong(viewer.requestValues("awaitview " + total + " " + timeout().toMillis(), timeout()).get("at"));
            put("join.ms", ms(loaded - ready[0]), "join: start() called to a view of all %,d children %,d ms (start() itself"
                    + " %,d ms; the JVM's launch before it %,d ms)", total, (long) ms(loaded - ready[0]),
                    (long) ms(ready[1] - ready[0]), (long) ms(ready[0] - viewer.launchedAt));
            figures.put("join.start.ms", ms(ready[1] - ready[0]));
            int viewerLocal = viewer.local(timeout());
            long viewHeap = viewer.heap(timeout());
            double perView = (viewHeap - emptyHeap) / (double) total;
            put("heap.view", perView, "heap, view of others: %,d -> %,d bytes, %.0f B/child", emptyHeap, viewHeap, perView);
            double own = 0;
            int owned = 0;
            long[] heapBefore = new long[OWNERS];
            int[] localBefore = new int[OWNERS];
            for (int i = 0; i < OWNERS; i++) {
                // Counted before the full collections, which may leave the node without its lease
                // for a moment (its local children then count none).
                localBefore[i] = owners.get(i).local(timeout());
                long h = heapBefore[i] = owners.get(i).heap(timeout());
                int mine = localBefore[i] - baseLocal[i];
                own += h - baseHeap[i] - perView * size;
                owned += mine;
            }
            put("heap.own", own / owned, "heap, own children (growth minus view), mean of %d owners: %.0f B/child", OWNERS, own / owned);

            largestListing(zk);
            if (warmFailover > 0) {
                List<ScaleNodeProcess> survivors = new ArrayList<>(owners);
                survivors.add(viewer);
                total += warmUpFailover(connect, jvm, starters, survivors, total);
                for (int i = 0; i < OWNERS; i++) {
                    localBefore[i] = owners.get(i).local(timeout());
                    heapBefore[i] = owners.get(i).heap(timeout());
                }
                viewerLocal = viewer.local(timeout());
                viewHeap = viewer.heap(timeout());
            }

            // Failover: n4 holds a quarter; it is over when the survivors run every child.
            ScaleNodeProcess victim = owners.get(3);
            int marked = Integer.parseInt(owners.get(0).requestValues("mark " + victim.name, timeout()).get("marked"));
            List<ScaleNodeProcess> survivors = new ArrayList<>(owners.subList(0, 3));
            survivors.add(viewer);
            long killedAtMillis = System.currentTimeMillis();
            long killed = System.nanoTime();
            victim.kill();
            // Each survivor reports when its failover was over (its last inherited child ran init).
            FailoverCpu cpu = new FailoverCpu(survivors, zk);
            FailoverReports reports = FailoverReports.await(survivors, killedAtMillis, marked, timeout(), cpu::look);
            int taken = reports.taken();
            long overAtMillis = reports.overAtMillis();
            cpu.look();
            int runningAfter = localSum(survivors);
            put("failover.ms", overAtMillis - killedAtMillis, "failover: %,d children of a killed node taken over by"
                    + " the survivors (%,d of %,d running in all afterwards) after %,d ms (session timeout %,d ms)",
                    taken, runningAfter, total, overAtMillis - killedAtMillis, session.toMillis());
            figures.put("failover.children", (double) marked);
            // Where the time went: the succession is written once the server ended the dead
            // session; the rest is the heirs reading their share's specs and starting it.
            long written = zk.newestCreation("/distributed-supervisor/" + ScaleNode.SUPERVISOR
                    + "/successions");
            put("failover.succession.ms", written - killedAtMillis, "  the succession was written %,d ms after the kill",
                    written - killedAtMillis);
            // The server's part depends on where the expiry falls in its tick; this part is the heirs'.
            figures.put("failover.heirs.ms", (double) (overAtMillis - written));
            cpuOfHeirsPart(survivors, cpu.since(written), marked);
            // What the children an heir took over cost it, once the failover is over: the heirs'
            // heap growth (after full collections) over the children they run in addition.
            long grown = 0;
            int inherited = 0;
            StringBuilder each = new StringBuilder();
            for (int i = 0; i < survivors.size(); i++) {
                ScaleNodeProcess n = survivors.get(i);
                boolean owner = i < OWNERS - 1; // survivors: the first three owners, then the viewer
                int c = n.local(timeout()) - (owner ? localBefore[i] : viewerLocal);
                long g = n.heap(timeout()) - (owner ? heapBefore[i] : viewHeap);
                grown += g;
                inherited += c;
                each.append(String.format("%s%s +%,d children +%,d bytes", i == 0 ? "" : "; ", n.name, c, g));
            }
            put("heap.inherited", grown / (double) inherited, "heap, inherited children (the heirs' growth): %.0f B/child"
                    + " over %,d (%s)", grown / (double) inherited, inherited, each);

            // Full-cluster restart: every node killed, then launched again.
            List<ScaleNodeProcess> live = new ArrayList<>(owners.subList(0, 3));
            live.add(viewer);
            killed = System.nanoTime();
            live.forEach(ScaleNodeProcess::kill);
            List<ScaleNodeProcess> again = new ArrayList<>();
            for (int i = 1; i <= OWNERS; i++) {
                again.add(launch("n" + i, connect, jvm));
            }
            long allReady = 0;
            int relaunches = 0;
            for (int i = 0; i < again.size(); i++) {
                // A node refuses to join while its name's previous member lives (until its session
                // expires): launched again, as a service manager would.
                while (true) {
                    try {
                        allReady = Math.max(allReady, again.get(i).awaitReady(timeout())[1]);
                        break;
                    } catch (IllegalStateException e) {
                        if (!String.valueOf(e.getMessage()).contains("already a live member")
                                || System.nanoTime() - killed > timeout().toNanos()) {
                            throw e;
                        }
                        relaunches++;
                        Thread.sleep(250);
                        again.set(i, launch(again.get(i).name, connect, jvm));
                    }
                }
            }
            long deadline = System.nanoTime() + timeout().toNanos();
            int running = 0;
            while (System.nanoTime() < deadline && (running = localSum(again)) < total) {
                Thread.sleep(100);
            }
            long restarted = System.nanoTime();
            put("restart.ms", ms(restarted - killed), "full-cluster restart: %,d of %,d running after %,d ms from the kill,"
                    + " %,d ms after the last new node joined (session timeout %,d ms; %d launches refused, the old"
                    + " member still live)",
                    running, total, (long) ms(restarted - killed), (long) ms(restarted - allReady), session.toMillis(),
                    relaunches);
            figures.put("restart.joined.ms", ms(restarted - allReady));
        } finally {
            processes.forEach(ScaleNodeProcess::close);
        }
    }

    /**
     * A failover before the one measured, so that the heirs' path is compiled: node {@code w}
     * joins, gets its ring share of {@link #warmFailover} new children started by
     * {@code starters}, and is killed; over once {@code survivors} run every child again.
     *
     * @return the children started
     */
    private int warmUpFailover(String connect, List<String> jvm, List<ScaleNodeProcess> starters,
                               List<ScaleNodeProcess> survivors, int total) throws Exception {
        ScaleNodeProcess w = launch("w", connect, jvm);
        w.awaitReady(timeout());
        List<ScaleNodeProcess> all = new ArrayList<>(survivors);
        all.add(w);
        awaitNodes(all, all.size());
        start(starters, "wf", 0, warmFailover, "async", WINDOW);
        awaitViews(all, total + warmFailover);
        int marked = Integer.parseInt(survivors.get(0).requestValues("mark w", timeout()).get("marked"));
        long killedAtMillis = System.currentTimeMillis();
        w.kill();
        // By the heirs' reports: an heir told its share in parts while it scans a large view
        // reports them as one failover (once they reported each part as one).
        FailoverReports reports = FailoverReports.await(survivors, killedAtMillis, marked, timeout(), () -> { });
        System.out.printf("  warm-up failover: node w's %,d children taken over by the survivors' last reports (%s),"
                        + " %,d of %,d running, after %,d ms%n", reports.taken(), reports.each(), localSum(survivors),
                total + warmFailover, reports.overAtMillis() - killedAtMillis);
        return warmFailover;
    }

    /**
     * The CPU that the survivors and the server used in the heirs' part (from the last look
     * before the succession was written until the failover was over), in all and per child taken
     * over: what bounds that part when they share few cores.
     */
    private void cpuOfHeirsPart(List<ScaleNodeProcess> survivors, FailoverCpu.Part part, int children) {
        StringBuilder each = new StringBuilder();
        for (int i = 0; i < survivors.size(); i++) {
            each.append(i == 0 ? "" : ", ").append(survivors.get(i).name).append(' ')
                    .append(String.format("%,d", part.used()[i] / 1_000_000));
        }
        long heirs = part.heirs();
        long server = part.server();
        put("failover.cpu.heirs.ms", heirs / 1e6, "  CPU in the heirs' part (%,d ms from the last look before the succession):"
                        + " heirs %,.0f ms (%s), server %,.0f ms, on %d cores",
                part.toMillis() - part.fromMillis(), heirs / 1e6, each, server / 1e6,
                Runtime.getRuntime().availableProcessors());
        figures.put("failover.cpu.server.ms", server / 1e6);
        put("failover.cpu.perchild.us", (heirs + server) / 1e3 / children,
                "  CPU per child taken over, heirs and server: %.1f us", (heirs + server) / 1e3 / children);
    }

    private void largestListing(StandaloneZooKeeper zk) throws Exception {
        StandaloneZooKeeper.Listing largest = zk.largestListing();
        put("listing.bytes", largest.bytes(), "largest getChildren answer: %s, %,d names, %,d bytes", largest.path(),
                largest.children(), largest.bytes());
    }

    /**
     * Starts ids c{from}.. spread over the starters in the given mode, in {@value #ROUNDS} rounds,
     * each right after raw creates of as many znodes from 3 clients with {@code window} in flight
     * each; records the rates, the median of the rounds' ratios, and the server's packets sent per
     * start and the watch events among them (sent minus received: every request and every ping
     * gets exactly one answer), counted over the starts only.
     */
    private void phase(StandaloneZooKeeper zk, List<ScaleNodeProcess> starters, String mode, String label, int from,
                       int count, int window) throws Exception {
        double[] ratios = new double[ROUNDS];
        double rawSeconds = 0;
        double startSeconds = 0;
        long sent = 0;
        long received = 0;
        for (int r = 0, done = 0; r < ROUNDS; r++) {
            int n = (count - done) / (ROUNDS - r);
            double rawTook = n / RawCreates.rate(zk.connectString(), "/raw-" + mode + "-" + r, n, 3, window);
            long[] before = zk.packets();
            double took = start(starters, "c", from + done, n, mode, window);
            long[] after = zk.packets();
            sent += after[0] - before[0];
            received += after[1] - before[1];
            ratios[r] = rawTook / took;
            rawSeconds += rawTook;
            startSeconds += took;
            done += n;
        }
        double rawRate = count / rawSeconds;
        double rate = count / startSeconds;
        double[] sorted = ratios.clone();
        java.util.Arrays.sort(sorted);
        double ratio = sorted[ROUNDS / 2];
        put("raw." + mode, rawRate, "%-48s %,10.0f znodes/s", "  its reference, raw creates, " + window * 3 + " in flight:",
                rawRate);
        put("start." + mode, rate, "%-48s %,10.0f children/s  %.2fx raw (median of %d rounds, %.2f-%.2f); server packets"
                + " per start: %.1f sent, %.1f of them watch events", label + ":", rate, ratio, ROUNDS, sorted[0],
                sorted[ROUNDS - 1], sent / (double) count, (sent - received) / (double) count);
        figures.put("ratio." + mode, ratio);
        figures.put("packets." + mode, sent / (double) count);
        figures.put("events." + mode, (sent - received) / (double) count);
    }

    /** The server's {zk_packets_sent, zk_packets_received}. */
    private ScaleNodeProcess launch(String name, String connect, List<String> jvm) {
        ScaleNodeProcess p = ScaleNodeProcess.launch(name, connect, session, jvm, logs);
        processes.add(p);
        return p;
    }

    private void awaitNodes(List<ScaleNodeProcess> nodes, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (ScaleNodeProcess p : nodes) {
            while (Integer.parseInt(p.requestValues("count", timeout()).get("nodes")) < n) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(p.name + " does not see " + n + " nodes");
                }
                Thread.sleep(20);
            }
        }
    }

    /** Waits until each of {@code nodes} has {@code children} in its view. */
    private void awaitViews(List<ScaleNodeProcess> nodes, int children) {
        for (ScaleNodeProcess n : nodes) {
            n.request("awaitview " + children + " " + timeout().toMillis(), timeout());
        }
    }

    private int localSum(List<ScaleNodeProcess> nodes) {
        return nodes.stream().mapToInt(n -> n.local(timeout())).sum();
    }

    /** Starts ids prefix+from.. spread over the nodes, all at once; answers the seconds it took. */
    private double start(List<ScaleNodeProcess> nodes, String prefix, int from, int count, String mode, int perNode)
            throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        List<String> answers = Collections.synchronizedList(new ArrayList<>());
        long t0 = System.nanoTime();
        for (int k = 0; k < nodes.size(); k++) {
            ScaleNodeProcess node = nodes.get(k);
            int a = from + (int) ((long) count * k / nodes.size());
            int b = from + (int) ((long) count * (k + 1) / nodes.size());
            threads.add(Thread.startVirtualThread(() -> answers.add(node.name + " " + node.request(
                    "start " + prefix + " " + a + " " + (b - a) + " " + mode + " " + perNode, timeout()))));
        }
        for (Thread t : threads) {
            t.join();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        for (String answer : answers) {
            if (!answer.contains("failed=0 ")) {
                System.out.println("  (some starts failed) " + answer);
            }
        }
        if (answers.size() != nodes.size()) {
            throw new IllegalStateException("a node did not finish its starts: " + answers);
        }
        return seconds;
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
