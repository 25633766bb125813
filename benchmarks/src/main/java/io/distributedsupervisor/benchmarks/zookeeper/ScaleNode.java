package io.distributedsupervisor.benchmarks.zookeeper;

import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.SupervisorOptions;
import io.distributedsupervisor.benchmarks.IdleChildFootprint;
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
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * One node of {@link ScaleBenchmark} in a JVM of its own (so that it can be killed with SIGKILL
 * and its heap measured alone), driven over standard input and output like the integration
 * tests' {@code NodeMain}. Public API only: it must work with any znode layout.
 *
 * <p>Arguments: {@code <node name> <ZooKeeper connect string> <session timeout ms>}; the cluster
 * secret comes from {@value #SECRET_ENV}, the digest ACL's {@code user:password} from
 * {@value #ACL_ENV}. Once joined it prints {@code READY <nanoTime before start> <nanoTime after>}
 * and then answers each command line {@code <req> <command> <args>} with
 * {@code R <req> ok|err <payload>}:
 *
 * <pre>
 * start &lt;prefix&gt; &lt;from&gt; &lt;count&gt; sync &lt;threads&gt;   startChild from that many virtual threads
 * start &lt;prefix&gt; &lt;from&gt; &lt;count&gt; async &lt;window&gt;  startChildAsync, at most window in flight
 * start &lt;prefix&gt; &lt;from&gt; &lt;count&gt; batch &lt;size&gt;    startChildren(List), one batch at a time
 * heap                          live heap after a full collection, fillers left out (LiveHeap)
 * count                         local= nodes=
 * awaitview &lt;n&gt; &lt;timeoutMs&gt;     at=&lt;nanoTime&gt; once children() holds n
 * mark &lt;node&gt;                   counts the children the view places on that node
 * failover                      at=&lt;epoch ms&gt; children=&lt;n&gt;: when this node's last failover was over
 *                               (its children ran init) and how many it took; at=0 children=0 before any
 * quit                          close the node, then exit
 * </pre>
 *
 * Halts at the end of its standard input or when its parent process is gone.
 */
public final class ScaleNode {
    static final String SECRET_ENV = "DS_CLUSTER_SECRET";
    static final String ACL_ENV = "DS_ZOOKEEPER_DIGEST_ACL";
    static final String SUPERVISOR = "scale";

    private static final PrintStream OUT =
            new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);

    private final DistributedSupervisor ds;

    private ScaleNode(DistributedSupervisor ds) {
        this.ds = ds;
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: ScaleNode <node name> <ZooKeeper connect string> <session timeout ms>");
        }
        String acl = System.getenv(ACL_ENV);
        String secret = System.getenv(SECRET_ENV);
        if (acl == null || acl.indexOf(':') <= 0 || secret == null) {
            throw new IllegalArgumentException("set " + ACL_ENV + " (user:password) and " + SECRET_ENV);
        }
        watchParent();
        ZooKeeperBackend backend = ZooKeeperBackend.builder(args[1]).secret(secret)
                .digestAcl(acl.substring(0, acl.indexOf(':')), acl.substring(acl.indexOf(':') + 1))
                .sessionTimeout(Duration.ofMillis(Long.parseLong(args[2])))
                .connectionTimeout(Duration.ofSeconds(30)).build();
        long t0 = System.nanoTime();
        DistributedSupervisor ds = DistributedSupervisor.start(SupervisorOptions.builder(SUPERVISOR).nodeName(args[0])
                .serviceLoaderListeners(false).callTimeout(Duration.ofSeconds(60))
                .allowList(List.of(IdleChildFootprint.Idle.class.getName())).backend(backend).build());
        emit("READY " + t0 + " " + System.nanoTime());
        new ScaleNode(ds).serve();
    }

    private static void emit(String line) {
        synchronized (OUT) {
            OUT.println(line);
        }
    }

    private void serve() throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            String[] w = line.trim().split("\\s+");
            if (w.length < 2) {
                continue;
            }
            if (w[1].equals("quit")) { // a graceful close: its children (if any) go to the others
                ds.close();
                emit("R " + w[0] + " ok closed");
                Runtime.getRuntime().halt(0);
            }
            Thread.ofVirtual().start(() -> {
                String reply;
                try {
                    reply = "ok " + execute(w);
                } catch (Exception e) {
                    reply = "err " + String.valueOf(e).replace('\n', ' ');
                }
                emit("R " + w[0] + " " + reply);
            });
        }
        Runtime.getRuntime().halt(3);
    }

    private String execute(String[] w) throws Exception {
        return switch (w[1]) {
            case "start" -> switch (w[5]) {
                case "sync" -> startSync(w[2], Integer.parseInt(w[3]), Integer.parseInt(w[4]), Integer.parseInt(w[6]));
                case "async" -> startAsync(w[2], Integer.parseInt(w[3]), Integer.parseInt(w[4]), Integer.parseInt(w[6]));
                case "batch" -> startBatches(w[2], Integer.parseInt(w[3]), Integer.parseInt(w[4]), Integer.parseInt(w[6]));
                default -> throw new IllegalArgumentException("start mode " + w[5] + ": sync, async or batch");
            };
            case "heap" -> String.valueOf(LiveHeap.ofThisJvm());
            // Not children(): that map of every child of the cluster (a million entries), asked for
            // every 100 ms while a restart is timed, loaded the nodes the harness measured.
            case "count" -> "local=" + ds.localChildren().size()
                    + " nodes=" + ds.nodes().size();
            case "awaitview" -> awaitView(Integer.parseInt(w[2]), Long.parseLong(w[3]));
            case "mark" -> mark(w[2]);
            case "failover" -> ds.health().lastFailover()
                    .map(f -> "at=" + f.startedAt().plus(f.took()).toEpochMilli() + " children=" + f.children())
                    .orElse("at=0 children=0");
            default -> throw new IllegalArgumentException("unknown command " + w[1]);
        };
    }

    private String startSync(String prefix, int from, int count, int threads) throws InterruptedException {
        AtomicInteger next = new AtomicInteger(from);
        AtomicLong failed = new AtomicLong();
        AtomicReference<String> error = new AtomicReference<>("-");
        ChildSpec spec = ChildSpec.of(IdleChildFootprint.Idle.class);
        CountDownLatch done = new CountDownLatch(threads);
        long t0 = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            Thread.startVirtualThread(() -> {
                for (int i; (i = next.getAndIncrement()) < from + count; ) {
                    try {
                        ds.startChild(spec.withId(prefix + i));
                    } catch (RuntimeException e) {
                        failed.incrementAndGet();
                        error.set(String.valueOf(e));
                    }
                }
                done.countDown();
            });
        }
        done.await();
        return started(t0, failed, error);
    }

    private String startAsync(String prefix, int from, int count, int window) throws InterruptedException {
        AtomicLong failed = new AtomicLong();
        AtomicReference<String> error = new AtomicReference<>("-");
        ChildSpec spec = ChildSpec.of(IdleChildFootprint.Idle.class);
        Semaphore inFlight = new Semaphore(window);
        CountDownLatch done = new CountDownLatch(count);
        long t0 = System.nanoTime();
        for (int i = from; i < from + count; i++) {
            inFlight.acquire();
            ds.startChildAsync(spec.withId(prefix + i)).whenComplete((r, e) -> {
                if (e != null) {
                    failed.incrementAndGet();
                    error.set(String.valueOf(e));
                }
                inFlight.release();
                done.countDown();
            });
        }
        done.await();
        return started(t0, failed, error);
    }

    /** Starts in batches through {@code startChildren(List<ChildSpec>)}, one batch at a time: each waits for all its futures. */
    private String startBatches(String prefix, int from, int count, int batch) {
        AtomicLong failed = new AtomicLong();
        AtomicReference<String> error = new AtomicReference<>("-");
        ChildSpec spec = ChildSpec.of(IdleChildFootprint.Idle.class);
        long t0 = System.nanoTime();
        for (int i = from; i < from + count; i += batch) {
            List<ChildSpec> specs = new ArrayList<>();
            for (int j = i; j < Math.min(i + batch, from + count); j++) {
                specs.add(spec.withId(prefix + j));
            }
            for (CompletableFuture<?> f : ds.startChildren(specs)) {
                try {
                    f.join();
                } catch (java.util.concurrent.CompletionException x) {
                    failed.incrementAndGet();
                    error.set(String.valueOf(x.getCause()));
                }
            }
        }
        return started(t0, failed, error);
    }

    private static String started(long t0, AtomicLong failed, AtomicReference<String> error) {
        return "ms=" + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " failed=" + failed.get()
                + " error=" + error.get().replace(' ', '_').replace('\n', '_');
    }

    private String awaitView(int n, long timeoutMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        int size;
        while (true) {
            long t = System.nanoTime();
            size = ds.children().size(); // a copy: at a million children, polls as often as it takes
            if (size >= n) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("view holds " + size + " children, not " + n + ", after " + timeoutMs + " ms");
            }
            LockSupport.parkNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(2), System.nanoTime() - t));
        }
        return "at=" + System.nanoTime() + " view=" + size;
    }

    /** Counts without keeping the ids: the heirs' heap is weighed after the failover, this node's too. */
    private String mark(String node) {
        long placed = ds.children().values().stream().filter(pid -> pid.node().equals(node)).count();
        return "marked=" + placed;
    }

    /** Halts this JVM as soon as the process that started it is gone (also if it was killed). */
    private static void watchParent() {
        Optional<ProcessHandle> parent = ProcessHandle.current().parent();
        parent.ifPresent(p -> Thread.ofPlatform().daemon().name("parent-watch").start(() -> {
            while (p.isAlive()) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
            }
            Runtime.getRuntime().halt(3);
        }));
    }
}
