package io.distributedsupervisor.codec;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.DatabindContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.jsontype.impl.ClassNameIdResolver;
import com.fasterxml.jackson.databind.type.TypeFactory;
import io.distributedsupervisor.ChildStatus;
import io.distributedsupervisor.ExitReason;
import io.distributedsupervisor.Incarnation;
import io.distributedsupervisor.Pid;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The type ids of values whose declared type is {@code Object}: a short alias for the common
 * classes, the binary class name for the others. Both directions check the {@link AllowList}: an
 * id for a class is handed out only if the list allows it (so a sender learns at once), and a
 * class-name id is resolved only through {@link AllowListTypeValidator}, by name, before loading.
 *
 * <p>The aliases are wire format: an alias is never reused for another class, new ones are only
 * appended. An alias is a decimal number, which no binary class name can be.
 */
final class TypeIds extends ClassNameIdResolver {
    private static final long serialVersionUID = 1L;

    /** Every Throwable: {@link ThrowableCodec} writes its class name itself and never refuses one. */
    static final String THROWABLE = "0";
    private static final String UNMODIFIABLE_LIST = "20";
    private static final String UNMODIFIABLE_SET = "21";
    private static final String UNMODIFIABLE_MAP = "22";
    /** Marks, in {@link #ids}, a class that the allow-list refuses. */
    private static final String REFUSED = new String("refused");

    private final AllowList allowList;
    /** Alias to the type it decodes as; null value: the allow-list refuses that type. */
    private final Map<String, JavaType> decodeAliases = new HashMap<>();
    private final Map<String, String> aliasedNames = new HashMap<>();
    private final Map<Class<?>, String> encodeAliases = new IdentityHashMap<>();
    private final transient ClassValue<String> ids = new ClassValue<>() {
        @Override
        protected String computeValue(Class<?> type) {
            return idFor(type);
        }
    };

    TypeIds(AllowList allowList, TypeFactory typeFactory) {
        super(typeFactory.constructType(Object.class), typeFactory, null, new AllowListTypeValidator(allowList));
        this.allowList = allowList;
        decodeAliases.put(THROWABLE, typeFactory.constructType(Throwable.class));
        alias("1", Long.class);
        alias("2", Float.class);
        alias("3", Short.class);
        alias("4", Byte.class);
        alias("5", Character.class);
        alias("6", BigInteger.class);
        alias("7", BigDecimal.class);
        alias("8", UUID.class);
        alias("9", Class.class);
        alias("10", Instant.class);
        alias("11", Duration.class);
        alias("12", ArrayList.class, Arrays.asList().getClass());
        alias("13", LinkedList.class);
        alias("14", HashMap.class);
        alias("15", LinkedHashMap.class);
        alias("16", TreeMap.class);
        alias("17", HashSet.class);
        alias("18", LinkedHashSet.class);
        alias("19", TreeSet.class);
        // Immutable and wrapped JDK collections decode as unmodifiable wrappers, which Jackson builds.
        decodeAlias(UNMODIFIABLE_LIST, Collections.unmodifiableList(new ArrayList<>()).getClass());
        decodeAlias(UNMODIFIABLE_SET, Collections.unmodifiableSet(new HashSet<>()).getClass());
        decodeAlias(UNMODIFIABLE_MAP, Collections.unmodifiableMap(new HashMap<>()).getClass());
        alias("23", Pid.class);
        alias("24", Incarnation.class);
        alias("25", ExitReason.class);
        alias("26", ChildStatus.class);
    }

    private void alias(String id, Class<?> decodeAs, Class<?>... alsoEncoded) {
        decodeAlias(id, decodeAs);
        encodeAliases.put(decodeAs, id);
        for (Class<?> type : alsoEncoded) {
            encodeAliases.put(type, id);
        }
    }

    private void decodeAlias(String id, Class<?> decodeAs) {
        decodeAliases.put(id, allowList.allows(decodeAs.getName()) ? _typeFactory.constructType(decodeAs) : null);
        aliasedNames.put(id, decodeAs.getName());
    }

    @Override
    public JsonTypeInfo.Id getMechanism() {
        return JsonTypeInfo.Id.CUSTOM;
    }

    @Override
    public String idFromValue(Object value) {
        return idOf(value instanceof Enum<?> e ? e.getDeclaringClass() : value.getClass());
    }

    @Override
    public String idFromValueAndType(Object value, Class<?> type) {
        return value == null ? idOf(type) : idFromValue(value);
    }

    private String idOf(Class<?> type) {
        String id = ids.get(type);
        if (id == REFUSED) {
            throw new RefusedTypeException(type.getName());
        }
        return id;
    }

    @Override
    public JavaType typeFromId(DatabindContext context, String id) throws IOException {
        JavaType alias = decodeAliases.get(id);
        if (alias != null) {
            return alias;
        }
        if (decodeAliases.containsKey(id)) {
            throw new RefusedClassException(aliasedNames.get(id), "(type id " + id + ") " + RefusedClassException.NOT_ALLOWED);
        }
        return super.typeFromId(context, id);
    }

    private String idFor(Class<?> type) {
        if (Throwable.class.isAssignableFrom(type)) {
            return THROWABLE;
        }
        String name = type.getName();
        if (!allowList.allows(name)) {
            return REFUSED;
        }
        String alias = encodeAliases.get(type);
        if (alias != null) {
            return alias;
        }
        if (name.startsWith("java.util.ImmutableCollections$") || name.startsWith("java.util.Collections$Unmodifiable")
                || name.startsWith("java.util.Collections$Empty") || name.startsWith("java.util.Collections$Singleton")) {
            if (Set.class.isAssignableFrom(type)) {
                return UNMODIFIABLE_SET;
            } else if (Map.class.isAssignableFrom(type)) {
                return UNMODIFIABLE_MAP;
            } else if (java.util.Collection.class.isAssignableFrom(type)) {
                // Lists, and plain collections such as unmodifiableMap(...).values(): their elements, in order.
                return UNMODIFIABLE_LIST;
            }
        }
        return name;
    }

    /**
     * A refusal while writing: unchecked, since Jackson's id methods declare no exception.
     * {@link CborCodec} finds it in the cause chain.
     */
    static final class RefusedTypeException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String className;

        RefusedTypeException(String className) {
            super("class " + className + " refused: " + RefusedClassException.NOT_ALLOWED, null, false, false);
            this.className = className;
        }

        String className() {
            return className;
        }
    }
}
