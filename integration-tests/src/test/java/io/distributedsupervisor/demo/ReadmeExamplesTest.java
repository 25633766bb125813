package io.distributedsupervisor.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles, and where they have a {@code main} runs, the Java examples of the repository's
 * {@code README.md}, read from the file itself: an example that no longer compiles, or whose
 * program fails, fails the build.
 *
 * <h2>The convention, for whoever edits the README</h2>
 *
 * Every block fenced with {@code ```java} is an example, and is one of:
 * <ul>
 *   <li><b>A whole compilation unit</b> (it has a {@code package} or {@code import} line, or
 *       declares a top-level {@code class}, {@code interface}, {@code record} or {@code enum} at the
 *       start of a line): compiled as it stands, with its own imports, against the test class path
 *       of {@code integration-tests} (every module of the reactor, slf4j, JUnit, AssertJ,
 *       Awaitility). If a class of it has {@code public static void main(String[])}, that
 *       {@code main} is run, in this JVM, with assertions on and a time limit of
 *       {@value #RUN_SECONDS} s; it must return normally. Put the children it needs in a unit
 *       before it: each unit also sees the classes of the units above it in the README (so the
 *       Usage section's {@code Counter} serves the examples further down).</li>
 *   <li><b>A fragment</b> (anything else: statements), which must be marked, on the line just
 *       before its fence, with {@code <!-- example: compile-only -->}. It is compiled as the body of
 *       a method that may throw anything, in a class that imports {@code io.distributedsupervisor},
 *       {@code .spi}, {@code .inmemory}, {@code .zookeeper}, {@code java.time}, {@code java.util},
 *       {@code java.util.concurrent} and {@code java.nio.file} (its own leading {@code import} lines
 *       are added too). Variables it uses but does not declare are named after {@code given}, as
 *       parameters: {@code <!-- example: compile-only given DistributedSupervisor ds -->}.
 *       Fragments are never run.</li>
 *   <li><b>Skipped</b>: {@code <!-- example: skip -- why -->}, with the reason after {@code --}.
 *       For what cannot compile at all (pseudo-code); prefer a fragment.</li>
 * </ul>
 * {@code compile-only} on a whole unit compiles it without running its {@code main} (for a
 * program that needs a ZooKeeper ensemble). Free text after {@code --} in a marker is a comment
 * for the reader of the Markdown source; the comment does not show when the README is rendered. A
 * block announced on the line before it (or before its marker) as a file of the standalone
 * {@code examples/} project, as in {@code `src/main/java/com/example/Main.java`:}, must equal that
 * file (so the project that CI builds against the installed artifacts is the README's code). A
 * marker that is not right before a {@code ```java} fence, an unknown mode, a skip without a
 * reason, or an unmarked fragment fails this test, naming the README line.
 */
class ReadmeExamplesTest {

    static final int RUN_SECONDS = 30;

    private static final Pattern MARKER = Pattern.compile(
            "^\\s*<!--\\s*example:\\s*([a-z-]+)\\s*(?:given\\s+(.*?))?\\s*(?:--\\s*(.*?))?\\s*-->\\s*$");
    private static final Pattern PACKAGE = Pattern.compile("(?m)^\\s*package\\s+([\\w.]+)\\s*;");
    private static final Pattern IMPORT = Pattern.compile("(?m)^\\s*import\\s+[\\w.*\\s]+;");
    private static final Pattern TOP_LEVEL_TYPE = Pattern.compile(
            "(?m)^((?:public|abstract|final|sealed|non-sealed|strictfp)\\s+)*(class|interface|record|enum)\\s+(\\w+)");
    private static final Pattern ANNOUNCED_FILE = Pattern.compile("^`(src/[\\w/.-]+\\.java)`");
    private static final Pattern MAIN = Pattern.compile("public\\s+static\\s+void\\s+main\\s*\\(");
    private static final List<String> FRAGMENT_IMPORTS = List.of(
            "io.distributedsupervisor.*", "io.distributedsupervisor.spi.*", "io.distributedsupervisor.inmemory.*",
            "io.distributedsupervisor.zookeeper.*", "java.time.*", "java.util.*", "java.util.concurrent.*",
            "java.nio.file.*");

    enum Mode { RUN, COMPILE_ONLY, SKIP }

    /**
     * One {@code ```java} block.
     *
     * @param line   the README line of its first line of code (1-based)
     * @param marker the line of its marker, or 0
     * @param file   the path in {@code examples/} it is announced as, or null
     */
    record Example(int line, Mode mode, String code, List<String> given, String reason, int marker, String file) {

        boolean isUnit() {
            return PACKAGE.matcher(code).find() || IMPORT.matcher(code).find() || TOP_LEVEL_TYPE.matcher(code).find();
        }

        boolean hasMain() {
            return MAIN.matcher(code).find();
        }

        String where() {
            return "README.md:" + line;
        }
    }

    static Path readme;
    static List<Example> examples;
    /** The output folders of the units compiled so far, the latest first. */
    static final List<Path> outputs = new ArrayList<>();
    @TempDir static Path work;

    @BeforeAll
    static void read() throws IOException {
        readme = findReadme();
        examples = parse(Files.readAllLines(readme, StandardCharsets.UTF_8));
    }

    /** The README this module's build belongs to: the first README.md upwards that sits beside this module. */
    static Path findReadme() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("README.md");
            if (Files.isRegularFile(candidate) && Files.isDirectory(dir.resolve("integration-tests"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("no README.md beside integration-tests above " + Path.of("").toAbsolutePath());
    }

    static List<Example> parse(List<String> lines) {
        List<Example> found = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.contains("<!-- example") || l.contains("<!--example")) {
                boolean beforeFence = i + 1 < lines.size() && lines.get(i + 1).strip().equals("```java");
                if (!MARKER.matcher(l).matches() || !beforeFence) {
                    problems.add("README.md:" + (i + 1) + ": a marker must be '<!-- example: MODE [given T name, ...] [-- text] -->'"
                            + " on the line just before a ```java fence: " + l.strip());
                }
                continue;
            }
            if (!l.strip().equals("```java")) {
                continue;
            }
            int first = i + 2;
            StringBuilder code = new StringBuilder();
            int j = i + 1;
            while (j < lines.size() && !lines.get(j).strip().startsWith("```")) {
                code.append(lines.get(j)).append('\n');
                j++;
            }
            if (j == lines.size()) {
                problems.add("README.md:" + (i + 1) + ": a ```java block that never ends");
                break;
            }
            Mode mode = Mode.RUN;
            List<String> given = List.of();
            String reason = null;
            int markerLine = 0;
            Matcher m = i > 0 ? MARKER.matcher(lines.get(i - 1)) : null;
            if (m != null && m.matches()) {
                markerLine = i;
                reason = m.group(3);
                given = m.group(2) == null ? List.of()
                        : Stream.of(m.group(2).split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
                switch (m.group(1)) {
                    case "compile-only" -> mode = Mode.COMPILE_ONLY;
                    case "skip" -> {
                        mode = Mode.SKIP;
                        if (reason == null || reason.isBlank()) {
                            problems.add("README.md:" + i + ": 'skip' needs a reason: <!-- example: skip -- why -->");
                        }
                    }
                    default -> problems.add("README.md:" + i + ": unknown example mode '" + m.group(1)
                            + "' (compile-only or skip; a whole unit without a marker is compiled and its main run)");
                }
            }
            String file = null;
            for (int k = (markerLine > 0 ? i - 2 : i - 1); k >= 0; k--) {
                if (!lines.get(k).isBlank()) {
                    Matcher f = ANNOUNCED_FILE.matcher(lines.get(k));
                    file = f.find() ? f.group(1) : null;
                    break;
                }
            }
            Example e = new Example(first, mode, code.toString(), given, reason, markerLine, file);
            if (mode == Mode.RUN && !e.isUnit()) {
                problems.add(e.where() + ": a fragment (no package, import or top-level type): mark it"
                        + " '<!-- example: compile-only [given Type name, ...] -->' or make it a whole compilation unit");
            }
            if (!given.isEmpty() && e.isUnit()) {
                problems.add(e.where() + ": 'given' is for fragments only");
            }
            found.add(e);
            i = j;
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("README.md examples are not marked as ReadmeExamplesTest's javadoc says:\n"
                    + String.join("\n", problems));
        }
        return found;
    }

    @Test
    void theReadmeHasExamplesAndTheUsageExampleRuns() {
        assertThat(examples).as("```java blocks in " + readme).hasSizeGreaterThanOrEqualTo(5);
        assertThat(examples).as("runnable examples (a unit with a main, not compile-only)")
                .anyMatch(e -> e.mode() == Mode.RUN && e.hasMain());
    }

    /** A block announced as {@code `src/.../X.java`} is that file of the {@code examples/} project, word for word. */
    @Test
    void theAnnouncedFilesAreTheExampleProjectsFiles() throws IOException {
        Path project = readme.getParent().resolve("examples");
        List<Example> announced = examples.stream().filter(e -> e.file() != null).toList();
        assertThat(announced).as("blocks announced as a file of examples/").isNotEmpty();
        for (Example e : announced) {
            Path file = project.resolve(e.file());
            assertThat(file).as(e.where() + " names " + file).isRegularFile();
            assertThat(Files.readString(file, StandardCharsets.UTF_8))
                    .as(e.where() + ": examples/" + e.file() + " must be the README's block, word for word")
                    .isEqualTo(e.code());
        }
    }

    /** One dynamic test per block, in README order: a unit sees the units compiled before it. */
    @TestFactory
    Stream<DynamicTest> everyExample() {
        return examples.stream().map(e -> DynamicTest.dynamicTest(
                e.where() + " " + e.mode().name().toLowerCase(Locale.ROOT) + (e.isUnit() ? "" : " (fragment)"),
                () -> check(e)));
    }

    private static void check(Example e) throws Exception {
        if (e.mode() == Mode.SKIP) {
            return;
        }
        Path out = Files.createDirectories(work.resolve("line" + e.line()));
        Source source = e.isUnit() ? unit(e) : fragment(e);
        compile(e, source, out);
        if (e.isUnit()) {
            outputs.add(0, out);     // later examples see this one's classes first
        }
        if (e.mode() == Mode.RUN && e.hasMain()) {
            run(e, source);
        }
    }

    /** Java source, the class it names, and how many lines precede the README's code in it. */
    record Source(String className, String text, int headerLines) {
    }

    private static Source unit(Example e) {
        Matcher p = PACKAGE.matcher(e.code());
        String pkg = p.find() ? p.group(1) + "." : "";
        Matcher t = TOP_LEVEL_TYPE.matcher(e.code());
        String name = null;
        String publicName = null;
        String mainName = null;
        int mainAt = e.code().indexOf("static void main");
        while (t.find()) {
            name = name == null ? t.group(3) : name;
            if (t.group(0).startsWith("public")) {
                publicName = t.group(3);
            }
            if (mainAt > t.start()) {
                mainName = t.group(3);
            }
        }
        if (name == null) {
            throw new AssertionError(e.where() + ": a unit without a top-level type");
        }
        String fileName = publicName != null ? publicName : name;
        return new Source(pkg + (mainName != null ? mainName : fileName) + "|" + pkg + fileName, e.code(), 0);
    }

    private static Source fragment(Example e) {
        StringBuilder header = new StringBuilder();
        StringBuilder body = new StringBuilder();
        boolean leading = true;
        for (String l : e.code().split("\n", -1)) {
            if (leading && IMPORT.matcher(l).matches()) {
                header.append(l).append('\n');
                body.append('\n');   // keep the README's line numbers
                continue;
            }
            leading = leading && l.isBlank();
            body.append(l).append('\n');
        }
        for (String i : FRAGMENT_IMPORTS) {
            header.append("import ").append(i).append(";\n");
        }
        String cls = "ReadmeFragmentAtLine" + e.line();
        String params = String.join(", ", e.given());
        String text = header + "@SuppressWarnings(\"unused\")\nclass " + cls + " {\n    void example(" + params
                + ") throws Throwable {\n" + body + "    }\n}\n";
        int headerLines = (int) header.chars().filter(c -> c == '\n').count() + 3;   // + annotation, class, method
        return new Source(cls + "|" + cls, text, headerLines);
    }

    private static void compile(Example e, Source source, Path out) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac).as("a JDK's compiler (the tests run on a JRE?)").isNotNull();
        String fileClass = source.className().split("\\|")[1];
        JavaFileObject file = new SimpleJavaFileObject(
                URI.create("string:///" + fileClass.replace('.', '/') + ".java"), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return source.text();
            }
        };
        List<String> classPath = new ArrayList<>();
        outputs.forEach(p -> classPath.add(p.toString()));
        classPath.add(System.getProperty("java.class.path"));
        List<String> options = List.of("-proc:none", "-encoding", "UTF-8", "-d", out.toString(),
                "-classpath", String.join(java.io.File.pathSeparator, classPath));
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            boolean ok = javac.getTask(null, files, diagnostics, options, null, List.of(file)).call();
            if (!ok) {
                StringBuilder why = new StringBuilder(e.where() + ": the example does not compile"
                        + (e.isUnit() ? "" : " (as a fragment: the body of a method)") + ":\n");
                for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                    if (d.getKind() != Diagnostic.Kind.ERROR) {
                        continue;
                    }
                    long readmeLine = d.getLineNumber() - source.headerLines() + e.line() - 1;
                    why.append("  README.md:").append(readmeLine).append(": ").append(d.getMessage(Locale.ROOT))
                            .append('\n');
                }
                throw new AssertionError(why.toString());
            }
        }
    }

    private static void run(Example e, Source source) throws Exception {
        String mainClass = source.className().split("\\|")[0];
        URL[] urls = outputs.stream().map(p -> {
            try {
                return p.toUri().toURL();
            } catch (IOException x) {
                throw new UncheckedIOException(x);
            }
        }).toArray(URL[]::new);
        try (URLClassLoader loader = new URLClassLoader("readme-examples", urls, ReadmeExamplesTest.class.getClassLoader())) {
            loader.setDefaultAssertionStatus(true);
            Method main = loader.loadClass(mainClass).getMethod("main", String[].class);
            assertThat(Modifier.isStatic(main.getModifiers())).isTrue();
            CompletableFuture<Void> done = new CompletableFuture<>();
            Thread runner = new Thread(() -> {
                try {
                    main.invoke(null, (Object) new String[0]);
                    done.complete(null);
                } catch (InvocationTargetException x) {
                    done.completeExceptionally(x.getCause());
                } catch (Throwable x) {
                    done.completeExceptionally(x);
                }
            }, "readme-main-line" + e.line());
            runner.setContextClassLoader(loader);   // as for an application: codecs load its classes through it
            runner.setDaemon(true);
            long t0 = System.nanoTime();
            runner.start();
            try {
                done.get(RUN_SECONDS, TimeUnit.SECONDS);
            } catch (TimeoutException x) {
                runner.interrupt();
                throw new AssertionError(e.where() + ": " + mainClass + ".main did not return within " + RUN_SECONDS + " s");
            } catch (java.util.concurrent.ExecutionException x) {
                throw new AssertionError(e.where() + ": " + mainClass + ".main failed: " + x.getCause(), x.getCause());
            }
            System.out.printf("%s: %s.main returned after %d ms%n", e.where(), mainClass,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        }
    }
}
