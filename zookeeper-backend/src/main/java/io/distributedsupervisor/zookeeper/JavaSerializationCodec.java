package io.distributedsupervisor.zookeeper;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.StreamCorruptedException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * Java serialization behind an {@link ObjectInputFilter} allow-list: the default
 * {@link MessageCodec}.
 *
 * <p>Guarantees of {@link #decode}:
 * <ul>
 *   <li>Only classes matched by {@link #allowList()} are deserialized; every other class, a
 *       dynamic proxy, or a {@code Class} object naming a class outside the list is refused with
 *       an {@link InvalidClassException} that names it. A refused class is refused by name before
 *       it is even loaded, so none of its code (static initializer, constructor,
 *       {@code readObject}, {@code readResolve}) runs.</li>
 *   <li>Limits: nesting depth {@value #MAX_DEPTH}, {@value #MAX_REFS} objects, {@value #MAX_BYTES}
 *       bytes, and no array may declare more elements than twice the bytes of the message plus
 *       64, so a small message cannot make the node allocate a huge array.</li>
 * </ul>
 *
 * <p>The default allow-list holds this library's own types ({@code io.distributedsupervisor.**}),
 * boxed primitives, {@code String}, common {@code java.lang} exceptions, the usual
 * {@code java.util} value collections (including {@code List.of}/{@code Map.of} and the
 * {@code Collections} wrappers), {@code UUID}, {@code java.time} values, {@code BigInteger} and
 * {@code BigDecimal}, and arrays of all of these and of primitives. Application classes (message
 * types, child classes named by a {@code ChildSpec}, exceptions thrown by children) must be added
 * with {@link #allowing(Collection)}.
 *
 * <p>Pattern syntax, as in {@link ObjectInputFilter.Config#createFilter}: {@code com.example.Foo}
 * (one class), {@code com.example.*} (the classes of a package), {@code com.example.**} (a package
 * and its subpackages), {@code com.example.Foo*} (a name prefix), {@code !pattern} (refuse).
 * The first pattern that matches decides; a class no pattern matches is refused. Module-qualified
 * patterns and limits ({@code maxdepth=...}) are not accepted in user patterns.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class JavaSerializationCodec implements MessageCodec {

    /** Deepest nesting of objects in one message. */
    public static final int MAX_DEPTH = 200;
    /** Most objects (and back references) in one message. */
    public static final int MAX_REFS = 1_000_000;
    /** Largest message this codec decodes. */
    public static final int MAX_BYTES = 64 * 1024 * 1024;

    private static final List<String> DEFAULT_ALLOW_LIST = List.of(
            "io.distributedsupervisor.**",
            // java.lang values; Object only so that Object[] (Arrays.asList, varargs) can be read,
            // an instance of plain Object is not serializable anyway.
            "java.lang.Boolean", "java.lang.Byte", "java.lang.Short", "java.lang.Integer",
            "java.lang.Long", "java.lang.Float", "java.lang.Double", "java.lang.Character",
            "java.lang.String", "java.lang.Number", "java.lang.Enum", "java.lang.Object",
            // ChildSpec holds a Class; a Class in a stream is checked again under its own name.
            "java.lang.Class",
            // What a crashed child's exception usually is made of.
            "java.lang.Throwable", "java.lang.Exception", "java.lang.RuntimeException", "java.lang.Error",
            "java.lang.StackTraceElement",
            "java.lang.IllegalArgumentException", "java.lang.IllegalStateException",
            "java.lang.NullPointerException", "java.lang.UnsupportedOperationException",
            "java.lang.ArithmeticException", "java.lang.ClassCastException",
            "java.lang.NumberFormatException", "java.lang.IndexOutOfBoundsException",
            "java.lang.ArrayIndexOutOfBoundsException", "java.lang.StringIndexOutOfBoundsException",
            "java.lang.InterruptedException", "java.lang.AssertionError",
            "java.io.IOException", "java.io.UncheckedIOException",
            "java.util.NoSuchElementException", "java.util.ConcurrentModificationException",
            "java.util.concurrent.TimeoutException", "java.util.concurrent.CancellationException",
            "java.util.concurrent.CompletionException", "java.util.concurrent.ExecutionException",
            "java.util.concurrent.TimeUnit",
            // Value collections. List.of/Set.of/Map.of travel as java.util.CollSer.
            "java.util.ArrayList", "java.util.LinkedList", "java.util.ArrayDeque",
            "java.util.HashMap", "java.util.LinkedHashMap", "java.util.TreeMap",
            "java.util.HashSet", "java.util.LinkedHashSet", "java.util.TreeSet",
            "java.util.UUID", "java.util.Arrays$ArrayList",
            // HashMap checks its table size as a Map.Entry[] before it reads the entries.
            "java.util.Map$Entry",
            "java.util.Collections$Unmodifiable*", "java.util.Collections$Empty*",
            "java.util.Collections$Singleton*",
            "java.util.ImmutableCollections$*", "java.util.CollSer",
            // java.time values travel as java.time.Ser.
            "java.time.*", "java.time.temporal.ChronoUnit",
            "java.math.BigInteger", "java.math.BigDecimal");

    private final List<String> allowList;
    private final NamePatterns patterns;

    private JavaSerializationCodec(List<String> allowList) {
        this.allowList = List.copyOf(allowList);
        this.patterns = new NamePatterns(this.allowList);
    }

    /** A codec with the default allow-list only. */
    public static JavaSerializationCodec withDefaults() {
        return new JavaSerializationCodec(DEFAULT_ALLOW_LIST);
    }

    /**
     * A codec with the default allow-list followed by {@code patterns}.
     *
     * @throws IllegalArgumentException if a pattern is blank, holds {@code ;}, {@code /} or
     *                                  {@code =}, or is otherwise not a valid filter pattern
     */
    public static JavaSerializationCodec allowing(Collection<String> patterns) {
        Objects.requireNonNull(patterns, "patterns");
        List<String> all = new ArrayList<>(DEFAULT_ALLOW_LIST);
        for (String pattern : patterns) {
            all.add(NamePatterns.validate(pattern));
        }
        return new JavaSerializationCodec(all);
    }

    /** The allow-list in the order it is checked (the defaults first); anything it does not match is refused. */
    public List<String> allowList() {
        return allowList;
    }

    @Override
    public byte[] encode(Object message) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(message);
        }
        return bytes.toByteArray();
    }

    @Override
    public Object decode(byte[] bytes) throws IOException {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length > MAX_BYTES) {
            throw new StreamCorruptedException("message of " + bytes.length + " bytes exceeds the codec's limit of " + MAX_BYTES);
        }
        try (FilteredInputStream in = new FilteredInputStream(new ByteArrayInputStream(bytes), patterns, bytes.length)) {
            try {
                return in.readObject();
            } catch (InvalidClassException e) {
                // The JDK only says "filter status: REJECTED"; say what was refused and why.
                if (in.rejection != null && e.classname == null) {
                    InvalidClassException named = new InvalidClassException(in.rejection);
                    named.initCause(e);
                    throw named;
                }
                throw e;
            }
        } catch (ClassNotFoundException e) {
            throw new InvalidClassException(e.getMessage(), "allowed but not found on this node's class path");
        }
    }

    @Override
    public String toString() {
        return "JavaSerializationCodec" + allowList + " (maxdepth=" + MAX_DEPTH + ", maxrefs=" + MAX_REFS
                + ", maxbytes=" + MAX_BYTES + ", arrays up to 2 x message bytes + 64)";
    }

    /**
     * An ObjectInputStream that refuses a class by name before loading it (so nothing of it runs,
     * not even its static initializer), and checks every class, array and reference against the
     * same patterns and the limits once more as its ObjectInputFilter.
     */
    private static final class FilteredInputStream extends ObjectInputStream {
        private final NamePatterns patterns;
        private final long maxArray;
        /** Why the filter refused, for the exception: the JDK's own message does not say. */
        private String rejection;

        FilteredInputStream(InputStream in, NamePatterns patterns, int messageBytes) throws IOException {
            super(in);
            this.patterns = patterns;
            this.maxArray = 2L * messageBytes + 64;
            setObjectInputFilter(this::check);
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            String name = desc.getName();
            if (!patterns.allowsBinaryName(name)) {
                throw refused(name);
            }
            return super.resolveClass(desc);
        }

        @Override
        protected Class<?> resolveProxyClass(String[] interfaces) throws IOException {
            // A proxy's behaviour lives in its InvocationHandler: the classic gadget-chain glue.
            throw new InvalidClassException(String.join(",", interfaces), "dynamic proxy refused by the codec's allow-list");
        }

        private ObjectInputFilter.Status check(ObjectInputFilter.FilterInfo info) {
            if (info.depth() > MAX_DEPTH) {
                return reject("refused: objects nested deeper than " + MAX_DEPTH);
            }
            if (info.references() > MAX_REFS) {
                return reject("refused: more than " + MAX_REFS + " objects in one message");
            }
            if (info.streamBytes() > MAX_BYTES) {
                return reject("refused: more than " + MAX_BYTES + " bytes");
            }
            if (info.arrayLength() > maxArray) {
                return reject("refused: an array of " + info.arrayLength() + " elements in a message that can hold at most " + maxArray);
            }
            Class<?> type = info.serialClass();
            if (type == null) {
                // Only limits are being checked (a back reference, an array length).
                return ObjectInputFilter.Status.UNDECIDED;
            }
            Class<?> element = type;
            while (element.isArray()) {
                element = element.getComponentType();
            }
            if (element.isPrimitive() || patterns.allows(element.getName())) {
                return ObjectInputFilter.Status.ALLOWED;
            }
            return reject(type.getName() + "; refused: not in the codec's allow-list (add it with JavaSerializationCodec.allowing(...))");
        }

        private ObjectInputFilter.Status reject(String why) {
            rejection = why;
            return ObjectInputFilter.Status.REJECTED;
        }

        private static InvalidClassException refused(String name) {
            return new InvalidClassException(name, "refused: not in the codec's allow-list (add it with JavaSerializationCodec.allowing(...))");
        }
    }

    /** The allow-list patterns, matched against class names (ObjectInputFilter pattern semantics). */
    private static final class NamePatterns {
        private final List<String> patterns;

        NamePatterns(List<String> patterns) {
            this.patterns = patterns;
        }

        static String validate(String pattern) {
            if (pattern == null || pattern.isBlank()) {
                throw new IllegalArgumentException("allow-list pattern must not be blank");
            }
            String p = pattern.strip();
            if (p.contains(";") || p.contains("=") || p.contains("/")) {
                throw new IllegalArgumentException("allow-list pattern '" + pattern
                        + "' must be one class pattern (no ';', no limits like maxdepth=, no module/ prefix)");
            }
            String body = p.startsWith("!") ? p.substring(1) : p;
            int star = body.indexOf('*');
            if (body.isEmpty() || (star >= 0 && star < body.length() - 1 && !body.endsWith(".**"))) {
                throw new IllegalArgumentException("allow-list pattern '" + pattern
                        + "' is not valid: '*' may only end it (Foo*, pkg.*, pkg.**)");
            }
            // Let the JDK check the syntax too, so that the two can never disagree about validity.
            ObjectInputFilter.Config.createFilter(p);
            return p;
        }

        /** Binary names as in a stream: arrays ("[[Ljava.lang.String;", "[I") are judged by their element type. */
        boolean allowsBinaryName(String name) {
            int dims = 0;
            while (dims < name.length() && name.charAt(dims) == '[') {
                dims++;
            }
            if (dims == 0) {
                return allows(name);
            }
            String element = name.substring(dims);
            if (element.length() == 1) {
                return "ZBCSIJFD".contains(element);
            }
            if (element.startsWith("L") && element.endsWith(";")) {
                return allows(element.substring(1, element.length() - 1));
            }
            return false;
        }

        boolean allows(String className) {
            for (String pattern : patterns) {
                boolean negate = pattern.startsWith("!");
                String p = negate ? pattern.substring(1) : pattern;
                if (matches(p, className)) {
                    return !negate;
                }
            }
            return false;
        }

        private static boolean matches(String pattern, String name) {
            if (pattern.equals("*")) {
                return true;
            }
            if (pattern.endsWith(".**")) {
                return name.startsWith(pattern.substring(0, pattern.length() - 2));
            }
            if (pattern.endsWith(".*")) {
                String pkg = pattern.substring(0, pattern.length() - 1);
                return name.startsWith(pkg) && name.indexOf('.', pkg.length()) < 0;
            }
            if (pattern.endsWith("*")) {
                return name.startsWith(pattern.substring(0, pattern.length() - 1));
            }
            return name.equals(pattern);
        }
    }
}
