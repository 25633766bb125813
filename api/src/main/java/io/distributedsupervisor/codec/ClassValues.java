package io.distributedsupervisor.codec;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code Class} values, written as their binary name and checked against the allow-list under
 * that name, both ways: read only if the list allows the name, then loaded without being
 * initialized, so that naming a class runs none of it.
 */
final class ClassValues {
    static final Map<String, Class<?>> PRIMITIVES = Map.of(
            "boolean", boolean.class, "byte", byte.class, "char", char.class, "short", short.class,
            "int", int.class, "long", long.class, "float", float.class, "double", double.class, "void", void.class);

    private ClassValues() {
    }

    @SuppressWarnings("rawtypes")
    static final class Serializer extends StdSerializer<Class> {
        private static final long serialVersionUID = 1L;
        private final transient ClassValue<Boolean> allowed;

        Serializer(AllowList allowList) {
            super(Class.class);
            this.allowed = new ClassValue<>() {
                @Override
                protected Boolean computeValue(Class<?> type) {
                    return type.isPrimitive() || allowList.allows(type.getName());
                }
            };
        }

        @Override
        public void serialize(Class value, JsonGenerator g, SerializerProvider provider) throws IOException {
            String name = value.getName();
            if (!allowed.get(value)) {
                throw new RefusedClassException(name, "named by a Class value; " + RefusedClassException.NOT_ALLOWED);
            }
            g.writeString(name);
        }

        @Override
        public void serializeWithType(Class value, JsonGenerator g, SerializerProvider provider, TypeSerializer typeSer)
                throws IOException {
            var typeId = typeSer.writeTypePrefix(g, typeSer.typeId(value, JsonToken.VALUE_STRING));
            serialize(value, g, provider);
            typeSer.writeTypeSuffix(g, typeId);
        }
    }

    static final class Deserializer extends StdDeserializer<Class<?>> {
        private static final long serialVersionUID = 1L;
        /** Enough for the child and message classes of an application; past it, names are looked up each time. */
        private static final int CACHED = 1024;
        private final AllowList allowList;
        private final transient ClassLoader loader;
        /** Class.forName costs a microsecond, and every stored spec names its child class. Allowed names only. */
        private final transient ConcurrentHashMap<String, Class<?>> loaded = new ConcurrentHashMap<>();

        Deserializer(AllowList allowList, ClassLoader loader) {
            super(Class.class);
            this.allowList = allowList;
            this.loader = loader;
        }

        @Override
        public Class<?> deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() != JsonToken.VALUE_STRING) {
                return (Class<?>) ctxt.handleUnexpectedToken(Class.class, p);
            }
            return resolve(p.getText());
        }

        /**
         * The class {@code name} names: checked against the allow-list before it is loaded, then
         * loaded without being initialized.
         *
         * @throws RefusedClassException if the list refuses the name or the loader cannot load it
         */
        Class<?> resolve(String name) throws RefusedClassException {
            Class<?> known = loaded.get(name);
            if (known != null) {
                return known;
            }
            Class<?> primitive = PRIMITIVES.get(name);
            if (primitive != null) {
                return primitive;
            }
            if (!allowList.allows(name)) {
                throw new RefusedClassException(name, "named by a Class value; " + RefusedClassException.NOT_ALLOWED);
            }
            try {
                Class<?> type = Class.forName(name, false, loader);
                if (loaded.size() < CACHED) {
                    loaded.put(name, type);
                }
                return type;
            } catch (ClassNotFoundException | LinkageError e) {
                throw new RefusedClassException(name, "allowed, but this node's class loader cannot load it (" + e + ")");
            }
        }
    }
}
