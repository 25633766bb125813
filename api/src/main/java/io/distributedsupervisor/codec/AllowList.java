package io.distributedsupervisor.codec;

import java.io.ObjectInputFilter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * The classes a codec may decode (and encode): an ordered list of class-name patterns, judged by
 * the name alone, so that a codec can refuse a class before it loads it. An immutable value.
 *
 * <p>Pattern syntax, as in {@link ObjectInputFilter.Config#createFilter}:
 * <ul>
 *   <li>{@code com.example.Foo}: that class ({@code com.example.Foo$Inner} for a nested one);</li>
 *   <li>{@code com.example.*}: the classes of package {@code com.example}, not of its subpackages;</li>
 *   <li>{@code com.example.**}: the classes of {@code com.example} and of all its subpackages;</li>
 *   <li>{@code com.example.Foo*}: every class whose name starts with {@code com.example.Foo};</li>
 *   <li>{@code !pattern}: refuses what {@code pattern} matches.</li>
 * </ul>
 * The first pattern that matches a name decides; a name no pattern matches is refused. Arrays
 * are judged by their element class (arrays of primitives are always allowed). Module-qualified
 * patterns and limits ({@code maxdepth=...}) are not accepted.
 *
 * <p>{@link #defaults()} holds what every node needs and nothing that runs code of its own when it
 * is decoded: this library's value types (named one by one: its internal and SPI packages
 * cannot be named), boxed primitives, {@code String}, {@code Number}, {@code BigInteger},
 * {@code BigDecimal}, {@code UUID}, {@code java.time} values, the usual {@code java.util}
 * collections (including {@code List.of}/{@code Set.of}/{@code Map.of}, the
 * {@code Collections} wrappers and {@code Arrays.asList}), common {@code java.lang},
 * {@code java.io} and {@code java.util(.concurrent)} exceptions, {@code StackTraceElement},
 * {@code TimeUnit} and {@code ChronoUnit}. Add your own classes with {@link #and(Collection)}: every
 * message, argument, reply and exception class you send, and every child class a spec names.
 */
public final class AllowList {

    private static final List<String> DEFAULTS = List.of(
            // This library's public values, one by one: io.distributedsupervisor.** would let a
            // peer name the runtime's internal and SPI classes.
            "io.distributedsupervisor.Pid", "io.distributedsupervisor.Incarnation",
            "io.distributedsupervisor.ExitReason", "io.distributedsupervisor.ExitReason$Kind",
            "io.distributedsupervisor.ChildStatus", "io.distributedsupervisor.Restart",
            "io.distributedsupervisor.StartReason", "io.distributedsupervisor.StartResult",
            "io.distributedsupervisor.Operation", "io.distributedsupervisor.Rebalance",
            "io.distributedsupervisor.DistributedSupervisorException",
            "io.distributedsupervisor.RemoteChildException",
            // java.lang values. Object only for Object[] and Object.class; a plain Object carries nothing.
            "java.lang.Boolean", "java.lang.Byte", "java.lang.Short", "java.lang.Integer",
            "java.lang.Long", "java.lang.Float", "java.lang.Double", "java.lang.Character",
            "java.lang.String", "java.lang.Number", "java.lang.Object",
            // A spec names its child class with a Class value, which is checked again under the name it stands for.
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
            // Value collections and the JDK's immutable and wrapped ones.
            "java.util.ArrayList", "java.util.LinkedList", "java.util.ArrayDeque",
            "java.util.HashMap", "java.util.LinkedHashMap", "java.util.TreeMap",
            "java.util.HashSet", "java.util.LinkedHashSet", "java.util.TreeSet",
            "java.util.UUID", "java.util.Arrays$ArrayList",
            "java.util.Collections$Unmodifiable*", "java.util.Collections$Empty*",
            "java.util.Collections$Singleton*", "java.util.ImmutableCollections$*",
            "java.time.*", "java.time.temporal.ChronoUnit",
            "java.math.BigInteger", "java.math.BigDecimal");

    private static final AllowList DEFAULT_LIST = new AllowList(DEFAULTS);

    private final List<String> patterns;
    private final Rule[] rules;

    private AllowList(List<String> patterns) {
        this.patterns = List.copyOf(patterns);
        this.rules = this.patterns.stream().map(Rule::of).toArray(Rule[]::new);
    }

    /** A pattern taken apart once, so that matching a name allocates nothing. */
    private record Rule(boolean refuse, boolean onePackage, boolean prefix, String text) {
        static Rule of(String pattern) {
            boolean refuse = pattern.charAt(0) == '!';
            String p = refuse ? pattern.substring(1) : pattern;
            if (p.endsWith(".**")) {
                return new Rule(refuse, false, true, p.substring(0, p.length() - 2));
            } else if (p.endsWith(".*")) {
                return new Rule(refuse, true, true, p.substring(0, p.length() - 1));
            } else if (p.endsWith("*")) {
                return new Rule(refuse, false, true, p.substring(0, p.length() - 1));
            }
            return new Rule(refuse, false, false, p);
        }

        boolean matches(String name) {
            if (!prefix) {
                return name.equals(text);
            }
            return name.startsWith(text) && (!onePackage || name.indexOf('.', text.length()) < 0);
        }
    }

    /** The default list (see the class comment). */
    public static AllowList defaults() {
        return DEFAULT_LIST;
    }

    /**
     * A list of {@code patterns} only, without the defaults: for nodes that want to decide on every
     * class themselves. A codec still needs {@code java.lang.Class} and the classes it is sent.
     *
     * @throws IllegalArgumentException naming the pattern, if one is not valid
     */
    public static AllowList of(Collection<String> patterns) {
        return new AllowList(validated(patterns));
    }

    /**
     * This list followed by {@code patterns}. Since the first match decides, a {@code !pattern}
     * added here cannot refuse what this list already allows; build such a list with {@link #of}.
     *
     * @throws IllegalArgumentException naming the pattern, if one is not valid
     */
    public AllowList and(Collection<String> patterns) {
        List<String> all = new ArrayList<>(this.patterns);
        all.addAll(validated(patterns));
        return new AllowList(all);
    }

    /** The patterns in the order they are checked. */
    public List<String> patterns() {
        return patterns;
    }

    /**
     * Whether the class {@code className} (a binary name such as {@code com.example.Outer$Inner})
     * is allowed. Array names as {@link Class#getName()} gives them ({@code [Lcom.example.Foo;},
     * {@code [I}) are judged by their element class.
     */
    public boolean allows(String className) {
        Objects.requireNonNull(className, "className");
        int dims = 0;
        while (dims < className.length() && className.charAt(dims) == '[') {
            dims++;
        }
        if (dims == 0) {
            return allowsPlain(className);
        }
        String element = className.substring(dims);
        if (element.length() == 1) {
            return "ZBCSIJFD".contains(element);
        }
        if (element.length() > 2 && element.charAt(0) == 'L' && element.endsWith(";")) {
            return allowsPlain(element.substring(1, element.length() - 1));
        }
        return false;
    }

    private boolean allowsPlain(String name) {
        // Only plain binary names: a generic signature or a descriptor would make a loader parse
        // (and load) more names than the one that was checked.
        if (!isBinaryName(name)) {
            return false;
        }
        for (Rule rule : rules) {
            if (rule.matches(name)) {
                return !rule.refuse();
            }
        }
        return false;
    }

    static boolean isBinaryName(String name) {
        if (name.isEmpty() || name.charAt(0) == '.' || name.charAt(name.length() - 1) == '.') {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = c == '.' ? name.charAt(i - 1) != '.'
                    : Character.isJavaIdentifierPart(c) && !Character.isIdentifierIgnorable(c);
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static List<String> validated(Collection<String> patterns) {
        Objects.requireNonNull(patterns, "patterns");
        List<String> valid = new ArrayList<>(patterns.size());
        for (String pattern : patterns) {
            valid.add(validate(pattern));
        }
        return valid;
    }

    static String validate(String pattern) {
        if (pattern == null || pattern.isBlank()) {
            throw new IllegalArgumentException("allow-list pattern '" + pattern + "' must not be blank");
        }
        String p = pattern.strip();
        if (p.contains(";") || p.contains("=") || p.contains("/")) {
            throw new IllegalArgumentException("allow-list pattern '" + pattern
                    + "' must be one class pattern (no ';', no limits like maxdepth=, no module/ prefix)");
        }
        String body = p.startsWith("!") ? p.substring(1) : p;
        int star = body.indexOf('*');
        String prefix = star < 0 ? body : body.substring(0, star);
        boolean starOk = star < 0 || star == body.length() - 1 || (body.endsWith(".**") && star == body.length() - 2);
        if (body.isEmpty() || !starOk || (!prefix.isEmpty() && !isNamePrefix(prefix))) {
            throw new IllegalArgumentException("allow-list pattern '" + pattern
                    + "' is not valid: a class name, optionally ending in '*' (Foo*, pkg.*, pkg.**)");
        }
        // Let the JDK check the syntax too, so that the two can never disagree about validity.
        ObjectInputFilter.Config.createFilter(p);
        return p;
    }

    private static boolean isNamePrefix(String prefix) {
        return isBinaryName(prefix.endsWith(".") ? prefix.substring(0, prefix.length() - 1) : prefix);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AllowList other && other.patterns.equals(patterns);
    }

    @Override
    public int hashCode() {
        return patterns.hashCode();
    }

    /** {@code AllowList.defaults()}, {@code AllowList.defaults().and([...])} or {@code AllowList.of([...])}. */
    @Override
    public String toString() {
        if (patterns.size() >= DEFAULTS.size() && patterns.subList(0, DEFAULTS.size()).equals(DEFAULTS)) {
            List<String> added = patterns.subList(DEFAULTS.size(), patterns.size());
            return added.isEmpty() ? "AllowList.defaults()" : "AllowList.defaults().and(" + added + ")";
        }
        return "AllowList.of(" + patterns + ")";
    }
}
