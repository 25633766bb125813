package io.distributedsupervisor.benchmarks.zookeeper;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The scale table: the figures that each size's run of {@link ScaleBenchmark} saved, side by side,
 * with how each grows from one size to the next.
 */
final class ScaleTable {
    private ScaleTable() {
    }

    private record Row(String key, String label, String format) {
    }

    private static final List<Row> ROWS = List.of(
            new Row("raw.sync", "raw creates, 3 clients, 64 in flight (znodes/s)", "%,.0f"),
            new Row("start.sync", "startChild, 64 starters, 3 nodes (children/s)", "%,.0f"),
            new Row("ratio.sync", "  startChild / raw, median of rounds (goal >= 0.5)", "%.2fx"),
            new Row("raw.batch", "raw creates, 3 clients, 1,000 in flight each, rounds of the batch phase (znodes/s)", "%,.0f"),
            new Row("start.batch", "startChildren, batches of 1,000, one per node, 3 nodes (children/s)", "%,.0f"),
            new Row("ratio.batch", "  startChildren / raw, median of rounds (goal >= 0.5)", "%.2fx"),
            new Row("raw.async", "raw creates, 3 clients, 1,000 in flight each, rounds of the async phase (znodes/s)", "%,.0f"),
            new Row("start.async", "startChildAsync, 1,000 in flight per node, 3 nodes (children/s)", "%,.0f"),
            new Row("ratio.async", "  startChildAsync / raw, median of rounds (goal >= 0.5)", "%.2fx"),
            new Row("packets.sync", "server packets sent per startChild", "%.1f"),
            new Row("events.sync", "  of which watch events (sent - received)", "%.1f"),
            new Row("packets.async", "server packets sent per startChildAsync", "%.1f"),
            new Row("events.async", "  of which watch events (sent - received)", "%.1f"),
            new Row("packets.batch", "server packets sent per child started by startChildren", "%.1f"),
            new Row("events.batch", "  of which watch events (sent - received)", "%.1f"),
            new Row("heap.own", "node heap per own child (B; goal <= 1,024)", "%,.0f"),
            new Row("heap.view", "node heap per child in the view (B; goal <= 200)", "%,.0f"),
            new Row("heap.inherited", "node heap per child an heir took over (B)", "%,.0f"),
            new Row("zk.heap", "ZooKeeper live heap per child (B)", "%,.0f"),
            new Row("zk.znodes", "znodes per child", "%.2f"),
            new Row("zk.data", "ZooKeeper approximate data per child (B)", "%,.0f"),
            new Row("zk.watches", "ZooKeeper watches per child (zk_watch_count)", "%.2f"),
            new Row("join.ms", "join and load the view (ms)", "%,.0f"),
            new Row("join.start.ms", "  of which in start() (ms)", "%,.0f"),
            new Row("failover.children", "children on the killed node", "%,.0f"),
            new Row("failover.ms", "failover, kill to all running elsewhere (ms)", "%,.0f"),
            new Row("session.ms", "  session timeout (ms)", "%,.0f"),
            new Row("failover.succession.ms", "  the succession written (ms from the kill)", "%,.0f"),
            new Row("failover.heirs.ms", "  the heirs' part, succession to all running (ms)", "%,.0f"),
            new Row("failover.cpu.heirs.ms", "  CPU of the heirs in their part (ms)", "%,.0f"),
            new Row("failover.cpu.server.ms", "  CPU of the ZooKeeper server in the heirs' part (ms)", "%,.0f"),
            new Row("failover.cpu.perchild.us", "  CPU per child taken over in the heirs' part, heirs and server (us)", "%.1f"),
            new Row("restart.ms", "full-cluster restart, kill to all running (ms)", "%,.0f"),
            new Row("restart.joined.ms", "  of which after the last node joined (ms)", "%,.0f"),
            new Row("listing.bytes", "largest getChildren answer (bytes)", "%,.0f"));

    /** Saves one size's {@code figures} to {@code file}, where {@link #print} finds them. */
    static void save(Path file, int size, Map<String, Double> figures) throws IOException {
        Properties p = new Properties();
        figures.forEach((k, v) -> p.setProperty(k, String.valueOf(v)));
        p.setProperty("when", java.time.Instant.now().toString());
        try (java.io.Writer w = Files.newBufferedWriter(file)) {
            p.store(w, "ScaleBenchmark, " + size + " children");
        }
    }

    /** The table of every size saved under {@code dir}, with the growth from each size to the next. */
    static void print(Path dir) throws IOException {
        Map<Integer, Properties> runs = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".properties")).toList()) {
                Properties p = new Properties();
                try (Reader r = Files.newBufferedReader(f)) {
                    p.load(r);
                }
                runs.put(Integer.parseInt(f.getFileName().toString().replace(".properties", "")), p);
            }
        }
        List<Integer> sizes = new ArrayList<>(runs.keySet());
        StringBuilder header = new StringBuilder("| figure |");
        StringBuilder rule = new StringBuilder("|---|");
        for (int i = 0; i < sizes.size(); i++) {
            header.append(String.format(" %,d |", sizes.get(i)));
            rule.append("---|");
            if (i > 0) {
                header.append(String.format(" growth (size x%.0f) |", sizes.get(i) / (double) sizes.get(i - 1)));
                rule.append("---|");
            }
        }
        System.out.printf("%nScale table (sizes saved in %s; each run's date there)%n%n%s%n%s%n", dir, header, rule);
        for (Row row : ROWS) {
            StringBuilder line = new StringBuilder("| " + row.label() + " |");
            for (int i = 0; i < sizes.size(); i++) {
                Double v = value(runs.get(sizes.get(i)), row.key());
                line.append(' ').append(v == null ? "-" : String.format(row.format(), v)).append(" |");
                if (i > 0) {
                    Double prev = value(runs.get(sizes.get(i - 1)), row.key());
                    line.append(' ').append(v == null || prev == null || prev == 0 ? "-" : String.format("%.2fx", v / prev)).append(" |");
                }
            }
            System.out.println(line);
        }
    }

    private static Double value(Properties p, String key) {
        String v = p.getProperty(key);
        return v == null ? null : Double.valueOf(v);
    }
}
