package io.distributedsupervisor.codec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;
import java.io.IOException;

/**
 * Reading and writing the array-shaped values of this codec's own (de)serializers, and values
 * declared {@code Object} inside them (with their type id). One instance per codec: it keeps the
 * codec's typed-{@code Object} serializer and deserializer once Jackson has built them.
 */
final class Tokens {
    private volatile TypeSerializer objectTypeSerializer;
    private volatile JsonDeserializer<Object> objectDeserializer;

    /** Writes {@code value} with its type id, as at a field declared {@code Object}. */
    void writeObject(Object value, com.fasterxml.jackson.core.JsonGenerator g, SerializerProvider provider)
            throws IOException {
        if (value == null) {
            g.writeNull();
            return;
        }
        TypeSerializer typeSer = objectTypeSerializer;
        if (typeSer == null) {
            typeSer = provider.findTypeSerializer(provider.constructType(Object.class));
            objectTypeSerializer = typeSer;
        }
        provider.findValueSerializer(value.getClass()).serializeWithType(value, g, provider, typeSer);
    }

    /** Reads the next value as one declared {@code Object} (null included). */
    Object readObject(JsonParser p, DeserializationContext ctxt) throws IOException {
        if (p.nextToken() == JsonToken.VALUE_NULL) {
            return null;
        }
        JsonDeserializer<Object> deser = objectDeserializer;
        if (deser == null) {
            JavaType object = ctxt.constructType(Object.class);
            deser = ctxt.findRootValueDeserializer(object);
            objectDeserializer = deser;
        }
        return deser.deserialize(p, ctxt);
    }

    /** Moves to the next token, which must be {@code one} or {@code other}. */
    static JsonToken next(JsonParser p, DeserializationContext ctxt, Class<?> what, JsonToken one, JsonToken other)
            throws IOException {
        JsonToken t = p.nextToken();
        if (t != one && t != other) {
            ctxt.reportInputMismatch(what, "malformed %s: expected %s, found %s", what.getSimpleName(), one, t);
        }
        return t;
    }

    static void expect(JsonParser p, DeserializationContext ctxt, Class<?> what, JsonToken token) throws IOException {
        next(p, ctxt, what, token, token);
    }

    /** The next value as a string or null. */
    static String text(JsonParser p, DeserializationContext ctxt, Class<?> what) throws IOException {
        JsonToken t = next(p, ctxt, what, JsonToken.VALUE_STRING, JsonToken.VALUE_NULL);
        return t == JsonToken.VALUE_NULL ? null : p.getText();
    }

    /** The next value as a string that must be there. */
    static String requiredText(JsonParser p, DeserializationContext ctxt, Class<?> what) throws IOException {
        expect(p, ctxt, what, JsonToken.VALUE_STRING);
        return p.getText();
    }

    static long longValue(JsonParser p, DeserializationContext ctxt, Class<?> what) throws IOException {
        expect(p, ctxt, what, JsonToken.VALUE_NUMBER_INT);
        return p.getLongValue();
    }

    static int intValue(JsonParser p, DeserializationContext ctxt, Class<?> what) throws IOException {
        expect(p, ctxt, what, JsonToken.VALUE_NUMBER_INT);
        return p.getIntValue();
    }
}
