package io.distributedsupervisor.codec;

import static io.distributedsupervisor.codec.Tokens.expect;
import static io.distributedsupervisor.codec.Tokens.intValue;
import static io.distributedsupervisor.codec.Tokens.longValue;
import static io.distributedsupervisor.codec.Tokens.requiredText;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import io.distributedsupervisor.ChildStatus;
import io.distributedsupervisor.ExitReason;
import io.distributedsupervisor.Incarnation;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.Restart;
import java.io.IOException;
import java.time.Instant;

/**
 * This library's value types as short arrays, built through their constructors and factories
 * (ExitReason has no public constructor), so they need no reflection and no {@code opens}:
 * <ul>
 *   <li>Pid: [node, supervisor, id, epoch, restarts]</li>
 *   <li>Incarnation: [epoch, restarts]</li>
 *   <li>ExitReason: [kind, detail, cause]</li>
 *   <li>ChildStatus: [id, pid, childClass, restart, startedAt seconds, startedAt nanos, restarts]</li>
 * </ul>
 * Ids and details are written as values declared {@code Object}, with their type ids.
 */
final class ApiValueCodecs {
    private ApiValueCodecs() {
    }

    static void register(SimpleModule module, Tokens tokens) {
        module.addSerializer(Pid.class, new Writer<>(Pid.class, 5) {
            @Override
            void body(Pid pid, JsonGenerator g, SerializerProvider provider) throws IOException {
                writePid(pid, g, provider, tokens);
            }
        });
        module.addDeserializer(Pid.class, new Reader<>(Pid.class) {
            @Override
            Pid body(JsonParser p, DeserializationContext ctxt) throws IOException {
                return readPid(p, ctxt, tokens);
            }
        });
        module.addSerializer(Incarnation.class, new Writer<>(Incarnation.class, 2) {
            @Override
            void body(Incarnation incarnation, JsonGenerator g, SerializerProvider provider) throws IOException {
                g.writeNumber(incarnation.epoch());
                g.writeNumber(incarnation.restarts());
            }
        });
        module.addDeserializer(Incarnation.class, new Reader<>(Incarnation.class) {
            @Override
            Incarnation body(JsonParser p, DeserializationContext ctxt) throws IOException {
                return new Incarnation(longValue(p, ctxt, Incarnation.class), intValue(p, ctxt, Incarnation.class));
            }
        });
        module.addSerializer(ExitReason.class, new Writer<>(ExitReason.class, 3) {
            @Override
            void body(ExitReason reason, JsonGenerator g, SerializerProvider provider) throws IOException {
                g.writeString(reason.kind().name());
                tokens.writeObject(reason.detail(), g, provider);
                // A give-up's cause is its last crash's (the detail): written once, there.
                tokens.writeObject(reason.kind() == ExitReason.Kind.GIVEN_UP ? null : reason.cause(), g, provider);
            }
        });
        module.addDeserializer(ExitReason.class, new Reader<>(ExitReason.class) {
            @Override
            ExitReason body(JsonParser p, DeserializationContext ctxt) throws IOException {
                ExitReason.Kind kind = ExitReason.Kind.valueOf(requiredText(p, ctxt, ExitReason.class));
                Object detail = tokens.readObject(p, ctxt);
                Throwable cause = (Throwable) tokens.readObject(p, ctxt);
                return switch (kind) {
                    case NORMAL -> ExitReason.normal();
                    case SHUTDOWN -> detail == null ? ExitReason.shutdown() : ExitReason.shutdown(detail);
                    case MIGRATED -> ExitReason.migrated();
                    case ERROR -> ExitReason.error(cause);
                    case CUSTOM -> ExitReason.custom(detail);
                    case KILLED -> ExitReason.killed();
                    case NODE_DOWN -> ExitReason.nodeDown((String) detail);
                    case GIVEN_UP -> ExitReason.givenUp((ExitReason) detail);
                };
            }
        });
        module.addSerializer(ChildStatus.class, new Writer<>(ChildStatus.class, 7) {
            @Override
            void body(ChildStatus status, JsonGenerator g, SerializerProvider provider) throws IOException {
                tokens.writeObject(status.id(), g, provider);
                g.writeStartArray(status.pid(), 5);
                writePid(status.pid(), g, provider, tokens);
                g.writeEndArray();
                g.writeString(status.childClass());
                g.writeString(status.restart().name());
                g.writeNumber(status.startedAt().getEpochSecond());
                g.writeNumber(status.startedAt().getNano());
                g.writeNumber(status.restarts());
            }
        });
        module.addDeserializer(ChildStatus.class, new Reader<>(ChildStatus.class) {
            @Override
            ChildStatus body(JsonParser p, DeserializationContext ctxt) throws IOException {
                Object id = tokens.readObject(p, ctxt);
                expect(p, ctxt, ChildStatus.class, JsonToken.START_ARRAY);
                Pid pid = readPid(p, ctxt, tokens);
                expect(p, ctxt, ChildStatus.class, JsonToken.END_ARRAY);
                String childClass = requiredText(p, ctxt, ChildStatus.class);
                Restart restart = Restart.valueOf(requiredText(p, ctxt, ChildStatus.class));
                Instant startedAt = Instant.ofEpochSecond(longValue(p, ctxt, ChildStatus.class),
                        intValue(p, ctxt, ChildStatus.class));
                return new ChildStatus(id, pid, childClass, restart, startedAt, intValue(p, ctxt, ChildStatus.class));
            }
        });
    }

    private static void writePid(Pid pid, JsonGenerator g, SerializerProvider provider, Tokens tokens) throws IOException {
        g.writeString(pid.node());
        g.writeString(pid.supervisor());
        tokens.writeObject(pid.id(), g, provider);
        g.writeNumber(pid.incarnation().epoch());
        g.writeNumber(pid.incarnation().restarts());
    }

    private static Pid readPid(JsonParser p, DeserializationContext ctxt, Tokens tokens) throws IOException {
        String node = requiredText(p, ctxt, Pid.class);
        String supervisor = requiredText(p, ctxt, Pid.class);
        Object id = tokens.readObject(p, ctxt);
        return new Pid(node, supervisor, id, new Incarnation(longValue(p, ctxt, Pid.class), intValue(p, ctxt, Pid.class)));
    }

    /** Writes a value as a definite-length array of {@code size} items. */
    private abstract static class Writer<T> extends StdSerializer<T> {
        private static final long serialVersionUID = 1L;
        private final int size;

        Writer(Class<T> type, int size) {
            super(type);
            this.size = size;
        }

        abstract void body(T value, JsonGenerator g, SerializerProvider provider) throws IOException;

        @Override
        public final void serialize(T value, JsonGenerator g, SerializerProvider provider) throws IOException {
            g.writeStartArray(value, size);
            body(value, g, provider);
            g.writeEndArray();
        }

        @Override
        public final void serializeWithType(T value, JsonGenerator g, SerializerProvider provider, TypeSerializer typeSer)
                throws IOException {
            var typeId = typeSer.writeTypePrefix(g, typeSer.typeId(value, JsonToken.VALUE_EMBEDDED_OBJECT));
            serialize(value, g, provider);
            typeSer.writeTypeSuffix(g, typeId);
        }
    }

    /**
     * Reads a value written by {@link Writer}; a constructor's or factory's refusal (a null, a
     * wrong kind) becomes an input error.
     */
    private abstract static class Reader<T> extends StdDeserializer<T> {
        private static final long serialVersionUID = 1L;

        Reader(Class<T> type) {
            super(type);
        }

        abstract T body(JsonParser p, DeserializationContext ctxt) throws IOException;

        @Override
        public final T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (!p.isExpectedStartArrayToken()) {
                @SuppressWarnings("unchecked")
                T value = (T) ctxt.handleUnexpectedToken(handledType(), p);
                return value;
            }
            T value;
            try {
                value = body(p, ctxt);
            } catch (IllegalArgumentException | NullPointerException | ClassCastException e) {
                return ctxt.reportInputMismatch(this, "malformed %s: %s", handledType().getSimpleName(), e.getMessage());
            }
            expect(p, ctxt, handledType(), JsonToken.END_ARRAY);
            return value;
        }
    }
}
