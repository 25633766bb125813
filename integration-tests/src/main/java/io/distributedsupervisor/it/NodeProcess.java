package io.distributedsupervisor.it;

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
 * A {@link NodeMain} in a child JVM, and its driver: launches it with this JVM's java binary and
 * class path, sends it commands over its standard input, reads replies and witness lines from its
 * standard output (witness lines go to a {@link Witness}), and writes its standard error to a log
 * file. It can kill the node (SIGKILL), pause it (SIGSTOP) and wake it (SIGCONT). Another main
 * class that speaks the same protocol (e.g. {@link ModulePathNode}) is launched with a command
 * line of its own.
 *
 * <p>The child JVM dies with this one: it halts at the end of its standard input, which closes
 * when this JVM exits however it exits, and it watches its parent process as well.
 *
 * <p>Every child JVM gets the tests' ZooKeeper credentials in the environment variable
 * {@value #DIGEST_ACL_ENV}, where the backend's provider reads them: its znodes get their digest ACL.
 * The cluster secret goes in {@value #SECRET_ENV} likewise: neither appears on a command line,
 * which every user of the host can read.
 */
public final class NodeProcess implements AutoCloseable {
    /** JVM options of a node: small and quick to start on a 2-core machine. */
    public static final List<String> JVM_OPTIONS =
            List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto");

    private final String name;
    private final Process process;
    private final Path log;
    private final Writer stdin;
    private final Map<Long, CompletableFuture<String>> pending = new ConcurrentHashMap<>();
    private final AtomicLong requests = new AtomicLong();
    private final CompletableFuture<String> ready = new CompletableFuture<>();
    private final Thread reader;

    private NodeProcess(String name, Process process, Path log, Witness witness) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.reader = Thread.ofPlatform().daemon().name("node-" + name + "-stdout").start(() -> read(witness));
    }

    /**
     * Launches a node and waits until it is ready (joined the cluster).
     *
     * @param name          node name
     * @param zookeeper     ZooKeeper connect string
     * @param supervisor    supervisor name, the same on every node
     * @param secret        cluster secret (passed in {@value #SECRET_ENV})
     * @param sessionTimeout ZooKeeper session timeout
     * @param logDir        where its standard error goes ({@code <name>.log}, appended)
     * @param witness       receives its witness lines
     * @throws IllegalStateException if it does not come up within a minute (with its log's tail)
     */
    public static NodeProcess launch(String name, String zookeeper, String supervisor, String secret,
                                     Duration sessionTimeout, Path logDir, Witness witness) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaCommand());
        cmd.addAll(JVM_OPTIONS);
        cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=info");
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), NodeMain.class.getName(),
                "--name", name, "--zookeeper", zookeeper, "--supervisor", supervisor,
                "--port", "0", "--session-timeout-ms", String.valueOf(sessionTimeout.toMillis())));
        return launch(name, cmd, Map.of(SECRET_ENV, secret), logDir, witness);
    }

    /**
     * Launches a node JVM with this command line and waits until it is ready: for a main class
     * other than {@link NodeMain} (or other JVM options) that speaks its protocol: a line
     * {@code READY ...} once up, a reply line {@code R <req> ok|err <payload>} for each command,
     * and the halt at the end of its standard input.
     *
     * @param command the whole command line, the java binary ({@link #javaCommand()}) first
     * @throws IllegalStateException if it does not come up within a minute (with its log's tail)
     */
    public static NodeProcess launch(String name, List<String> command, Path logDir, Witness witness) {
        return launch(name, command, Map.of(), logDir, witness);
    }

    /** As {@link #launch(String, List, Path, Witness)}, with these environment variables besides the ZooKeeper credentials. */
    public static NodeProcess launch(String name, List<String> command, Map<String, String> environment, Path logDir,
                                     Witness witness) {
        List<String> cmd = List.copyOf(command);
        try {
            Files.createDirectories(logDir);
            Path log = logDir.resolve(name + ".log");
            ProcessBuilder builder = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().put(DIGEST_ACL_ENV, DIGEST_ACL);
            builder.environment().putAll(environment);
            Process p = builder.start();
            NodeProcess node = new NodeProcess(name, p, log, witness);
            try {
                node.ready.get(60, TimeUnit.SECONDS);
            } catch (InterruptedException | ExecutionException | TimeoutException e) {
                node.close();
                throw new IllegalStateException("node " + name + " did not come up: " + e + "\n" + node.logTail(), e);
            }
            return node;
        } catch (IOException e) {
            throw new UncheckedIOException("could not launch node " + name, e);
        }
    }

    /** The environment variable the ZooKeeper backend's provider (and {@link NodeMain}) reads the cluster secret from. */
    public static final String SECRET_ENV = "DS_CLUSTER_SECRET";
    /** The environment variable the ZooKeeper backend's provider reads the digest ACL's {@code user:password} from. */
    public static final String DIGEST_ACL_ENV = "DS_ZOOKEEPER_DIGEST_ACL";
    /** The ZooKeeper credentials of every node JVM (the tests' user): their znodes' digest ACL. */
    public static final String DIGEST_ACL = io.distributedsupervisor.zookeeper.EmbeddedZooKeeper.TEST_USER + ":"
            + io.distributedsupervisor.zookeeper.EmbeddedZooKeeper.TEST_PASSWORD;

    /** The java binary of this JVM, for node JVMs of the same version. */
    public static String javaCommand() {
        return ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** The node's name. */
    public String name() {
        return name;
    }

    /** The operating system's process id of the node JVM. */
    public long pid() {
        return process.pid();
    }

    /** True while the JVM runs (also while it is paused). */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** The file its standard error (its log) goes to. */
    public Path log() {
        return log;
    }

    /** Sends a command; the future completes with the reply's payload, or fails with the node's error. */
    public CompletableFuture<String> send(String command) {
        long id = requests.incrementAndGet();
        CompletableFuture<String> reply = new CompletableFuture<>();
        pending.put(id, reply);
        try {
            synchronized (stdin) {
                stdin.write(id + " " + command + "\n");
                stdin.flush();
            }
        } catch (IOException e) {
            pending.remove(id);
            reply.completeExceptionally(new IllegalStateException("node " + name + " is gone: " + e.getMessage(), e));
        }
        return reply;
    }

    /** Sends a command and waits for its reply's payload. */
    public String request(String command, Duration timeout) {
        CompletableFuture<String> reply = send(command);
        try {
            return reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("node " + name + " did not answer '" + command + "' within " + timeout);
        } catch (ExecutionException e) {
            throw new IllegalStateException("node " + name + " answered '" + command + "' with: "
                    + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for node " + name, e);
        }
    }

    /** The node's {@code status}, as key-value pairs (node, local, children, ring, misplaced, loadOk, ...). */
    public Map<String, String> status() {
        return keyValues(request("status", Duration.ofSeconds(10)));
    }

    /** This node's children: id to incarnation ({@code epoch.restarts}). */
    public Map<String, String> locals() {
        Map<String, String> locals = new LinkedHashMap<>();
        for (String word : request("locals", Duration.ofSeconds(10)).split(" ")) {
            int at = word.lastIndexOf('@');
            if (at > 0) {
                locals.put(word.substring(0, at), word.substring(at + 1));
            }
        }
        return locals;
    }

    /** Parses {@code key=value} words. */
    public static Map<String, String> keyValues(String payload) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String word : payload.split(" ")) {
            int eq = word.indexOf('=');
            if (eq > 0) {
                map.put(word.substring(0, eq), word.substring(eq + 1));
            }
        }
        return map;
    }

    /** SIGKILL, and waits until the process is gone. */
    public void kill() {
        process.destroyForcibly();
        awaitExit();
    }

    /** SIGTERM (as a service manager or Kubernetes stops a process), and waits until the process is gone. */
    public void terminate() {
        signal("TERM");
        awaitExit();
    }

    /** SIGSTOP: the JVM freezes, as in a very long GC pause. */
    public void pause() {
        signal("STOP");
    }

    /** SIGCONT: a paused JVM goes on. */
    public void resume() {
        signal("CONT");
    }

    /** A graceful close ({@code quit}): its children are handed to the other nodes; waits until it exited. */
    public void quit(Duration timeout) {
        request("quit", timeout);
        awaitExit();
    }

    private void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid()))
                    .redirectErrorStream(true).start();
            String out = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed: " + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not run kill -" + signal, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private void awaitExit() {
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            reader.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The last lines of its log, for error messages. */
    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "--- last lines of " + log + " ---\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log at " + log + ")";
        }
    }

    private void read(Witness witness) {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith("W ")) {
                    witness.accept(line);
                } else if (line.startsWith("R ")) {
                    int sp1 = line.indexOf(' ', 2);
                    int sp2 = line.indexOf(' ', sp1 + 1);
                    CompletableFuture<String> reply = pending.remove(Long.parseLong(line.substring(2, sp1)));
                    String status = sp2 < 0 ? line.substring(sp1 + 1) : line.substring(sp1 + 1, sp2);
                    String payload = sp2 < 0 ? "" : line.substring(sp2 + 1);
                    if (reply != null && status.equals("ok")) {
                        reply.complete(payload);
                    } else if (reply != null) {
                        reply.completeExceptionally(new IllegalStateException(payload));
                    }
                } else if (line.startsWith("READY ")) {
                    ready.complete(line);
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process is gone; the pending requests fail below
        }
        IllegalStateException gone = new IllegalStateException("node " + name + " exited (code "
                + (process.isAlive() ? "?" : process.exitValue()) + ")");
        ready.completeExceptionally(gone);
        pending.values().forEach(f -> f.completeExceptionally(gone));
    }

    /** Kills the JVM if it still runs (also a paused one) and waits until it is gone. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        awaitExit();
        try {
            stdin.close();
        } catch (IOException e) {
            // the process is gone anyway
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }
}
