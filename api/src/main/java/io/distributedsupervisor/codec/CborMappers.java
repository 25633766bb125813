package io.distributedsupervisor.codec;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationConfig;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.module.SimpleDeserializers;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.module.SimpleSerializers;
import com.fasterxml.jackson.databind.type.TypeFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.math.BigDecimal;
import java.math.BigInteger;

/** Builds the one ObjectMapper of a {@link CborCodec}. */
final class CborMappers {
    private CborMappers() {
    }

    /** {@code classes} reads the Class values: the codec shares it (and the classes it has loaded) with {@link DirectMaps}. */
    static ObjectMapper create(AllowList allowList, ClassLoader loader, ClassValues.Deserializer classes, int maxBytes,
                               int maxDepth, int maxStringLength, int maxNumberLength, long maxTokens) {
        CBORFactory factory = CBORFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxDocumentLength(maxBytes)
                        .maxNestingDepth(maxDepth)
                        .maxStringLength(maxStringLength)
                        .maxNameLength(maxStringLength)
                        .maxNumberLength(maxNumberLength)
                        .maxTokenCount(maxTokens)
                        .build())
                .streamWriteConstraints(StreamWriteConstraints.builder().maxNestingDepth(maxDepth).build())
                // The caller owns the stream encode writes to.
                .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
                // Error messages must not echo a peer's bytes.
                .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
                .recyclerPool(new RecyclerPerThreadKind())
                .build();
        TypeFactory types = TypeFactory.defaultInstance().withClassLoader(loader);
        TypeIds typeIds = new TypeIds(allowList, types);
        // The least typing that keeps classes: only values declared Object carry an id (fields of a
        // concrete type need none, String/Integer/Boolean/Double are told apart by CBOR itself), and
        // a wrapper array is the one inclusion that fits scalars, arrays and objects alike.
        var typer = new ObjectMapper.DefaultTypeResolverBuilder(ObjectMapper.DefaultTyping.JAVA_LANG_OBJECT,
                new AllowListTypeValidator(allowList))
                .init(JsonTypeInfo.Id.CUSTOM, typeIds)
                .inclusion(JsonTypeInfo.As.WRAPPER_ARRAY);

        SimpleModule module = new SimpleModule("distributed-supervisor-codec");
        // Set first: the add* calls below add to these.
        module.setDeserializers(new AnyThrowable(new ThrowableCodec.Deserializer(allowList, loader)));
        module.setKeySerializers(new ObjectKeysOnly(new ObjectKeys.Serializer(allowList)));
        module.addKeyDeserializer(Object.class, new ObjectKeys.Deserializer(allowList, loader));
        module.setSerializerModifier(new DeclaredTypeChecks.Serializers(allowList));
        module.setDeserializerModifier(new DeclaredTypeChecks.Deserializers(allowList));
        module.addSerializer(Throwable.class, new ThrowableCodec.Serializer());
        module.addSerializer(Class.class, new ClassValues.Serializer(allowList));
        module.addDeserializer(Class.class, classes);
        module.addDeserializer(BigInteger.class, new NumberLimits.Integers(maxNumberLength));
        module.addDeserializer(BigDecimal.class, new NumberLimits.Decimals(maxNumberLength));
        ApiValueCodecs.register(module, new Tokens());

        return CBORMapper.builder(factory)
                .typeFactory(types)
                .setDefaultTyping(typer)
                .addModule(new JavaTimeModule())
                .addModule(module)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(MapperFeature.USE_GETTERS_AS_SETTERS)
                // java.time values as ISO text: exact, with their zone, never adjusted to the reader's.
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
                .enable(SerializationFeature.WRITE_DATES_WITH_ZONE_ID)
                .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
                .build();
    }

    /** The module's deserializers, plus {@link ThrowableCodec} for every Throwable, not only for Throwable itself. */
    private static final class AnyThrowable extends SimpleDeserializers {
        private static final long serialVersionUID = 1L;
        private final transient JsonDeserializer<Throwable> throwables;

        AnyThrowable(JsonDeserializer<Throwable> throwables) {
            this.throwables = throwables;
        }

        @Override
        public JsonDeserializer<?> findBeanDeserializer(JavaType type, DeserializationConfig config, BeanDescription desc)
                throws JsonMappingException {
            return type.isThrowable() ? throwables : super.findBeanDeserializer(type, config, desc);
        }
    }

    /** {@link ObjectKeys} for keys declared {@code Object} only: a declared key type keeps Jackson's own. */
    private static final class ObjectKeysOnly extends SimpleSerializers {
        private static final long serialVersionUID = 1L;
        private final transient JsonSerializer<Object> keys;

        ObjectKeysOnly(JsonSerializer<Object> keys) {
            this.keys = keys;
        }

        @Override
        public JsonSerializer<?> findSerializer(SerializationConfig config, JavaType type, BeanDescription desc) {
            return type.isJavaLangObject() ? keys : null;
        }
    }
}
