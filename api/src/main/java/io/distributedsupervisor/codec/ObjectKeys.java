package io.distributedsupervisor.codec;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.KeyDeserializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.UUID;

/**
 * Keys of maps whose key type is {@code Object} (every map at an {@code Object} position). CBOR
 * map keys are text here, and Jackson would read any key back as a String, silently turning
 * {@code Map.of(1, "a")} into {@code {"1": "a"}}. So a key that is not a String is written as
 * NUL, a one-letter kind, ':' and its text ({@code "\0I:1"}, {@code "\0E:com.example.Color:RED"}),
 * and a String that starts with NUL gets kind S. Numbers, booleans, chars, UUIDs and enums of
 * allowed classes can be keys; any other key is refused.
 */
final class ObjectKeys {
    private static final char MARK = '\u0000';

    private ObjectKeys() {
    }

    static final class Serializer extends StdSerializer<Object> {
        private static final long serialVersionUID = 1L;
        private final AllowList allowList;

        Serializer(AllowList allowList) {
            super(Object.class);
            this.allowList = allowList;
        }

        @Override
        public void serialize(Object key, JsonGenerator g, SerializerProvider provider) throws IOException {
            if (key instanceof String s) {
                g.writeFieldName(s.isEmpty() || s.charAt(0) != MARK ? s : MARK + "S:" + s);
                return;
            }
            String kind = switch (key) {
                case Integer i -> "I";
                case Long l -> "L";
                case Short s -> "H";
                case Byte b -> "B";
                case Character c -> "C";
                case Boolean b -> "Z";
                case UUID u -> "U";
                case BigInteger n -> "N";
                case BigDecimal d -> "D";
                case Enum<?> e -> "E";
                default -> throw JsonMappingException.from(g, "a map key of " + key.getClass().getName()
                        + " in a map whose key type is not declared: only strings, numbers, booleans, chars, UUIDs"
                        + " and enums keep their type there");
            };
            if (key instanceof Enum<?> e) {
                String type = e.getDeclaringClass().getName();
                if (!allowList.allows(type)) {
                    throw new RefusedClassException(type, "a map key; " + RefusedClassException.NOT_ALLOWED);
                }
                g.writeFieldName(MARK + "E:" + type + ":" + e.name());
                return;
            }
            g.writeFieldName(MARK + kind + ":" + key);
        }
    }

    static final class Deserializer extends KeyDeserializer {
        private final AllowList allowList;
        private final ClassLoader loader;

        Deserializer(AllowList allowList, ClassLoader loader) {
            this.allowList = allowList;
            this.loader = loader;
        }

        @Override
        public Object deserializeKey(String key, DeserializationContext ctxt) throws IOException {
            if (key.isEmpty() || key.charAt(0) != MARK) {
                return key;
            }
            if (key.length() < 3 || key.charAt(2) != ':') {
                return ctxt.handleWeirdKey(Object.class, key, "not a typed map key");
            }
            String text = key.substring(3);
            try {
                return switch (key.charAt(1)) {
                    case 'S' -> text;
                    case 'I' -> Integer.valueOf(text);
                    case 'L' -> Long.valueOf(text);
                    case 'H' -> Short.valueOf(text);
                    case 'B' -> Byte.valueOf(text);
                    case 'C' -> text.length() == 1 ? text.charAt(0) : ctxt.handleWeirdKey(Object.class, key, "not one char");
                    case 'Z' -> Boolean.valueOf(text);
                    case 'U' -> UUID.fromString(text);
                    case 'N' -> bounded(text, ctxt) ? new BigInteger(text) : null;
                    case 'D' -> bounded(text, ctxt) ? new BigDecimal(text) : null;
                    case 'E' -> enumKey(text, ctxt);
                    default -> ctxt.handleWeirdKey(Object.class, key, "unknown kind of map key");
                };
            } catch (IllegalArgumentException e) {
                return ctxt.handleWeirdKey(Object.class, key, "malformed map key: " + e.getMessage());
            }
        }

        private static boolean bounded(String digits, DeserializationContext ctxt) throws IOException {
            ctxt.getParser().streamReadConstraints().validateFPLength(digits.length());
            return true;
        }

        private Object enumKey(String text, DeserializationContext ctxt) throws IOException {
            int colon = text.lastIndexOf(':');
            String type = colon < 0 ? text : text.substring(0, colon);
            if (!allowList.allows(type)) {
                throw new RefusedClassException(type, "named by a map key; " + RefusedClassException.NOT_ALLOWED);
            }
            Class<?> enumType;
            try {
                enumType = Class.forName(type, false, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                throw new RefusedClassException(type, "allowed, but this node's class loader cannot load it (" + e + ")");
            }
            if (!enumType.isEnum() || colon < 0) {
                return ctxt.handleWeirdKey(Object.class, text, "not an enum constant");
            }
            @SuppressWarnings({"unchecked", "rawtypes"})
            Object constant = Enum.valueOf((Class) enumType, text.substring(colon + 1));
            return constant;
        }
    }
}
