package io.distributedsupervisor.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.zookeeper.EmbeddedZooKeeper;
import io.distributedsupervisor.zookeeper.ZooKeeperBackend;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two node JVMs on the module path, as a user runs the library there: the api module
 * ({@code io.distributedsupervisor}) and the modules it requires (slf4j, Jackson), and the
 * ZooKeeper backend as the automatic module {@code io.distributedsupervisor.zookeeper}, on the
 * module path; Curator, ZooKeeper, Netty, slf4j-simple and the node's own classes
 * ({@link ModulePathNode}, its child) on the class path. A remote start, a ring-placed start,
 * calls and casts cross between the nodes, and nothing fails on the way: the api reaches the
 * backend through ServiceLoader, the backend reaches the api's exported packages only, and the
 * api builds and talks to a child of the class path.
 */
class ModulePathClusterTest {
    private static final String BACKEND_MODULE = "io.distributedsupervisor.zookeeper";
    private static final Duration REPLY = Duration.ofSeconds(15);
    /** What would show in a node's standard error if the module path broke something on the way. */
    private static final List<String> FAILURE_MARKERS = List.of("IllegalAccessError", "IllegalAccessException",
            "InaccessibleObjectException", "ServiceConfigurationError", "NoClassDefFoundError",
            "ClassNotFoundException", "LayerInstantiationException", "Exception in thread", " ERROR ");

    /** The backend jar (when built here) and the nodes' logs; JUnit deletes it after the test, also a failed one. */
    @TempDir
    Path scratch;

    private EmbeddedZooKeeper zookeeper;
    private final List<NodeProcess> nodes = new ArrayList<>();
    private Layout layout;

    /** A failed test carries every node's standard error, read before the nodes and their logs are gone. */
    @RegisterExtension
    final TestExecutionExceptionHandler nodeLogsOnFailure = (context, failure) -> {
        RuntimeException logs = new RuntimeException("module path: " + (layout == null ? "-" : layout.modulePath())
                + "\n" + nodeLogs());
        logs.setStackTrace(new StackTraceElement[0]);
        failure.addSuppressed(logs);
        throw failure;
    };

    @AfterEach
    void stop() {
        try {
            nodes.forEach(NodeProcess::close); // kills the JVMs and waits until they are gone
        } finally {
            if (zookeeper != null) {
                zookeeper.close();
            }
        }
    }

    @Test
    void aTwoNodeZooKeeperClusterRunsOnTheModulePath() throws IOException {
        zookeeper = new EmbeddedZooKeeper();
        layout = layout(scratch);
        NodeProcess n1 = launch("n1");
        NodeProcess n2 = launch("n2");

        for (NodeProcess n : nodes) {
            assertThat(NodeProcess.keyValues(n.request("modules", REPLY))).as("the modules %s runs", n.name())
                    .containsEntry("api", "io.distributedsupervisor").containsEntry("apiKind", "named")
                    .containsEntry("backend", BACKEND_MODULE).containsEntry("backendKind", "automatic");
        }
        for (NodeProcess n : nodes) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(n.request("nodes", REPLY)).as("the ring %s sees", n.name()).isEqualTo("n1,n2"));
        }

        // Remote starts: the spec crosses to the named node, which builds the child there.
        assertThat(n1.request("start pinned-to-n2 n2", REPLY)).isEqualTo("node=n2");
        assertThat(n2.request("start pinned-to-n1 n1", REPLY)).isEqualTo("node=n1");
        assertThat(n2.request("whereis pinned-to-n2", REPLY)).isEqualTo("n2");
        assertThat(n1.request("whereis pinned-to-n1", REPLY)).isEqualTo("n1");

        // Ring-placed starts, each through the node the ring does not pick.
        Map<String, String> ring = NodeProcess.keyValues(n1.request(
                "nodefor " + String.join(" ", Stream.iterate(0, i -> i + 1).limit(32).map(i -> "ring-" + i).toList()),
                REPLY));
        String onN2 = firstPlacedOn(ring, "n2");
        String onN1 = firstPlacedOn(ring, "n1");
        assertThat(n1.request("start " + onN2, REPLY)).isEqualTo("node=n2");
        assertThat(n2.request("start " + onN1, REPLY)).isEqualTo("node=n1");
        assertThat(n2.request("whereis " + onN2, REPLY)).isEqualTo("n2");
        assertThat(n1.request("whereis " + onN1, REPLY)).isEqualTo("n1");

        // Calls cross both ways and answer from the node the child runs on.
        assertThat(n1.request("call pinned-to-n2 node", REPLY)).isEqualTo("n2");
        assertThat(n2.request("call pinned-to-n1 node", REPLY)).isEqualTo("n1");
        assertThat(n1.request("call " + onN2 + " node", REPLY)).isEqualTo("n2");
        assertThat(n2.request("call " + onN1 + " hello", REPLY)).isEqualTo("echo:hello");

        // Casts cross too: the child counts them, and a call asks for the count.
        n1.request("cast pinned-to-n2 ping", REPLY);
        n1.request("cast pinned-to-n2 ping", REPLY);
        n2.request("cast pinned-to-n1 ping", REPLY);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(n1.request("call pinned-to-n2 casts", REPLY)).as("casts from n1 to a child on n2").isEqualTo("2");
            assertThat(n2.request("call pinned-to-n1 casts", REPLY)).as("casts from n2 to a child on n1").isEqualTo("1");
        });

        for (NodeProcess n : nodes) {
            String log = Files.readString(n.log(), StandardCharsets.UTF_8);
            assertThat(FAILURE_MARKERS).as("failures in the log of %s:\n%s", n.name(), log)
                    .noneMatch(log::contains);
        }
    }

    private static String firstPlacedOn(Map<String, String> ring, String node) {
        return ring.entrySet().stream().filter(e -> e.getValue().equals(node)).map(Map.Entry::getKey).findFirst()
                .orElseThrow(() -> new AssertionError("the ring places none of " + ring.keySet() + " on " + node));
    }

    private NodeProcess launch(String name) {
        List<String> cmd = new ArrayList<>();
        cmd.add(NodeProcess.javaCommand());
        cmd.addAll(NodeProcess.JVM_OPTIONS);
        // Modules on the module path are only resolved if something requires them; the main
        // class is on the class path, so every one of them is made a root.
        cmd.addAll(List.of("--module-path", join(layout.modulePath()), "--add-modules", "ALL-MODULE-PATH",
                "-cp", join(layout.classPath()), ModulePathNode.class.getName(),
                "--name", name, "--zookeeper", zookeeper.connectString(), "--supervisor", "modpath"));
        NodeProcess node = NodeProcess.launch(name, cmd, Map.of(NodeProcess.SECRET_ENV, "module-path-cluster-secret-0123456789"),
                scratch.resolve("logs"), new Witness());
        nodes.add(node);
        return node;
    }

    private String nodeLogs() {
        StringBuilder b = new StringBuilder();
        for (NodeProcess n : nodes) {
            b.append("--- standard error of ").append(n).append(" ---\n");
            try {
                b.append(Files.readString(n.log(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                b.append("(unreadable: ").append(e).append(")\n");
            }
        }
        return b.toString();
    }

    private static String join(List<Path> paths) {
        return paths.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));
    }

    /**
     * The node JVMs' module path and class path.
     *
     * @param modulePath the api, the modules it requires, the backend's jar
     * @param classPath  the rest of this JVM's class path
     */
    private record Layout(List<Path> modulePath, List<Path> classPath) {
    }

    /**
     * Splits this JVM's class path (the reactor's or the local repository's artifacts, whichever
     * Maven resolved) as a user's build would: the api and, transitively, the modules its
     * module-info requires go on the module path, so does the backend, as a jar; the rest stays
     * on the class path.
     */
    private static Layout layout(Path scratch) throws IOException {
        List<Path> classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(s -> !s.isBlank()).map(s -> Path.of(s).toAbsolutePath().normalize()).distinct().toList();
        Map<String, Path> modulesOnClassPath = new LinkedHashMap<>();
        for (Path entry : classPath) {
            moduleOf(entry).ifPresent(m -> modulesOnClassPath.putIfAbsent(m.descriptor().name(), entry));
        }
        Set<Path> modulePath = new LinkedHashSet<>();
        Deque<Path> toAdd = new ArrayDeque<>(List.of(location(DistributedSupervisor.class)));
        while (!toAdd.isEmpty()) {
            Path entry = toAdd.pop();
            if (!modulePath.add(entry)) {
                continue;
            }
            ModuleDescriptor module = moduleOf(entry).orElseThrow(() -> new AssertionError(entry + " is no module"))
                    .descriptor();
            for (ModuleDescriptor.Requires r : module.requires()) {
                if (r.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC)
                        || ModuleFinder.ofSystem().find(r.name()).isPresent()) {
                    continue;
                }
                Path required = modulesOnClassPath.get(r.name());
                if (required == null) {
                    throw new AssertionError(module.name() + " requires " + r.name() + ", which is not on the class path "
                            + classPath);
                }
                toAdd.push(required);
            }
        }
        Path backend = location(ZooKeeperBackend.class);
        List<Path> classPathLeft = classPath.stream()
                .filter(p -> !modulePath.contains(p) && !p.equals(backend)).toList();
        // An automatic module is a jar: the reactor's target/classes (mvn test) is jarred here,
        // with the name its real jar's manifest gives it.
        modulePath.add(Files.isDirectory(backend) ? automaticModuleJar(backend, BACKEND_MODULE, scratch) : backend);
        return new Layout(List.copyOf(modulePath), classPathLeft);
    }

    /** The module in a class path entry: a modular or other jar, or a folder with a module-info.class. */
    private static Optional<ModuleReference> moduleOf(Path entry) {
        boolean jar = Files.isRegularFile(entry) && entry.toString().endsWith(".jar");
        if (!jar && !Files.isRegularFile(entry.resolve("module-info.class"))) {
            return Optional.empty(); // a folder of classes without module-info: no module
        }
        try {
            return ModuleFinder.of(entry).findAll().stream().findFirst();
        } catch (FindException e) {
            return Optional.empty(); // a jar whose file name gives no valid module name: it stays on the class path
        }
    }

    private static Path location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath().normalize();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("where " + type + " comes from", e);
        }
    }

    /**
     * A jar of a folder of classes whose manifest names the automatic module. The file name is
     * the artifact's, which gives another name (distributed.supervisor.zookeeper): the name the
     * nodes report comes from the manifest.
     */
    private static Path automaticModuleJar(Path classes, String moduleName, Path dir) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(new Attributes.Name("Automatic-Module-Name"), moduleName);
        Path jar = dir.resolve("distributed-supervisor-zookeeper.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest);
             Stream<Path> files = Files.walk(classes)) {
            files.filter(Files::isRegularFile).sorted().forEach(file -> {
                String name = classes.relativize(file).toString().replace(File.separatorChar, '/');
                if (name.equals("META-INF/MANIFEST.MF")) {
                    return;
                }
                try {
                    out.putNextEntry(new JarEntry(name));
                    Files.copy(file, out);
                    out.closeEntry();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        return jar;
    }
}
