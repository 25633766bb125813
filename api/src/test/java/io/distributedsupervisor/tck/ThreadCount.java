package io.distributedsupervisor.tck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How many threads this JVM has now, virtual ones included (which {@code ThreadMXBean} does not
 * count): from a thread dump, as {@code jcmd Thread.dump_to_file} writes it.
 */
public final class ThreadCount {
    private ThreadCount() {
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void dump(Path file) throws ReflectiveOperationException {
        Class<?> bean = Class.forName("com.sun.management.HotSpotDiagnosticMXBean");
        Class format = Class.forName("com.sun.management.HotSpotDiagnosticMXBean$ThreadDumpFormat");
        Object diagnostics = Class.forName("java.lang.management.ManagementFactory")
                .getMethod("getPlatformMXBean", Class.class).invoke(null, bean);
        bean.getMethod("dumpThreads", String.class, format).invoke(diagnostics, file.toString(), Enum.valueOf(format, "JSON"));
    }

    public static int now() {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("threads");
            Path file = dir.resolve("dump.json");
            dump(file);
            String dump = Files.readString(file);
            Files.delete(file);
            return dump.split("\"tid\"", -1).length - 1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this JVM cannot dump its threads: " + e, e);
        } finally {
            if (dir != null) {
                try {
                    Files.deleteIfExists(dir);
                } catch (IOException e) {
                    // a temporary folder left empty: nothing to lose
                }
            }
        }
    }
}
