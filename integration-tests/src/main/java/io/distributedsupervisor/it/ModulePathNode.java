package io.distributedsupervisor.it;

import io.distributedsupervisor.Child;
import io.distributedsupervisor.ChildContext;
import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.StartResult;
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
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A node as a user runs it on the module path: this class and its child ({@link Echo}) on the
 * class path, the api ({@code io.distributedsupervisor}) and the ZooKeeper backend (the automatic
 * module {@code io.distributedsupervisor.zookeeper}) on the module path. The supervisor gets its
 * backend by name, {@code backend("zookeeper", config)}: the api module finds the backend's
 * provider through {@link java.util.ServiceLoader}. {@code ModulePathClusterTest} launches it
 * through {@link NodeProcess}, whose protocol it speaks.
 *
 * <p>Arguments: {@code --name n1 --zookeeper host:port [--supervisor DS]}; the cluster secret
 * comes from the environment variable {@code DS_CLUSTER_SECRET}, where the backend's provider
 * reads it. Prints {@code READY <node> <pid>} once it joined, then reads one command a line, each answered by
 * {@code R <req> ok <payload>} or {@code R <req> err <message>}:
 *
 * <pre>
 * &lt;req&gt; modules               api=&lt;module&gt; apiKind=named|automatic|unnamed backend=&lt;module&gt; backendKind=..
 * &lt;req&gt; nodes                 the ring, e.g. n1,n2
 * &lt;req&gt; nodefor &lt;id&gt;...       id=node ... : where the ring places each id
 * &lt;req&gt; start &lt;id&gt; [node]     starts an Echo (placed by the ring, or on that node): node=&lt;where it runs&gt;
 * &lt;req&gt; whereis &lt;id&gt;          the node the child runs on, or none
 * &lt;req&gt; call &lt;id&gt; &lt;request&gt;   the reply of a call (5 s)
 * &lt;req&gt; cast &lt;id&gt; &lt;message&gt;   a cast
 * &lt;req&gt; quit                  graceful close, then exit
 * </pre>
 *
 * It halts at the end of its standard input or when its parent process is gone. Logging goes to
 * standard error.
 */
public final class ModulePathNode {
    private static final PrintStream OUT =
            new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);

    private final DistributedSupervisor ds;

    private ModulePathNode(DistributedSupervisor ds) {
        this.ds = ds;
    }

    /** Runs one node until {@code quit}, the end of standard input or the death of the parent process. */
    public static void main(String[] args) throws IOException {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        String name = require(opts, "name");
        NodeMain.watchParent();
        DistributedSupervisor ds = DistributedSupervisor.start(SupervisorOptions
                .builder(opts.getOrDefault("supervisor", "DS"))
                .nodeName(name)
                .callTimeout(Duration.ofSeconds(10))
                // The codec carries the spec of a remote start: it must allow the child's class.
                .allowList(List.of(Echo.class.getName()))
                .backend("zookeeper", Map.of(
                        "connectString", require(opts, "zookeeper"),
                        "port", "0",
                        "sessionTimeout", "4s",
                        "connectionTimeout", "15s"))
                .build());
        emit("READY " + name + " " + ProcessHandle.current().pid());
        new ModulePathNode(ds).serve();
    }

    private void serve() throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            String[] words = line.trim().split("\\s+");
            if (words.length < 2) {
                continue;
            }
            if (words[1].equals("quit")) {
                ds.close();
                emit("R " + words[0] + " ok closed");
                System.exit(0);
            }
            // One virtual thread per command: a slow call does not hold up the next command.
            Thread.ofVirtual().name("command-" + words[0]).start(() -> {
                String reply;
                try {
                    reply = "ok " + execute(words);
                } catch (Throwable e) { // an Error too (IllegalAccessError, NoClassDefFoundError): the test must see it
                    reply = "err " + e.getClass().getName() + ": " + String.valueOf(e.getMessage()).replace('\n', ' ');
                    e.printStackTrace();
                }
                emit("R " + words[0] + " " + reply);
            });
        }
        // The driver is gone: die as abruptly as it did.
        Runtime.getRuntime().halt(3);
    }

    private String execute(String[] w) {
        return switch (w[1]) {
            case "modules" -> "api=" + name(DistributedSupervisor.class.getModule())
                    + " apiKind=" + kind(DistributedSupervisor.class.getModule())
                    + " backend=" + name(ZooKeeperBackend.class.getModule())
                    + " backendKind=" + kind(ZooKeeperBackend.class.getModule());
            case "nodes" -> String.join(",", ds.nodes());
            case "nodefor" -> String.join(" ", Arrays.stream(w, 2, w.length).map(id -> id + "=" + ds.nodeFor(id)).toList());
            case "start" -> {
                ChildSpec spec = ChildSpec.of(Echo.class).withId(w[2]);
                StartResult started = w.length > 3 ? ds.startChild(spec, w[3]) : ds.startChild(spec);
                yield "node=" + started.pid().node();
            }
            case "whereis" -> ds.whereis(w[2]).map(p -> p.node()).orElse("none");
            case "call" -> String.valueOf(ds.<Object>call(w[2], w[3], Duration.ofSeconds(5)));
            case "cast" -> {
                ds.cast(w[2], w[3]);
                yield "cast";
            }
            default -> throw new IllegalArgumentException("unknown command " + w[1]
                    + " (modules, nodes, nodefor, start, whereis, call, cast, quit)");
        };
    }

    private static String name(Module m) {
        return m.isNamed() ? m.getName() : "unnamed";
    }

    private static String kind(Module m) {
        return !m.isNamed() ? "unnamed" : m.getDescriptor().isAutomatic() ? "automatic" : "named";
    }

    private static void emit(String line) {
        synchronized (OUT) {
            OUT.println(line);
        }
    }

    private static String require(Map<String, String> opts, String key) {
        String v = opts.get(key);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("missing --" + key
                    + " (usage: --name n1 --zookeeper host:port [--supervisor DS])");
        }
        return v;
    }

    /**
     * The child: calls {@code "node"} answer the node it runs on, {@code "casts"} how many casts
     * it got, anything else {@code "echo:<request>"}.
     */
    public static final class Echo implements Child {
        private long casts;

        /** Used by {@code ChildSpec.of(Echo.class)}, also on the node a remote start reaches. */
        public Echo() {
        }

        @Override
        public Object handleCall(Object request, ChildContext ctx) {
            return switch (String.valueOf(request)) {
                case "node" -> ctx.pid().node();
                case "casts" -> casts;
                default -> "echo:" + request;
            };
        }

        @Override
        public void handleCast(Object message, ChildContext ctx) {
            casts++;
        }
    }
}
