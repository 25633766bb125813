package io.distributedsupervisor.codec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Fresh copies of {@link Tripwire}, each in a loader of its own that records what it is asked to load. */
final class Tripwires {
    static final String NAME = Tripwire.class.getName();

    private Tripwires() {
    }

    /** Whether the copy of Tripwire in {@code loader} has been initialized. */
    static boolean initialized(ClassLoader loader) {
        return Boolean.getBoolean("tripwire.initialized." + System.identityHashCode(loader));
    }

    /** A new Tripwire instance in a loader of its own (which initializes that copy of the class). */
    static Object instance() throws ReflectiveOperationException {
        return new IsolatedLoader().loadClass(NAME).getConstructor().newInstance();
    }

    /** Defines its own copy of Tripwire; delegates everything else to the test's loader. */
    static final class IsolatedLoader extends ClassLoader {
        private final Set<String> requested = ConcurrentHashMap.newKeySet();

        IsolatedLoader() {
            super(Tripwires.class.getClassLoader());
        }

        boolean wasAskedFor(String name) {
            return requested.contains(name);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            requested.add(name);
            if (!name.equals(NAME)) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                if (loaded == null) {
                    byte[] bytes = classBytes();
                    loaded = defineClass(name, bytes, 0, bytes.length);
                }
                return loaded;
            }
        }

        private static byte[] classBytes() {
            try (InputStream in = Tripwires.class.getResourceAsStream("Tripwire.class")) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
