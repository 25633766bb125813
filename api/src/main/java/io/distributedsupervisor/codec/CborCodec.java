package io.distributedsupervisor.codec;

import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import io.distributedsupervisor.spi.CodecException;
import io.distributedsupervisor.spi.MessageCodec;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Collection;
import java.util.Objects;

/**
 * The default {@link MessageCodec}: CBOR through Jackson, behind an {@link AllowList}, with no
 * back-references and with limits, so that what a message can cost the node that decodes it grows
 * only linearly with its size and stays bounded.
 *
 * <h2>What round-trips</h2>
 * A payload comes back as the class it was sent as:
 * <ul>
 *   <li>{@code null}, {@code String}, {@code Boolean}, boxed numbers ({@code Long} stays
 *       {@code Long}, {@code Integer} stays {@code Integer}), {@code BigInteger},
 *       {@code BigDecimal}, {@code UUID}, {@code java.time} values (as ISO text, zone included);</li>
 *   <li>arrays of primitives ({@code byte[]} as one CBOR byte string) and of objects;</li>
 *   <li>{@code ArrayList}, {@code LinkedList}, {@code HashMap}, {@code LinkedHashMap},
 *       {@code HashSet}, {@code LinkedHashSet}, {@code TreeMap} and {@code TreeSet} as
 *       themselves (a tree's comparator is not sent: it is rebuilt in natural order).
 *       {@code List.of}/{@code Set.of}/{@code Map.of}, {@code Collections.unmodifiable*},
 *       {@code emptyList()} and {@code singletonList()} and the like come back as equal
 *       unmodifiable {@code Collections} wrappers, {@code Arrays.asList} as an {@code ArrayList}.
 *       In a map whose key type is not declared (any map at an {@code Object} position) keys
 *       keep their class if they are strings, boxed numbers, booleans, chars, {@code BigInteger},
 *       {@code BigDecimal}, {@code UUID}s or enums of allowed classes; other keys are refused;</li>
 *   <li>records, enums and beans of allowed classes, with their fields; a field declared
 *       {@code Object} (or a collection of {@code Object}) keeps its value's class as above,
 *       while a field declared with a concrete type is read as that type;</li>
 *   <li>{@code Class} values, checked by the name they hold and loaded without initialization:
 *       a stored spec, {@code Map<String, Object>} such as
 *       {@code {"type": Counter.class, "arg": ..., "id": 5L, "restart": "PERMANENT"}}, comes back equal;</li>
 *   <li>this library's {@code Pid}, {@code Incarnation}, {@code ExitReason}, {@code ChildStatus},
 *       {@code Restart} and {@code StartReason};</li>
 *   <li>exceptions, as data: class name, message, stack trace, cause chain and suppressed
 *       exceptions. One is rebuilt as its own class when the allow-list allows it and it has a
 *       public {@code (String, Throwable)}, {@code (String)} or {@code ()} constructor that gives
 *       back the same message and cause; any other, of whatever class, is decoded as a
 *       {@link io.distributedsupervisor.RemoteChildException} that names its class (its other
 *       fields are not sent). An exception never makes a decode fail.</li>
 * </ul>
 *
 * <h2>What it refuses</h2>
 * A class named in a message is checked by its name against the allow-list <em>before</em> it is
 * loaded, so no code of a refused class runs; the refusal is a {@link CodecException} whose
 * {@link CodecException#refusedClass()} names it. Classes that allowed classes declare as their
 * field types are checked too, before any instance is made. {@link #encode} refuses the same
 * classes, so that a sender learns at once. Every message, argument, reply and exception class you
 * send must be on the list (exceptions not on it cross as {@code RemoteChildException}), and
 * every child class a spec names. Limits, each a {@code CodecException} that names it:
 * {@code maxBytes} (payload size, both ways), {@code maxDepth} (nesting of CBOR arrays and maps,
 * both ways; a value at an {@code Object} position takes one level more for its type id),
 * {@code maxStringLength} (chars of one string or field name), {@code maxNumberLength} (digits of
 * one number) and {@code maxTokens} (CBOR items in one payload: the work budget of a decode).
 * Objects are written as trees: there are no back-references, so a value reached twice is written
 * twice and a cycle ends at {@code maxDepth}. What the limits do not make linear: a
 * {@code HashSet} or {@code HashMap} of elements chosen to collide. The JDK keeps that at
 * n log n for {@code Comparable} elements (strings and numbers, not records), and {@code maxTokens}
 * bounds n; lower it if your allowed classes include hashed collections of non-comparable values.
 *
 * <h2>Module path</h2>
 * Jackson reads records and beans by reflection: a module that sends its own types must
 * {@code opens} their packages to {@code com.fasterxml.jackson.databind}. This library's own
 * types need no such thing.
 *
 * <p>Instances are immutable and thread-safe; build one per node and share it.
 */
public final class CborCodec implements MessageCodec {
    /** Default {@code maxBytes}: 16 MiB. */
    public static final int DEFAULT_MAX_BYTES = 16 * 1024 * 1024;
    /** Default {@code maxDepth}: 64 levels of CBOR arrays and maps. */
    public static final int DEFAULT_MAX_DEPTH = 64;
    /** Default {@code maxStringLength}: 4 Mi chars. */
    public static final int DEFAULT_MAX_STRING_LENGTH = 4 * 1024 * 1024;
    /** Default {@code maxNumberLength}: 1,000 digits. */
    public static final int DEFAULT_MAX_NUMBER_LENGTH = 1000;
    /** Default {@code maxTokens}: 2,000,000 CBOR items. */
    public static final long DEFAULT_MAX_TOKENS = 2_000_000;

    private final AllowList allowList;
    private final int maxBytes;
    private final int maxDepth;
    private final int maxStringLength;
    private final int maxNumberLength;
    private final long maxTokens;
    private final ObjectReader reader;
    private final ObjectWriter writer;
    /** Whether the limits let {@link DirectCbor} read what it can: a byte[] is 4 tokens and a 2-char type id. */
    private final boolean directReads;
    private final DirectMaps directMaps;

    private CborCodec(Builder b) {
        this.allowList = b.allowList;
        this.maxBytes = b.maxBytes;
        this.maxDepth = b.maxDepth;
        this.maxStringLength = b.maxStringLength;
        this.maxNumberLength = b.maxNumberLength;
        this.maxTokens = b.maxTokens;
        ClassLoader loader = b.classLoader != null ? b.classLoader : defaultLoader();
        ClassValues.Deserializer classes = new ClassValues.Deserializer(allowList, loader);
        ObjectMapper mapper = CborMappers.create(allowList, loader, classes, maxBytes, maxDepth, maxStringLength,
                maxNumberLength, maxTokens);
        this.directMaps = new DirectMaps(allowList, classes, maxDepth, maxStringLength, maxNumberLength, maxTokens);
        this.reader = mapper.readerFor(Object.class);
        this.writer = mapper.writerFor(Object.class);
        this.directReads = maxTokens >= 4 && maxStringLength >= 2;
    }

    private static ClassLoader defaultLoader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : CborCodec.class.getClassLoader();
    }

    /** A codec with {@link AllowList#defaults()} and the default limits. */
    public static CborCodec withDefaults() {
        return builder().build();
    }

    /**
     * A codec that allows the defaults and {@code patterns}, with the default limits.
     *
     * @throws IllegalArgumentException naming the pattern, if one is not valid
     */
    public static CborCodec allowing(Collection<String> patterns) {
        return builder().allowList(AllowList.defaults().and(patterns)).build();
    }

    /** A builder, starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The classes this codec encodes and decodes. */
    public AllowList allowList() {
        return allowList;
    }

    @Override
    public void encode(Object payload, OutputStream out) throws CodecException {
        Objects.requireNonNull(out, "out");
        try {
            if (DirectCbor.writes(payload)) {
                if (DirectCbor.size(payload) > maxBytes) {
                    throw tooLarge("being encoded");
                }
                DirectCbor.write(payload, out);
                return;
            }
            writer.writeValue(BoundedOutput.forwardingTo(out, maxBytes), payload);
        } catch (IOException | RuntimeException e) {
            throw translate(e, "encode");
        }
    }

    @Override
    public int encodedSize(Object payload) {
        if (!DirectCbor.writes(payload)) {
            return -1;
        }
        long size = DirectCbor.size(payload);
        return size > maxBytes ? -1 : (int) size;
    }

    @Override
    public byte[] encode(Object payload) throws CodecException {
        BoundedOutput bytes = BoundedOutput.buffered(maxBytes);
        try {
            if (DirectCbor.writes(payload)) {
                encode(payload, bytes);
                return bytes.toByteArray();
            }
            writer.writeValue(bytes, payload);
        } catch (IOException | RuntimeException e) {
            throw translate(e, "encode");
        }
        return bytes.toByteArray();
    }

    @Override
    public Object decode(byte[] bytes, int offset, int length) throws CodecException {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        if (length > maxBytes) {
            throw tooLarge("of " + length + " bytes");
        }
        if (directReads) {
            Object direct = DirectCbor.read(bytes, offset, length, maxStringLength);
            if (direct != DirectCbor.NOT_DIRECT) {
                return direct;
            }
        }
        try {
            Object map = directMaps.read(bytes, offset, length);
            if (map != DirectCbor.NOT_DIRECT) {
                return map;
            }
            return reader.readValue(bytes, offset, length);
        } catch (IOException | RuntimeException | LinkageError e) {
            throw translate(e, "decode");
        }
    }

    private CodecException tooLarge(String size) {
        return CodecException.failed("CBOR payload " + size + " exceeds the codec's maxBytes (" + maxBytes + ")", null);
    }

    private CodecException translate(Throwable e, String what) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof RefusedClassException r) {
                return CodecException.refused(r.className(), r.why());
            }
            if (c instanceof TypeIds.RefusedTypeException r) {
                return CodecException.refused(r.className(), RefusedClassException.NOT_ALLOWED);
            }
            if (c instanceof BoundedOutput.TooLarge) {
                return tooLarge("being encoded");
            }
            if (c instanceof StreamConstraintsException limit) {
                return CodecException.failed("cannot " + what + ": the payload exceeds the codec's " + limitOf(limit)
                        + " (" + limit.getOriginalMessage() + ")", limit);
            }
            if (c instanceof InvalidTypeIdException bad && bad.getTypeId() != null) {
                String id = bad.getTypeId();
                return allowList.allows(id)
                        ? CodecException.refused(id, "allowed, but this node's class loader cannot load it")
                        : CodecException.refused(id, RefusedClassException.NOT_ALLOWED);
            }
        }
        return CodecException.failed("cannot " + what + " CBOR payload: " + e.getMessage(), e);
    }

    private String limitOf(StreamConstraintsException e) {
        String m = String.valueOf(e.getOriginalMessage());
        if (m.contains("nesting depth")) {
            return "maxDepth (" + maxDepth + ")";
        } else if (m.contains("Token count")) {
            return "maxTokens (" + maxTokens + ")";
        } else if (m.contains("String value length") || m.contains("Name length")) {
            return "maxStringLength (" + maxStringLength + ")";
        } else if (m.contains("Number value length")) {
            return "maxNumberLength (" + maxNumberLength + ")";
        } else if (m.contains("Document length")) {
            return "maxBytes (" + maxBytes + ")";
        }
        return "limits";
    }

    @Override
    public String toString() {
        return "CborCodec[" + allowList + ", maxBytes=" + maxBytes + ", maxDepth=" + maxDepth + ", maxStringLength="
                + maxStringLength + ", maxNumberLength=" + maxNumberLength + ", maxTokens=" + maxTokens + "]";
    }

    /** Builds a {@link CborCodec}; every setting starts at its default. Not thread-safe. */
    public static final class Builder {
        private AllowList allowList = AllowList.defaults();
        private ClassLoader classLoader;
        private int maxBytes = DEFAULT_MAX_BYTES;
        private int maxDepth = DEFAULT_MAX_DEPTH;
        private int maxStringLength = DEFAULT_MAX_STRING_LENGTH;
        private int maxNumberLength = DEFAULT_MAX_NUMBER_LENGTH;
        private long maxTokens = DEFAULT_MAX_TOKENS;

        private Builder() {
        }

        /** The classes the codec encodes and decodes; default {@link AllowList#defaults()}. */
        public Builder allowList(AllowList allowList) {
            this.allowList = Objects.requireNonNull(allowList, "allowList");
            return this;
        }

        /**
         * The loader of the allowed classes a message names; default the thread's context class
         * loader when {@link #build()} runs (or this library's loader if there is none).
         */
        public Builder classLoader(ClassLoader classLoader) {
            this.classLoader = Objects.requireNonNull(classLoader, "classLoader");
            return this;
        }

        /** Largest payload encoded or decoded, in bytes; default {@value CborCodec#DEFAULT_MAX_BYTES}. */
        public Builder maxBytes(int maxBytes) {
            this.maxBytes = positive(maxBytes, "maxBytes");
            return this;
        }

        /** Deepest nesting of CBOR arrays and maps; default {@value CborCodec#DEFAULT_MAX_DEPTH}. */
        public Builder maxDepth(int maxDepth) {
            this.maxDepth = positive(maxDepth, "maxDepth");
            return this;
        }

        /** Longest string or field name, in chars; default {@value CborCodec#DEFAULT_MAX_STRING_LENGTH}. */
        public Builder maxStringLength(int maxStringLength) {
            this.maxStringLength = positive(maxStringLength, "maxStringLength");
            return this;
        }

        /** Most digits of one number; default {@value CborCodec#DEFAULT_MAX_NUMBER_LENGTH}. */
        public Builder maxNumberLength(int maxNumberLength) {
            this.maxNumberLength = positive(maxNumberLength, "maxNumberLength");
            return this;
        }

        /**
         * Most CBOR items (scalars, array and map starts and ends, field names) in one payload:
         * what bounds the work of a decode. Default {@value CborCodec#DEFAULT_MAX_TOKENS}.
         */
        public Builder maxTokens(long maxTokens) {
            if (maxTokens <= 0) {
                throw new IllegalArgumentException("maxTokens must be positive, was " + maxTokens);
            }
            this.maxTokens = maxTokens;
            return this;
        }

        public CborCodec build() {
            return new CborCodec(this);
        }

        private static int positive(int value, String name) {
            if (value <= 0) {
                throw new IllegalArgumentException(name + " must be positive, was " + value);
            }
            return value;
        }
    }
}
