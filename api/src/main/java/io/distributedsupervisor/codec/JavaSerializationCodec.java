package io.distributedsupervisor.codec;

import io.distributedsupervisor.RemoteChildException;
import io.distributedsupervisor.spi.CodecException;
import io.distributedsupervisor.spi.MessageCodec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.OutputStream;
import java.util.Collection;
import java.util.Objects;
import java.util.Set;

/**
 * Java serialization behind an {@link AllowList}: an <b>opt-in</b> codec for trusted networks and
 * for compatibility. Use {@link CborCodec} otherwise.
 *
 * <p><b>Why it is not the default.</b> Java serialization has back-references: an object may
 * appear once in a stream and be referred to many times. With them a message of about 1.4 KB
 * made only of allowed classes (nested {@code HashSet}s, 25 levels deep, each holding the next
 * twice) makes the node that decodes it compute hash codes for a time that doubles with every
 * level: seconds to hours for one message. The limits below cannot stop this, because the
 * message stays small and shallow; only an allow-list without hash-based collections could, and
 * that would refuse {@code HashMap} and {@code HashSet} payloads. Java serialization also runs the
 * {@code readObject} code of every allowed class, so each class you allow widens what a peer can
 * make your node do.
 *
 * <p>Guarantees of {@link #decode}:
 * <ul>
 *   <li>Only classes the allow-list allows are deserialized; every other class, a dynamic proxy,
 *       or a {@code Class} object naming a class outside the list is refused with a
 *       {@link CodecException} whose {@link CodecException#refusedClass()} names it. A refused
 *       class is refused by name before it is loaded, so none of its code (static initializer,
 *       constructor, {@code readObject}, {@code readResolve}) runs.</li>
 *   <li>Limits: nesting depth {@value #MAX_DEPTH}, {@value #MAX_REFS} objects, {@value #MAX_BYTES}
 *       bytes, and no array may declare more elements than twice the bytes of the message plus
 *       64, so a small message cannot make the node allocate a huge array.</li>
 *   <li>The classes Java serialization's own forms are made of are always admitted:
 *       {@code java.util.CollSer} ({@code List.of} and the like), {@code java.time.Ser},
 *       {@code java.util.Map$Entry} (checked as an array type by {@code HashMap}), and the
 *       superclasses {@code Number}, {@code Enum}, {@code Throwable}, {@code Exception},
 *       {@code RuntimeException} and {@code Error}.</li>
 * </ul>
 *
 * <p>{@link #encode} refuses the classes {@link #decode} would refuse, while it writes them; an
 * exception of a class outside the list is sent as a
 * {@link io.distributedsupervisor.RemoteChildException} instead, so that a crash always crosses.
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

    private static final Set<String> SERIAL_FORMS = Set.of("java.util.CollSer", "java.time.Ser", "java.util.Map$Entry",
            "java.lang.Number", "java.lang.Enum", "java.lang.Throwable", "java.lang.Exception",
            "java.lang.RuntimeException", "java.lang.Error");
    private static final String NOT_ALLOWED =
            "not in the codec's allow-list (add it with JavaSerializationCodec.allowing(...) or AllowList.and(...))";

    private final AllowList allowList;
    private final ClassLoader loader;

    private JavaSerializationCodec(AllowList allowList, ClassLoader loader) {
        this.allowList = Objects.requireNonNull(allowList, "allowList");
        this.loader = Objects.requireNonNull(loader, "loader");
    }

    /** A codec with {@link AllowList#defaults()}. */
    public static JavaSerializationCodec withDefaults() {
        return of(AllowList.defaults());
    }

    /**
     * A codec that allows the defaults and {@code patterns}.
     *
     * @throws IllegalArgumentException naming the pattern, if one is not valid
     */
    public static JavaSerializationCodec allowing(Collection<String> patterns) {
        return of(AllowList.defaults().and(patterns));
    }

    /**
     * A codec with {@code allowList}, loading classes with the context class loader of the calling
     * thread (or this library's loader if there is none).
     */
    public static JavaSerializationCodec of(AllowList allowList) {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return of(allowList, context != null ? context : JavaSerializationCodec.class.getClassLoader());
    }

    /** A codec with {@code allowList} that loads the classes it decodes with {@code loader}. */
    public static JavaSerializationCodec of(AllowList allowList, ClassLoader loader) {
        return new JavaSerializationCodec(allowList, loader);
    }

    /** The classes this codec encodes and decodes. */
    public AllowList allowList() {
        return allowList;
    }

    private boolean allows(String binaryName) {
        return SERIAL_FORMS.contains(binaryName) || ClassValues.PRIMITIVES.containsKey(binaryName)
                || allowList.allows(binaryName);
    }

    @Override
    public void encode(Object payload, OutputStream out) throws CodecException {
        Objects.requireNonNull(out, "out");
        try {
            CheckedOutputStream objects = new CheckedOutputStream(out);
            objects.writeObject(payload);
            objects.flush();
        } catch (InvalidClassException e) {
            throw e.classname != null ? CodecException.refused(e.classname, NOT_ALLOWED)
                    : CodecException.failed("cannot encode: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw CodecException.failed("cannot encode: " + e, e);
        }
    }

    @Override
    public Object decode(byte[] bytes, int offset, int length) throws CodecException {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        if (length > MAX_BYTES) {
            throw CodecException.failed("message of " + length + " bytes exceeds the codec's limit of " + MAX_BYTES, null);
        }
        FilteredInputStream in = null;
        try {
            in = new FilteredInputStream(new ByteArrayInputStream(bytes, offset, length), length);
            return in.readObject();
        } catch (InvalidClassException e) {
            if (in != null && in.refusedClass != null) {
                throw CodecException.refused(in.refusedClass, in.rejection);
            }
            if (in != null && in.rejection != null) {
                throw CodecException.failed("refused: " + in.rejection, e);
            }
            throw e.classname != null ? CodecException.refused(e.classname, String.valueOf(e.getMessage()))
                    : CodecException.failed("cannot decode: " + e.getMessage(), e);
        } catch (ClassNotFoundException e) {
            throw CodecException.refused(String.valueOf(e.getMessage()), "allowed, but this node's class loader cannot load it");
        } catch (IOException | RuntimeException e) {
            throw CodecException.failed("cannot decode Java-serialized payload: " + e, e);
        }
    }

    @Override
    public String toString() {
        return "JavaSerializationCodec[" + allowList + ", maxdepth=" + MAX_DEPTH + ", maxrefs=" + MAX_REFS
                + ", maxbytes=" + MAX_BYTES + ", arrays up to 2 x message bytes + 64]";
    }

    /** Refuses, as it writes them, the classes decode would refuse; turns foreign exceptions into stand-ins. */
    private final class CheckedOutputStream extends ObjectOutputStream {
        CheckedOutputStream(OutputStream out) throws IOException {
            super(out);
            enableReplaceObject(true);
        }

        @Override
        protected Object replaceObject(Object obj) {
            if (obj instanceof Throwable t && !(obj instanceof RemoteChildException) && !allows(t.getClass().getName())) {
                return RemoteChildException.of(t);
            }
            return obj;
        }

        @Override
        protected void annotateClass(Class<?> type) throws IOException {
            if (!allows(type.getName())) {
                throw new InvalidClassException(type.getName(), NOT_ALLOWED);
            }
        }

        @Override
        protected void annotateProxyClass(Class<?> type) throws IOException {
            throw new InvalidClassException(type.getName(), "a dynamic proxy; refused by the codec");
        }
    }

    /**
     * Refuses a class by name before loading it (so nothing of it runs, not even its static
     * initializer), and checks every class, array and reference against the same list and the
     * limits once more as its ObjectInputFilter.
     */
    private final class FilteredInputStream extends ObjectInputStream {
        private final long maxArray;
        /** Why the filter refused, for the exception: the JDK's own message does not say. */
        private String rejection;
        private String refusedClass;

        FilteredInputStream(InputStream in, int messageBytes) throws IOException {
            super(in);
            this.maxArray = 2L * messageBytes + 64;
            setObjectInputFilter(this::check);
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            String name = desc.getName();
            if (!allows(name)) {
                refusedClass = name;
                rejection = NOT_ALLOWED;
                throw new InvalidClassException(name, NOT_ALLOWED);
            }
            Class<?> primitive = ClassValues.PRIMITIVES.get(name);
            return primitive != null ? primitive : Class.forName(name, false, loader);
        }

        @Override
        protected Class<?> resolveProxyClass(String[] interfaces) throws IOException {
            // A proxy's behaviour lives in its InvocationHandler: the classic gadget-chain glue.
            refusedClass = String.join(",", interfaces);
            rejection = "a dynamic proxy; refused by the codec";
            throw new InvalidClassException(refusedClass, rejection);
        }

        private ObjectInputFilter.Status check(ObjectInputFilter.FilterInfo info) {
            if (info.depth() > MAX_DEPTH) {
                return reject("objects nested deeper than " + MAX_DEPTH);
            }
            if (info.references() > MAX_REFS) {
                return reject("more than " + MAX_REFS + " objects in one message");
            }
            if (info.streamBytes() > MAX_BYTES) {
                return reject("more than " + MAX_BYTES + " bytes");
            }
            if (info.arrayLength() > maxArray) {
                return reject("an array of " + info.arrayLength() + " elements in a message that can hold at most " + maxArray);
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
            if (element.isPrimitive() || allows(element.getName())) {
                return ObjectInputFilter.Status.ALLOWED;
            }
            refusedClass = type.getName();
            return reject(NOT_ALLOWED);
        }

        private ObjectInputFilter.Status reject(String why) {
            rejection = why;
            return ObjectInputFilter.Status.REJECTED;
        }
    }
}
