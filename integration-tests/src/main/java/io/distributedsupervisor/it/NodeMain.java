package io.distributedsupervisor.it;

import io.distributedsupervisor.ChildAlreadyStartedException;
import io.distributedsupervisor.ChildContext;
import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.Rebalance;
import io.distributedsupervisor.SupervisorOptions;
import io.distributedsupervisor.zookeeper.ZooKeeperBackend;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One cluster node in a JVM of its own, driven over its standard input and output: the node
 * launcher of the demo and of the multi-JVM tests ({@link NodeProcess} is its driver).
 *
 * <p>Arguments: {@code --name n1 --zookeeper host:port[,host:port] [--port 0]
 * [--supervisor DS] [--session-timeout-ms 4000]}; the cluster secret comes from the environment
 * variable {@code DS_CLUSTER_SECRET} and the ZooKeeper digest ACL's {@code user:password} from
 * {@code DS_ZOOKEEPER_DIGEST_ACL} (as the backend's provider reads them), so that neither appears
 * on a command line. The node starts a {@link DistributedSupervisor}
 * on the ZooKeeper backend with {@code monitorNodes(true)} and {@link Rebalance#ACTIVE}, prints
 * {@code READY <node> <transport port>} and then reads one command a line:
 *
 * <pre>
 * &lt;req&gt; start &lt;prefix&gt; &lt;from&gt; &lt;count&gt;    start children prefix-from .. (WitnessedWorker, placed by the ring)
 * &lt;req&gt; call &lt;id&gt; &lt;request&gt; [timeoutMs]  one call, answers its result
 * &lt;req&gt; callall &lt;prefix&gt; &lt;from&gt; &lt;count&gt; [timeoutMs]   "inc" to each: answered=.. failed=.. error=..
 * &lt;req&gt; load &lt;prefix&gt; &lt;from&gt; &lt;count&gt; | load off   a background caller, counted in status
 * &lt;req&gt; sum &lt;prefix&gt; &lt;from&gt; &lt;count&gt;     "get" to each: sum=..
 * &lt;req&gt; status                          node= local= children= ring= misplaced= loadOk= loadFailed= failures= lastFailure=
 * &lt;req&gt; locals                          this node's children: id@epoch.restarts ...
 * &lt;req&gt; quit                            graceful close, then exit
 * </pre>
 *
 * Each command runs on a virtual thread of its own and is answered by one line
 * {@code R <req> ok <payload>} or {@code R <req> err <message>}. Witness events of the children
 * are lines {@code W <nanoTime> <START|MESSAGE|STOP> <id> <epoch.restarts> <node>}; the time
 * stamp is {@link System#nanoTime()}, which on one host (Linux: {@code CLOCK_MONOTONIC}) orders
 * the events of all the node JVMs. Logging goes to standard error.
 *
 * <p>The node dies with its driver: at the end of its standard input, or when its parent
 * process is gone, it halts at once (an abrupt loss, as a killed JVM).
 */
public final class NodeMain {
    private static final PrintStream OUT =
            new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    private static final int PARALLEL = 32;

    private final DistributedSupervisor ds;
    private final AtomicLong loadOk = new AtomicLong();
    private final AtomicLong loadFailed = new AtomicLong();
    private final AtomicReference<String> lastFailure = new AtomicReference<>("-");
    private final Map<String, LongAdder> failuresByKind = new ConcurrentSkipListMap<>();
    private final AtomicReference<Thread> loader = new AtomicReference<>();
    private final AtomicReference<AtomicBoolean> loading = new AtomicReference<>();

    private NodeMain(DistributedSupervisor ds) {
        this.ds = ds;
    }

    /** Runs one node until {@code quit}, the end of standard input or the death of the parent process. */
    public static void main(String[] args) throws IOException {
        Map<String, String> opts = options(args);
        String name = require(opts, "name");
        String acl = System.getenv(NodeProcess.DIGEST_ACL_ENV);
        if (acl == null || acl.indexOf(':') <= 0) {
            throw new IllegalArgumentException("set " + NodeProcess.DIGEST_ACL_ENV + " to the ZooKeeper digest ACL's user:password");
        }
        String secret = System.getenv(NodeProcess.SECRET_ENV);
        if (secret == null || secret.isBlank()) {
            throw new IllegalArgumentException("set " + NodeProcess.SECRET_ENV + " to the cluster secret");
        }
        ZooKeeperBackend backend = ZooKeeperBackend.builder(require(opts, "zookeeper"))
                .secret(secret)
                .digestAcl(acl.substring(0, acl.indexOf(':')), acl.substring(acl.indexOf(':') + 1))
                .port(Integer.parseInt(opts.getOrDefault("port", "0")))
                .sessionTimeout(Duration.ofMillis(Long.parseLong(opts.getOrDefault("session-timeout-ms", "4000"))))
                .connectionTimeout(Duration.ofSeconds(15))
                .build();
        watchParent();
        DistributedSupervisor ds = DistributedSupervisor.start(SupervisorOptions
                .builder(opts.getOrDefault("supervisor", "DS"))
                .nodeName(name).monitorNodes(true).rebalance(Rebalance.ACTIVE)
                .serviceLoaderListeners(false).callTimeout(Duration.ofSeconds(10))
                .allowList(java.util.List.of("io.distributedsupervisor.it.*"))
                .backend(backend).build());
        emit("READY " + name + " " + ProcessHandle.current().pid());
        new NodeMain(ds).serve(backend);
    }

    /** Called by {@link WitnessedWorker}: one witness line. */
    static void witness(Witness.Kind kind, ChildContext ctx) {
        Pid pid = ctx.pid();
        emit("W " + System.nanoTime() + " " + kind + " " + ctx.id() + " " + pid.incarnation() + " " + pid.node());
    }

    private static void emit(String line) {
        synchronized (OUT) {
            OUT.println(line);
        }
    }

    private void serve(ZooKeeperBackend backend) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            String[] words = line.trim().split("\\s+");
            if (words.length < 2) {
                continue;
            }
            if (words[1].equals("quit")) {
                stopLoad();
                ds.close();
                backend.close();
                emit("R " + words[0] + " ok closed");
                System.exit(0);
            }
            Thread.ofVirtual().name("command-" + words[0]).start(() -> {
                String reply;
                try {
                    reply = "ok " + execute(words);
                } catch (Exception e) {
                    reply = "err " + describe(e);
                }
                emit("R " + words[0] + " " + reply);
            });
        }
        // The driver is gone: die as abruptly as it did.
        Runtime.getRuntime().halt(3);
    }

    private String execute(String[] w) throws Exception {
        return switch (w[1]) {
            case "start" -> start(w[2], Integer.parseInt(w[3]), Integer.parseInt(w[4]));
            case "call" -> String.valueOf(ds.<Object>call(w[2], w[3],
                    Duration.ofMillis(w.length > 4 ? Long.parseLong(w[4]) : 5000)));
            case "callall" -> callAll(w[2], Integer.parseInt(w[3]), Integer.parseInt(w[4]),
                    Duration.ofMillis(w.length > 5 ? Long.parseLong(w[5]) : 5000));
            case "load" -> w[2].equals("off") ? stopLoad()
                    : startLoad(w[2], Integer.parseInt(w[3]), Integer.parseInt(w[4]));
            case "sum" -> sum(w[2], Integer.parseInt(w[3]), Integer.parseInt(w[4]));
            case "status" -> status();
            case "locals" -> locals();
            default -> throw new IllegalArgumentException("unknown command " + w[1]
                    + " (start, call, callall, load, sum, status, locals, quit)");
        };
    }

    private String start(String prefix, int from, int count) throws InterruptedException, ExecutionException {
        Semaphore permits = new Semaphore(PARALLEL);
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            String id = prefix + "-" + i;
            permits.acquire();
            CompletableFuture<Void> f = new CompletableFuture<>();
            all.add(f);
            Thread.ofVirtual().start(() -> {
                try {
                    ds.startChild(ChildSpec.of(WitnessedWorker.class).withId(id));
                    f.complete(null);
                } catch (ChildAlreadyStartedException e) {
                    f.complete(null);
                } catch (RuntimeException e) {
                    f.completeExceptionally(new IllegalStateException("starting " + id + ": " + describe(e), e));
                } finally {
                    permits.release();
                }
            });
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get();
        return "started=" + count;
    }

    private String callAll(String prefix, int from, int count, Duration timeout) throws InterruptedException {
        Semaphore permits = new Semaphore(PARALLEL);
        AtomicLong answered = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicReference<String> error = new AtomicReference<>("-");
        List<Thread> threads = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            String id = prefix + "-" + i;
            permits.acquire();
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    ds.call(id, "inc", timeout);
                    answered.incrementAndGet();
                } catch (RuntimeException e) {
                    failed.incrementAndGet();
                    error.set(id + ": " + describe(e));
                } finally {
                    permits.release();
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        return "answered=" + answered + " failed=" + failed + " error=" + error.get().replace(' ', '_');
    }

    /** The sum of the children's counts ("get"), asked one after another. */
    private String sum(String prefix, int from, int count) {
        long sum = 0;
        for (int i = from; i < from + count; i++) {
            sum += ((Number) ds.call(prefix + "-" + i, "get", Duration.ofSeconds(10))).longValue();
        }
        return "sum=" + sum;
    }

    private String startLoad(String prefix, int from, int count) {
        stopLoad();
        AtomicBoolean on = new AtomicBoolean(true);
        loading.set(on);
        Thread t = Thread.ofVirtual().name("load").unstarted(() -> {
            for (long i = 0; on.get(); i++) {
                String id = prefix + "-" + (from + (int) (i % count));
                try {
                    ds.call(id, "inc", Duration.ofMillis(1000));
                    loadOk.incrementAndGet();
                } catch (RuntimeException e) {
                    if (Thread.currentThread().isInterrupted()) {
                        return;
                    }
                    loadFailed.incrementAndGet();
                    failuresByKind.computeIfAbsent(e.getClass().getSimpleName(), k -> new LongAdder()).increment();
                    lastFailure.set(id + ": " + describe(e));
                }
            }
        });
        loader.set(t);
        t.start();
        return "load=on";
    }

    /** Stops the load after its call under way (not interrupted: a call cut off might be processed, uncounted). */
    private String stopLoad() {
        Thread t = loader.getAndSet(null);
        AtomicBoolean on = loading.getAndSet(null);
        if (on != null) {
            on.set(false);
        }
        if (t != null) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return "load=off";
    }

    private String status() {
        String node = ds.node();
        List<Pid> local = ds.localChildren();
        long misplaced = local.stream().filter(p -> !node.equals(ds.nodeFor(p.id()))).count();
        return "node=" + node + " local=" + local.size() + " children=" + ds.children().size()
                + " ring=" + String.join(",", ds.nodes()) + " misplaced=" + misplaced
                + " loadOk=" + loadOk.get() + " loadFailed=" + loadFailed.get()
                + " failures=" + failures() + " lastFailure=" + lastFailure.get().replace(' ', '_');
    }

    private String failures() {
        StringBuilder b = new StringBuilder();
        failuresByKind.forEach((kind, n) -> b.append(b.isEmpty() ? "" : ",").append(kind).append(':').append(n.sum()));
        return b.isEmpty() ? "-" : b.toString();
    }

    private String locals() {
        StringBuilder b = new StringBuilder();
        for (Pid p : ds.localChildren()) {
            b.append(p.id()).append('@').append(p.incarnation()).append(' ');
        }
        return b.toString().trim();
    }

    private static String describe(Throwable e) {
        String msg = e.getMessage() == null ? "" : ": " + e.getMessage().replace('\n', ' ');
        return e.getClass().getSimpleName() + msg;
    }

    /** Halts this JVM as soon as the process that started it is gone (also if it was killed). */
    static void watchParent() {
        Optional<ProcessHandle> parent = ProcessHandle.current().parent();
        if (parent.isEmpty()) {
            return;
        }
        ProcessHandle p = parent.get();
        Thread.ofPlatform().daemon().name("parent-watch").start(() -> {
            while (p.isAlive()) {
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
            Runtime.getRuntime().halt(3);
        });
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --option value pairs, got: " + String.join(" ", args));
            }
            opts.put(args[i].substring(2), args[++i]);
        }
        return opts;
    }

    private static String require(Map<String, String> opts, String key) {
        String v = opts.get(key);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("missing --" + key
                    + " (usage: --name n1 --zookeeper host:port [--port 0] [--supervisor DS]"
                    + " [--session-timeout-ms 4000])");
        }
        return v;
    }
}
