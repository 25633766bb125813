package io.distributedsupervisor.codec;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializationConfig;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;
import com.fasterxml.jackson.databind.ser.BeanSerializerModifier;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;

/**
 * The allow-list for classes a message does not name: those an allowed class declares as the
 * types of its fields. Such a class is loaded with the class that declares it, but none of its
 * code runs: when Jackson builds a (de)serializer for a class the list refuses, it gets one that
 * refuses every value instead. Containers (collections, maps, arrays) are exempt, their elements
 * are not; so are values that carry no class (String, Integer, Boolean, Double), exceptions
 * ({@link ThrowableCodec} decides on those) and {@code Class} values (checked by the name they hold).
 */
final class DeclaredTypeChecks {
    private DeclaredTypeChecks() {
    }

    static boolean exempt(Class<?> type) {
        return type.isPrimitive() || type.isArray() || type == Object.class || type == String.class
                || type == Boolean.class || type == Integer.class || type == Double.class || type == Class.class
                || Throwable.class.isAssignableFrom(type) || java.util.Collection.class.isAssignableFrom(type)
                || java.util.Map.class.isAssignableFrom(type);
    }

    /** An enum constant with a body is an anonymous subclass; the list names the enum. */
    static String nameOf(Class<?> type) {
        return Enum.class.isAssignableFrom(type) && !type.isEnum() ? type.getSuperclass().getName() : type.getName();
    }

    static final class Serializers extends BeanSerializerModifier {
        private static final long serialVersionUID = 1L;
        private final AllowList allowList;

        Serializers(AllowList allowList) {
            this.allowList = allowList;
        }

        @Override
        public JsonSerializer<?> modifySerializer(SerializationConfig config, BeanDescription desc, JsonSerializer<?> ser) {
            return check(desc.getBeanClass(), ser);
        }

        @Override
        public JsonSerializer<?> modifyEnumSerializer(SerializationConfig config, JavaType type, BeanDescription desc,
                                                      JsonSerializer<?> ser) {
            return check(type.getRawClass(), ser);
        }

        private JsonSerializer<?> check(Class<?> type, JsonSerializer<?> ser) {
            return exempt(type) || allowList.allows(nameOf(type)) ? ser : new Refusing(nameOf(type));
        }
    }

    static final class Deserializers extends BeanDeserializerModifier {
        private static final long serialVersionUID = 1L;
        private final AllowList allowList;

        Deserializers(AllowList allowList) {
            this.allowList = allowList;
        }

        @Override
        public JsonDeserializer<?> modifyDeserializer(DeserializationConfig config, BeanDescription desc,
                                                      JsonDeserializer<?> deser) {
            return check(desc.getBeanClass(), deser);
        }

        @Override
        public JsonDeserializer<?> modifyEnumDeserializer(DeserializationConfig config, JavaType type,
                                                          BeanDescription desc, JsonDeserializer<?> deser) {
            return check(type.getRawClass(), deser);
        }

        private JsonDeserializer<?> check(Class<?> type, JsonDeserializer<?> deser) {
            return exempt(type) || allowList.allows(nameOf(type)) ? deser : new RefusingReader(nameOf(type));
        }
    }

    private static final class Refusing extends StdSerializer<Object> {
        private static final long serialVersionUID = 1L;
        private final String className;

        Refusing(String className) {
            super(Object.class);
            this.className = className;
        }

        @Override
        public void serialize(Object value, JsonGenerator g, SerializerProvider provider) throws IOException {
            throw new RefusedClassException(className, RefusedClassException.NOT_ALLOWED);
        }

        @Override
        public void serializeWithType(Object value, JsonGenerator g, SerializerProvider provider, TypeSerializer typeSer)
                throws IOException {
            serialize(value, g, provider);
        }
    }

    private static final class RefusingReader extends StdDeserializer<Object> {
        private static final long serialVersionUID = 1L;
        private final String className;

        RefusingReader(String className) {
            super(Object.class);
            this.className = className;
        }

        @Override
        public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            throw new RefusedClassException(className, RefusedClassException.NOT_ALLOWED);
        }
    }
}
