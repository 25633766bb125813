package io.distributedsupervisor.zookeeper.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectStreamClass;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * A class outside every allow-list ({@code untrusted.Tripwire}), compiled at test time because
 * every class of this test tree lives under the allowed {@code io.distributedsupervisor.**}.
 * Its {@code readObject} sets the system property {@link #RAN}, so a test sees whether any of its
 * code ran during a decode.
 */
final class ForeignClasses {
    static final String TRIPWIRE = "untrusted.Tripwire";
    static final String RAN = "untrusted.Tripwire.readObject.ran";

    private static final String SOURCE = """
            package untrusted;
            public class Tripwire implements java.io.Serializable {
                private static final long serialVersionUID = 1L;
                public String payload = "boom";
                private void readObject(java.io.ObjectInputStream in) throws java.io.IOException, ClassNotFoundException {
                    in.defaultReadObject();
                    System.setProperty("untrusted.Tripwire.readObject.ran", "true");
                }
            }
            """;

    private static ClassLoader loader;

    private ForeignClasses() {
    }

    /** A fresh Tripwire instance. */
    static synchronized Object tripwire() {
        try {
            if (loader == null) {
                loader = compile();
            }
            return loader.loadClass(TRIPWIRE).getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    static boolean ran() {
        return Boolean.getBoolean(RAN);
    }

    static void reset() {
        System.clearProperty(RAN);
    }

    /** Plain Java deserialization that can see the Tripwire class: what the codec must not do. */
    static Object unfilteredDecode(byte[] bytes) throws IOException, ClassNotFoundException {
        tripwire();
        try (ObjectInputStream in = new ObjectInputStream(new java.io.ByteArrayInputStream(bytes)) {
            @Override
            protected Class<?> resolveClass(ObjectStreamClass desc) throws ClassNotFoundException {
                return Class.forName(desc.getName(), false, loader);
            }
        }) {
            return in.readObject();
        }
    }

    private static ClassLoader compile() {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("tripwire");
            Path source = dir.resolve("untrusted/Tripwire.java");
            Files.createDirectories(source.getParent());
            Files.writeString(source, SOURCE);
            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            int status = javac.run(InputStream.nullInputStream(), System.out, System.err,
                    "-d", dir.toString(), source.toString());
            if (status != 0) {
                throw new IllegalStateException("javac failed with status " + status);
            }
            byte[] bytes = Files.readAllBytes(dir.resolve("untrusted/Tripwire.class"));
            return new ClassLoader(ForeignClasses.class.getClassLoader()) {
                @Override
                protected Class<?> findClass(String name) throws ClassNotFoundException {
                    if (name.equals(TRIPWIRE)) {
                        return defineClass(name, bytes, 0, bytes.length);
                    }
                    throw new ClassNotFoundException(name);
                }

                @Override
                protected URL findResource(String name) {
                    return null;
                }
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (dir != null) {
                try (Stream<Path> files = Files.walk(dir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                } catch (IOException ignored) {
                    // A temp folder left behind is no test failure.
                }
            }
        }
    }
}
