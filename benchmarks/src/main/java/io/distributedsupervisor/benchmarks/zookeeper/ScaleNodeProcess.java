package io.distributedsupervisor.benchmarks.zookeeper;

import io.distributedsupervisor.zookeeper.EmbeddedZooKeeper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link ScaleNode} in a child JVM and its driver (the integration tests' {@code NodeProcess}
 * approach: this JVM's java binary and class path, commands on its standard input, replies on its
 * standard output, its standard error to {@code <logDir>/<name>.log}). The cluster secret and the
 * ZooKeeper credentials go in environment variables, not on the command line.
 */
final class ScaleNodeProcess implements AutoCloseable {
    final String name;
    /** When this JVM launched it ({@link System#nanoTime()}, comparable across JVMs on one Linux host). */
    final long launchedAt;
    private final Process process;
    private final Path log;
    private final Writer stdin;
    private final Map<Long, CompletableFuture<String>> pending = new ConcurrentHashMap<>();
    private final AtomicLong requests = new AtomicLong();
    private final CompletableFuture<String> ready = new CompletableFuture<>();

    private ScaleNodeProcess(String name, long launchedAt, Process process, Path log) {
        this.name = name;
        this.launchedAt = launchedAt;
        this.process = process;
        this.log = log;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread.ofPlatform().daemon().name(name + "-stdout").start(this::read);
    }

    /** Launches the node JVM without waiting for it; {@link #awaitReady} waits. */
    static ScaleNodeProcess launch(String name, String zookeeper, Duration sessionTimeout, List<String> jvmOptions,
                                   Path logDir) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ScaleNode.class.getName(), name, zookeeper,
                String.valueOf(sessionTimeout.toMillis())));
        try {
            Files.createDirectories(logDir);
            Path log = logDir.resolve(name + ".log");
            ProcessBuilder builder = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().put(ScaleNode.SECRET_ENV, ClusterBenchmarks.SECRET);
            builder.environment().put(ScaleNode.ACL_ENV, EmbeddedZooKeeper.TEST_USER + ":" + EmbeddedZooKeeper.TEST_PASSWORD);
            long t = System.nanoTime();
            return new ScaleNodeProcess(name, t, builder.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("could not launch node " + name, e);
        }
    }

    /** Waits for its {@code READY} line; answers {nanoTime before DistributedSupervisor.start, after}. */
    long[] awaitReady(Duration timeout) {
        String line = get(ready, timeout, "READY");
        String[] w = line.split(" ");
        return new long[] {Long.parseLong(w[1]), Long.parseLong(w[2])};
    }

    /** Sends a command and waits for the payload of its answer. */
    String request(String command, Duration timeout) {
        long id = requests.incrementAndGet();
        CompletableFuture<String> reply = new CompletableFuture<>();
        pending.put(id, reply);
        try {
            synchronized (stdin) {
                stdin.write(id + " " + command + "\n");
                stdin.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("node " + name + " is gone", e);
        }
        return get(reply, timeout, command);
    }

    /** The {@code key=value} words of a command's answer. */
    Map<String, String> requestValues(String command, Duration timeout) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String word : request(command, timeout).split(" ")) {
            int eq = word.indexOf('=');
            if (eq > 0) {
                map.put(word.substring(0, eq), word.substring(eq + 1));
            }
        }
        return map;
    }

    /** The children the node runs ({@code count}'s {@code local}). */
    int local(Duration timeout) {
        return Integer.parseInt(requestValues("count", timeout).get("local"));
    }

    /** The node's heap after full collections, in bytes ({@code heap}). */
    long heap(Duration timeout) {
        return Long.parseLong(request("heap", timeout));
    }

    private String get(CompletableFuture<String> f, Duration timeout, String what) {
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("node " + name + ": no answer to '" + what + "' within " + timeout + "\n" + logTail());
        } catch (ExecutionException e) {
            throw new IllegalStateException("node " + name + ": '" + what + "' failed: " + e.getCause().getMessage()
                    + "\n" + logTail(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The CPU time the node's JVM has used so far (user and system, all threads). */
    Duration cpu() {
        return process.toHandle().info().totalCpuDuration().orElseThrow();
    }

    /** SIGKILL, and waits until the process is gone. */
    void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "--- last lines of " + log + " ---\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log at " + log + ")";
        }
    }

    private void read() {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith("READY ")) {
                    ready.complete(line);
                } else if (line.startsWith("R ")) {
                    String[] w = line.split(" ", 4);
                    CompletableFuture<String> reply = pending.remove(Long.parseLong(w[1]));
                    String payload = w.length > 3 ? w[3] : "";
                    if (reply != null && w[2].equals("ok")) {
                        reply.complete(payload);
                    } else if (reply != null) {
                        reply.completeExceptionally(new IllegalStateException(payload));
                    }
                }
            }
        } catch (IOException e) {
            // the process is gone; what waits for it fails on its own timeout or below
        }
        IllegalStateException gone = new IllegalStateException("node " + name + " exited");
        ready.completeExceptionally(gone);
        pending.values().forEach(f -> f.completeExceptionally(gone));
    }
}
