package io.distributedsupervisor.codec;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import io.distributedsupervisor.RemoteChildException;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Exceptions as data: class name, message, stack trace, cause chain and suppressed exceptions,
 * never their fields. The cause chain is written as one flat array (outermost first), so a long
 * chain adds no nesting, and a cycle in it ends the chain. Suppressed exceptions are written two
 * levels deep.
 *
 * <p>Decoding never fails for the class: an exception is rebuilt as its own class only if the
 * allow-list allows it, it is a public, concrete Throwable, and a public {@code (String, cause)},
 * {@code (String)} or {@code ()} constructor gives back the same message and cause; otherwise it
 * becomes a {@link RemoteChildException} that names the class. A RemoteChildException stays one,
 * with its remote class name.
 *
 * <p>Wire format: chain = [entry...]; entry = [class, remote?, message, [frame...], [chain...]];
 * frame = [declaringClass, method, file, line, classLoaderName, moduleName, moduleVersion].
 */
final class ThrowableCodec {
    private static final int SUPPRESSED_LEVELS = 2;

    private ThrowableCodec() {
    }

    static final class Serializer extends StdSerializer<Throwable> {
        private static final long serialVersionUID = 1L;

        Serializer() {
            super(Throwable.class);
        }

        @Override
        public void serialize(Throwable t, JsonGenerator g, SerializerProvider provider) throws IOException {
            writeChain(g, t, Collections.newSetFromMap(new IdentityHashMap<>()), 0);
        }

        @Override
        public void serializeWithType(Throwable t, JsonGenerator g, SerializerProvider provider, TypeSerializer typeSer)
                throws IOException {
            var typeId = typeSer.writeTypePrefix(g, typeSer.typeId(t, JsonToken.VALUE_EMBEDDED_OBJECT));
            serialize(t, g, provider);
            typeSer.writeTypeSuffix(g, typeId);
        }

        private static void writeChain(JsonGenerator g, Throwable t, Set<Throwable> seen, int level) throws IOException {
            // The whole chain is marked seen first: a cause that is also suppressed is written as the cause.
            List<Throwable> chain = new ArrayList<>(4);
            for (Throwable x = t; x != null && seen.add(x); x = x.getCause()) {
                chain.add(x);
            }
            g.writeStartArray(t, chain.size());
            for (Throwable x : chain) {
                writeEntry(g, x, seen, level);
            }
            g.writeEndArray();
        }

        private static void writeEntry(JsonGenerator g, Throwable x, Set<Throwable> seen, int level) throws IOException {
            g.writeStartArray(x, 5);
            if (x instanceof RemoteChildException remote) {
                g.writeString(remote.remoteClassName());
                g.writeBoolean(true);
                g.writeString(remoteMessage(remote));
            } else {
                g.writeString(x.getClass().getName());
                g.writeBoolean(false);
                g.writeString(message(x));
            }
            StackTraceElement[] stack = x.getStackTrace();
            g.writeStartArray(stack, stack.length);
            for (StackTraceElement e : stack) {
                g.writeStartArray(e, 7);
                g.writeString(e.getClassName());
                g.writeString(e.getMethodName());
                g.writeString(e.getFileName());
                g.writeNumber(e.getLineNumber());
                g.writeString(e.getClassLoaderName());
                g.writeString(e.getModuleName());
                g.writeString(e.getModuleVersion());
                g.writeEndArray();
            }
            g.writeEndArray();
            g.writeStartArray();
            if (level < SUPPRESSED_LEVELS) {
                for (Throwable s : x.getSuppressed()) {
                    if (!seen.contains(s)) {
                        writeChain(g, s, seen, level + 1);
                    }
                }
            }
            g.writeEndArray();
            g.writeEndArray();
        }

        private static String message(Throwable x) {
            try {
                return x.getMessage();
            } catch (RuntimeException e) {
                // A crash report must cross even when the exception's own getMessage is broken.
                return "(getMessage() threw " + e.getClass().getName() + ")";
            }
        }

        /** The message the remote exception had: RemoteChildException prefixes it with the class name. */
        private static String remoteMessage(RemoteChildException remote) {
            String full = remote.getMessage();
            String prefix = remote.remoteClassName();
            if (full == null || full.equals(prefix)) {
                return null;
            }
            return full.startsWith(prefix + ": ") ? full.substring(prefix.length() + 2) : full;
        }
    }

    static final class Deserializer extends StdDeserializer<Throwable> {
        private static final long serialVersionUID = 1L;
        private final AllowList allowList;
        private final transient ClassLoader loader;

        Deserializer(AllowList allowList, ClassLoader loader) {
            super(Throwable.class);
            this.allowList = allowList;
            this.loader = loader;
        }

        @Override
        public Throwable deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (!p.isExpectedStartArrayToken()) {
                return (Throwable) ctxt.handleUnexpectedToken(Throwable.class, p);
            }
            return readChain(p, ctxt);
        }

        private record Entry(String className, boolean remote, String message, StackTraceElement[] stack,
                             List<Throwable> suppressed) {
        }

        /** At the chain's START_ARRAY; leaves the parser at its END_ARRAY. */
        private Throwable readChain(JsonParser p, DeserializationContext ctxt) throws IOException {
            List<Entry> chain = new ArrayList<>();
            while (next(p, ctxt, JsonToken.START_ARRAY, JsonToken.END_ARRAY) == JsonToken.START_ARRAY) {
                chain.add(readEntry(p, ctxt));
            }
            Throwable cause = null;
            for (int i = chain.size() - 1; i >= 0; i--) {
                cause = rebuild(chain.get(i), cause);
            }
            if (cause == null) {
                ctxt.reportInputMismatch(Throwable.class, "an exception without any entry");
            }
            return cause;
        }

        private Entry readEntry(JsonParser p, DeserializationContext ctxt) throws IOException {
            String className = Objects.requireNonNullElse(text(p, ctxt), "");
            boolean remote = next(p, ctxt, JsonToken.VALUE_TRUE, JsonToken.VALUE_FALSE) == JsonToken.VALUE_TRUE;
            String message = text(p, ctxt);
            next(p, ctxt, JsonToken.START_ARRAY, JsonToken.START_ARRAY);
            List<StackTraceElement> stack = new ArrayList<>();
            while (next(p, ctxt, JsonToken.START_ARRAY, JsonToken.END_ARRAY) == JsonToken.START_ARRAY) {
                String declaringClass = text(p, ctxt);
                String method = text(p, ctxt);
                String file = text(p, ctxt);
                next(p, ctxt, JsonToken.VALUE_NUMBER_INT, JsonToken.VALUE_NUMBER_INT);
                int line = p.getIntValue();
                String loaderName = text(p, ctxt);
                String module = text(p, ctxt);
                String moduleVersion = text(p, ctxt);
                next(p, ctxt, JsonToken.END_ARRAY, JsonToken.END_ARRAY);
                if (declaringClass == null || method == null) {
                    ctxt.reportInputMismatch(Throwable.class, "a stack frame without class or method");
                }
                stack.add(new StackTraceElement(loaderName, module, moduleVersion, declaringClass, method, file, line));
            }
            next(p, ctxt, JsonToken.START_ARRAY, JsonToken.START_ARRAY);
            List<Throwable> suppressed = new ArrayList<>(0);
            while (next(p, ctxt, JsonToken.START_ARRAY, JsonToken.END_ARRAY) == JsonToken.START_ARRAY) {
                suppressed.add(readChain(p, ctxt));
            }
            next(p, ctxt, JsonToken.END_ARRAY, JsonToken.END_ARRAY);
            return new Entry(className, remote, message, stack.toArray(StackTraceElement[]::new), suppressed);
        }

        private static JsonToken next(JsonParser p, DeserializationContext ctxt, JsonToken one, JsonToken other)
                throws IOException {
            JsonToken t = p.nextToken();
            if (t != one && t != other) {
                ctxt.reportInputMismatch(Throwable.class, "malformed exception: expected %s, found %s", one, t);
            }
            return t;
        }

        private static String text(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonToken t = next(p, ctxt, JsonToken.VALUE_STRING, JsonToken.VALUE_NULL);
            return t == JsonToken.VALUE_NULL ? null : p.getText();
        }

        private Throwable rebuild(Entry e, Throwable cause) {
            Throwable t = e.remote() ? null : sameClass(e.className(), e.message(), cause);
            if (t == null) {
                t = RemoteChildException.of(e.className(), e.message(), e.stack(), cause);
            } else {
                t.setStackTrace(e.stack());
            }
            for (Throwable s : e.suppressed()) {
                t.addSuppressed(s);
            }
            return t;
        }

        /** The exception rebuilt as its own class, or null when that is not allowed or not faithful. */
        private Throwable sameClass(String className, String message, Throwable cause) {
            if (!allowList.allows(className)) {
                return null;
            }
            Class<?> type;
            try {
                // Loaded without initialization: nothing of it runs unless it proves a usable Throwable.
                type = Class.forName(className, false, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                return null;
            }
            if (!Throwable.class.isAssignableFrom(type) || !Modifier.isPublic(type.getModifiers())
                    || Modifier.isAbstract(type.getModifiers())) {
                return null;
            }
            List<Constructor<?>> withCause = new ArrayList<>(2);
            Constructor<?> messageOnly = null;
            Constructor<?> noArgs = null;
            for (Constructor<?> c : type.getConstructors()) {
                Class<?>[] params = c.getParameterTypes();
                if (params.length == 2 && params[0] == String.class && Throwable.class.isAssignableFrom(params[1])
                        && (cause == null ? params[1] == Throwable.class : params[1].isInstance(cause))) {
                    // (String, Throwable) before narrower ones such as UncheckedIOException's (String, IOException).
                    withCause.add(params[1] == Throwable.class ? 0 : withCause.size(), c);
                } else if (params.length == 1 && params[0] == String.class) {
                    messageOnly = c;
                } else if (params.length == 0) {
                    noArgs = c;
                }
            }
            for (Constructor<?> c : withCause) {
                Throwable t = faithful(create(c, message, cause), message, cause, false);
                if (t != null) {
                    return t;
                }
            }
            Throwable t = messageOnly == null ? null : faithful(create(messageOnly, message), message, cause, true);
            if (t == null && noArgs != null) {
                t = faithful(create(noArgs), message, cause, true);
            }
            return t;
        }

        private static Throwable create(Constructor<?> constructor, Object... args) {
            try {
                return (Throwable) constructor.newInstance(args);
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                // Not accessible (a package that is not exported), or the constructor threw.
                return null;
            }
        }

        private static Throwable faithful(Throwable t, String message, Throwable cause, boolean initCause) {
            try {
                if (t == null || !Objects.equals(t.getMessage(), message)) {
                    return null;
                }
            } catch (RuntimeException brokenGetMessage) {
                return null;
            }
            if (initCause && cause != null) {
                try {
                    t.initCause(cause);
                } catch (IllegalStateException alreadySet) {
                    return null;
                }
            }
            return t.getCause() == cause ? t : null;
        }
    }
}
