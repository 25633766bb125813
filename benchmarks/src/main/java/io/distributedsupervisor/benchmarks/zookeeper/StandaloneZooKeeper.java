package io.distributedsupervisor.benchmarks.zookeeper;

import io.distributedsupervisor.zookeeper.EmbeddedZooKeeper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.data.Stat;

/**
 * A stock ZooKeeper server in a JVM of its own ({@code ZooKeeperServerMain} from the zookeeper jar
 * on this class path): the sample {@code zoo.cfg}'s settings (tick 2 s, so sessions of 4 to 40 s),
 * default {@code jute.maxbuffer}, all four-letter words allowed, the admin server off (its port
 * 8080 would clash with other programs), a temporary data folder deleted on {@link #close()}.
 * Reads its {@code mntr} and its live heap (a histogram's total after the full collection that
 * {@code jcmd GC.class_histogram} runs).
 */
final class StandaloneZooKeeper implements AutoCloseable {
    private final Path dir;
    private final int port;
    private final Process process;

    StandaloneZooKeeper(String maxHeap) throws IOException, InterruptedException {
        dir = Files.createTempDirectory("ds-scale-zk");
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path cfg = dir.resolve("zoo.cfg");
        Files.writeString(cfg, String.join("\n",
                "tickTime=2000", "initLimit=10", "syncLimit=5",
                "dataDir=" + dir.resolve("data"), "clientPort=" + port,
                "4lw.commands.whitelist=*", "admin.enableServer=false", ""));
        List<String> cmd = List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx" + maxHeap,
                "-cp", System.getProperty("java.class.path"), "org.apache.zookeeper.server.ZooKeeperServerMain",
                cfg.toString());
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server.log").toFile())).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                if (fourLetterWord("ruok").startsWith("imok")) {
                    break;
                }
            } catch (IOException e) {
                if (System.nanoTime() > deadline || !process.isAlive()) {
                    close();
                    throw new IllegalStateException("the ZooKeeper server did not come up: " + e);
                }
            }
            Thread.sleep(100);
        }
    }

    String connectString() {
        return "127.0.0.1:" + port;
    }

    /** The server's {@code zk_packets_sent} and {@code zk_packets_received} so far. */
    long[] packets() throws IOException {
        Map<String, String> m = mntr();
        return new long[] {Long.parseLong(m.get("zk_packets_sent")), Long.parseLong(m.get("zk_packets_received"))};
    }

    /** The {@code mntr} figures, by name. */
    Map<String, String> mntr() throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : fourLetterWord("mntr").split("\n")) {
            int tab = line.indexOf('\t');
            if (tab > 0) {
                m.put(line.substring(0, tab), line.substring(tab + 1).trim());
            }
        }
        return m;
    }

    /** A {@code mntr} figure as a number. */
    long mntr(String key) throws IOException {
        String v = mntr().get(key);
        if (v == null) {
            throw new IllegalStateException("mntr has no " + key);
        }
        return (long) Double.parseDouble(v);
    }

    /** The CPU time the server's JVM has used so far (user and system, all threads). */
    java.time.Duration cpu() {
        return process.toHandle().info().totalCpuDuration().orElseThrow();
    }

    /** Bytes of live objects in the server's heap, after a full collection ({@link LiveHeap}). */
    long liveHeap() throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), String.valueOf(process.pid()), "GC.class_histogram")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return LiveHeap.of(out);
    }

    private String fourLetterWord(String word) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(word.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The largest {@code getChildren} answer found, by its serialized size. */
    record Listing(String path, int children, long bytes) {
    }

    /** When the newest child of {@code folder} was made (its ctime, ms since the epoch), or 0 if it has none. */
    long newestCreation(String folder) throws Exception {
        ZooKeeper zk = plainClient();
        try {
            long newest = 0;
            for (String c : zk.getChildren(folder, false)) {
                org.apache.zookeeper.data.Stat stat = zk.exists(folder + "/" + c, false);
                if (stat != null) {
                    newest = Math.max(newest, stat.getCtime());
                }
            }
            return newest;
        } finally {
            zk.close();
        }
    }

    /** A plain ZooKeeper client with the benchmarks' digest credentials and a client buffer of 256 MiB. */
    private ZooKeeper plainClient() throws Exception {
        ZKClientConfig config = new ZKClientConfig();
        config.setProperty(ZKClientConfig.JUTE_MAXBUFFER, String.valueOf(256 << 20));
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(connectString(), 30_000, e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        }, config);
        connected.await(30, TimeUnit.SECONDS);
        zk.addAuthInfo("digest", (EmbeddedZooKeeper.TEST_USER + ":" + EmbeddedZooKeeper.TEST_PASSWORD)
                .getBytes(StandardCharsets.UTF_8));
        return zk;
    }

    /**
     * Walks the whole tree with a plain ZooKeeper client (the benchmarks' digest credentials; a
     * client buffer of 256 MiB so that it can read answers the stock 1 MiB limit refuses) and
     * answers the largest {@code getChildren} listing, by the bytes of its answer
     * (4 + the sum of 4 + name length). A folder with more than 64 children whose first 16
     * have no children of their own is taken as a folder of leaves and not walked into.
     */
    Listing largestListing() throws Exception {
        ZooKeeper zk = plainClient();
        try {
            Listing largest = new Listing("/", 0, 0);
            Deque<String> folders = new ArrayDeque<>(List.of("/"));
            while (!folders.isEmpty()) {
                String folder = folders.pop();
                List<String> children = zk.getChildren(folder, false);
                long bytes = 4;
                for (String c : children) {
                    bytes += 4 + c.getBytes(StandardCharsets.UTF_8).length;
                }
                if (bytes > largest.bytes()) {
                    largest = new Listing(folder, children.size(), bytes);
                }
                String prefix = folder.equals("/") ? "/" : folder + "/";
                if (children.size() > 64 && children.stream().limit(16).allMatch(c -> leaf(zk, prefix + c))) {
                    continue;
                }
                for (String c : children) {
                    if (!(prefix + c).equals("/zookeeper")) {
                        folders.push(prefix + c);
                    }
                }
            }
            return largest;
        } finally {
            zk.close();
        }
    }

    private static boolean leaf(ZooKeeper zk, String path) {
        try {
            Stat stat = zk.exists(path, false);
            return stat == null || stat.getNumChildren() == 0;
        } catch (Exception e) {
            throw new IllegalStateException("exists " + path, e);
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            List<Path> all = new ArrayList<>(files.sorted(Comparator.reverseOrder()).toList());
            for (Path f : all) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + dir, e);
        }
    }
}
