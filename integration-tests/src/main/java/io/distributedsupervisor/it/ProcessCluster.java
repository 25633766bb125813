package io.distributedsupervisor.it;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Node JVMs ({@link NodeProcess}) of one supervisor on one ZooKeeper connect string, with one
 * {@link Witness} for all of them. Every JVM it launched is killed on {@link #close()} and, should
 * this JVM exit first (Ctrl-C, a failure), by a shutdown hook.
 */
public final class ProcessCluster implements AutoCloseable {
    private final String zookeeper;
    private final String supervisor;
    private final String secret;
    private final Duration sessionTimeout;
    private final Path logDir;
    private final Witness witness = new Witness();
    private final Map<String, NodeProcess> nodes = new ConcurrentHashMap<>();
    private final Set<String> paused = ConcurrentHashMap.newKeySet();
    private final List<NodeProcess> launched = new CopyOnWriteArrayList<>();
    private final Thread hook;

    /**
     * @param zookeeper      connect string of the ensemble
     * @param supervisor     supervisor name
     * @param sessionTimeout the nodes' ZooKeeper session timeout
     * @param logDir         the nodes' logs ({@code <node>.log})
     */
    public ProcessCluster(String zookeeper, String supervisor, Duration sessionTimeout, Path logDir) {
        this.zookeeper = zookeeper;
        this.supervisor = supervisor;
        byte[] random = new byte[32];
        new java.security.SecureRandom().nextBytes(random);
        // 32 random bytes, as the transport requires at least 32 bytes of secret.
        this.secret = "cluster-in-a-box-" + java.util.HexFormat.of().formatHex(random);
        this.sessionTimeout = sessionTimeout;
        this.logDir = logDir;
        this.hook = new Thread(this::destroyAll, "process-cluster-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** The witness of every node's children. */
    public Witness witness() {
        return witness;
    }

    /** The nodes' session timeout. */
    public Duration sessionTimeout() {
        return sessionTimeout;
    }

    /** Launches these nodes in parallel and waits until each is up. */
    public void start(Collection<String> names) {
        List<CompletableFuture<Void>> starts = new ArrayList<>();
        for (String name : names) {
            starts.add(CompletableFuture.runAsync(() -> start(name), r -> Thread.ofVirtual().start(r)));
        }
        try {
            CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new)).join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** Launches one node (again, after a kill or quit) and waits until it is up. */
    public NodeProcess start(String name) {
        if (nodes.containsKey(name)) {
            throw new IllegalStateException("node " + name + " runs already");
        }
        NodeProcess node = NodeProcess.launch(name, zookeeper, supervisor, secret, sessionTimeout, logDir, witness);
        launched.add(node);
        nodes.put(name, node);
        return node;
    }

    /** A running node. */
    public NodeProcess node(String name) {
        NodeProcess n = nodes.get(name);
        if (n == null) {
            throw new IllegalArgumentException("no running node " + name + "; running: " + names());
        }
        return n;
    }

    /** The names of the running nodes (paused ones included), sorted. */
    public List<String> names() {
        return new TreeMap<>(nodes).keySet().stream().toList();
    }

    /** SIGKILL: the node is gone at once, without closing anything. */
    public void kill(String name) {
        paused.remove(name);
        nodes.remove(name).kill();
    }

    /** SIGTERM: the node's shutdown hook drains it; waits until it exited. */
    public void terminate(String name) {
        paused.remove(name);
        nodes.remove(name).terminate();
    }

    /** SIGSTOP; the node is left out of {@link #snapshot()} until {@link #resume}. */
    public void pause(String name) {
        paused.add(name);
        node(name).pause();
    }

    /** SIGCONT. */
    public void resume(String name) {
        node(name).resume();
        paused.remove(name);
    }

    /** A graceful close of the node. */
    public void quit(String name) {
        node(name).quit(Duration.ofSeconds(60));
        nodes.remove(name);
    }

    /** Starts children {@code prefix-0 .. prefix-(count-1)} through the first node. */
    public void startChildren(String prefix, int count) {
        node(names().get(0)).request("start " + prefix + " 0 " + count, Duration.ofSeconds(120));
    }

    /**
     * Where the children run now, asked of every running node that is not paused, and what is
     * wrong with it against {@code prefix-0 .. prefix-(count-1)}.
     */
    public Snapshot snapshot(String prefix, int count) {
        Map<String, Map<String, String>> locals = new TreeMap<>();
        Map<String, Map<String, String>> status = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        for (String name : names()) {
            if (paused.contains(name)) {
                continue;
            }
            try {
                locals.put(name, node(name).locals());
                status.put(name, node(name).status());
            } catch (RuntimeException e) {
                problems.add(name + " did not answer: " + e.getMessage());
            }
        }
        List<String> live = names().stream().filter(n -> !paused.contains(n)).toList();
        Map<String, String> where = new LinkedHashMap<>();
        Map<String, String> seenTwice = new LinkedHashMap<>();
        locals.forEach((node, ids) -> ids.keySet().forEach(id -> {
            String before = where.put(id, node);
            if (before != null) {
                seenTwice.put(id, before);
            }
        }));
        // The nodes are asked one after the other, so a child that moved between two answers shows
        // on both: a copy counts as doubled only if, asked again, both copies still run as they did.
        Set<String> doubled = new HashSet<>();
        seenTwice.forEach((id, first) -> {
            String second = where.get(id);
            try {
                if (locals.get(first).get(id).equals(node(first).locals().get(id))
                        && locals.get(second).get(id).equals(node(second).locals().get(id))) {
                    doubled.add(id + " on " + first + " and " + second);
                }
            } catch (RuntimeException e) {
                problems.add("could not ask again about " + id + ": " + e.getMessage());
            }
        });
        int missing = 0;
        for (int i = 0; i < count; i++) {
            if (!where.containsKey(prefix + "-" + i)) {
                missing++;
            }
        }
        if (!doubled.isEmpty()) {
            problems.add(doubled.size() + " children run twice, e.g. " + doubled.iterator().next());
        }
        if (missing > 0) {
            problems.add(missing + " of " + count + " children run nowhere");
        }
        status.forEach((node, s) -> {
            if (!String.join(",", live).equals(s.get("ring"))) {
                problems.add(node + " has ring " + s.get("ring") + ", not " + String.join(",", live));
            }
            if (!"0".equals(s.get("misplaced"))) {
                problems.add(node + " runs " + s.get("misplaced") + " children its ring places elsewhere");
            }
            if (!String.valueOf(count).equals(s.get("children"))) {
                problems.add(node + " sees " + s.get("children") + " children, not " + count);
            }
        });
        return new Snapshot(locals, doubled.size(), missing, problems);
    }

    /**
     * Polls {@link #snapshot} until it has no problem or {@code atMost} passed.
     *
     * @return the settled snapshot
     * @throws IllegalStateException naming the problems left at the deadline
     */
    public Snapshot awaitSettled(String prefix, int count, Duration atMost) {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (true) {
            Snapshot s = snapshot(prefix, count);
            if (s.problems().isEmpty()) {
                return s;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not settled within " + atMost + ": " + s.problems());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    /**
     * Where the children run.
     *
     * @param locals   node to (child id to incarnation)
     * @param doubled  ids that run on two nodes
     * @param missing  ids that run nowhere
     * @param problems empty when every child runs exactly once, on the node every ring names
     */
    public record Snapshot(Map<String, Map<String, String>> locals, int doubled, int missing, List<String> problems) {
        /** Children per node. */
        public Map<String, Integer> spread() {
            Map<String, Integer> spread = new TreeMap<>();
            locals.forEach((node, ids) -> spread.put(node, ids.size()));
            return spread;
        }
    }

    private void destroyAll() {
        for (NodeProcess n : launched) {
            n.close();
        }
    }

    /** Kills every node JVM this cluster launched and waits until they are gone. */
    @Override
    public void close() {
        destroyAll();
        nodes.clear();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook runs (or ran) anyway
        }
    }
}
