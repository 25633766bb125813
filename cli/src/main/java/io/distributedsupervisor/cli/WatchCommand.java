package io.distributedsupervisor.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.distributedsupervisor.zookeeper.ClusterInspector;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ds watch}. */
@Command(name = "watch", mixinStandardHelpOptions = true, header = "Live events until Ctrl-C.",
        description = {"Live events, one a line, until Ctrl-C: members joining, marking themselves leaving and"
        + " leaving, owners appearing and vanishing (a child starting or stopping on a node), successions (a"
        + " node's session ended: its children go to the heirs named), specs added and removed, operator"
        + " requests. From one ZooKeeper persistent recursive watch; with --json, one JSON object a line."})
final class WatchCommand implements Callable<Integer> {
    private static final ObjectMapper LINES = new ObjectMapper();

    @Mixin
    Ds.Connection connection;
    @Mixin
    Ds.Format format;
    @Option(names = {"-s", "--supervisor"}, paramLabel = "NAME", description = "Only this supervisor (default: all).")
    String supervisor;
    @Option(names = "--count", paramLabel = "N", description = "Stop after N events (default: never).")
    int count;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        CountDownLatch done = new CountDownLatch(1);
        AtomicInteger seen = new AtomicInteger();
        try (ClusterInspector inspector = connection.connect();
             AutoCloseable watch = inspector.watch(supervisor, e -> {
                 if (done.getCount() == 0) {
                     return;
                 }
                 out.println(format.json ? json(e) : line(e));
                 out.flush();
                 if (count > 0 && seen.incrementAndGet() >= count) {
                     done.countDown();
                 }
             })) {
            if (!format.json) {
                out.println("watching " + (supervisor == null ? "namespace /" + inspector.namespace()
                        : "supervisor " + supervisor) + (count > 0 ? " for " + count + " events" : "; Ctrl-C stops"));
                out.flush();
            }
            // Ctrl-C ends the JVM; the shutdown closes the session, and its watch with it.
            done.await();
        }
        return 0;
    }

    private static String line(ClusterInspector.Event e) {
        return e.at() + "  " + e.supervisor() + "  " + e.kind().name().toLowerCase(Locale.ROOT).replace('_', '-') + "  "
                + e.subject() + (e.node() == null ? "" : "  on " + e.node()) + (e.detail() == null ? "" : "  " + e.detail());
    }

    private static String json(ClusterInspector.Event e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("at", e.at().toString());
        m.put("supervisor", e.supervisor());
        m.put("event", e.kind().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        m.put("subject", e.subject());
        m.put("node", e.node());
        m.put("detail", e.detail());
        try {
            return LINES.writeValueAsString(m);
        } catch (com.fasterxml.jackson.core.JsonProcessingException x) {
            throw new IllegalStateException(x);
        }
    }
}
