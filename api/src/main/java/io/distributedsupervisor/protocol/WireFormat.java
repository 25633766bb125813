package io.distributedsupervisor.protocol;

import io.distributedsupervisor.Child;
import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.ChildStatus;
import io.distributedsupervisor.Incarnation;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.Restart;
import io.distributedsupervisor.internal.ChildKey;
import io.distributedsupervisor.spi.CodecException;
import io.distributedsupervisor.spi.MessageCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The wire protocol between the runtimes of one supervisor's nodes, version {@value #VERSION}:
 * {@link Message}s and {@link Reply}s to bytes and back. The runtime frames ids, pids and
 * incarnations itself; only user payloads (and a spec, as a map of standard values) go through
 * the {@link MessageCodec}, each encoded once, straight into the message.
 *
 * <p>Every message starts with the version byte and a kind byte. Decoding checks every length
 * against the bytes left and leaves payloads encoded ({@link Payload.Encoded}, a slice of the
 * message), so reading a message's frame costs time linear in its size and allocates no more
 * than it holds: it may run on a transport thread, and the payloads are decoded later, where
 * they are used. Anything malformed is a {@link CodecException}.
 *
 * <p>A spec travels (and is stored) as a {@code Map<String, Object>} through the codec, so that a
 * tool with the same codec reads it without the child's classes being special:
 * {@code type} (the child {@link Class}), {@code arg}, {@code id}, {@code restart} (the
 * {@link Restart} name) and {@code shutdownMillis}.
 *
 * <p>Immutable and thread-safe.
 */
public final class WireFormat {
    /** The protocol version this class writes and reads. */
    public static final int VERSION = 1;

    private static final int CALL = 1;
    private static final int CAST = 2;
    private static final int INFO = 3;
    private static final int START = 4;
    private static final int TERMINATE = 5;
    private static final int CLOSING = 6;
    private static final int HANDOFF = 7;
    private static final int MOVE = 8;
    private static final int BARRIER = 9;
    private static final int OK = 32;
    private static final int STARTED = 33;
    private static final int TERMINATED = 34;
    private static final int NOT_HERE = 35;
    private static final int CRASHED = 36;
    private static final int ALREADY_STARTED = 37;
    private static final int REFUSED = 38;
    private static final int MAILBOX_FULL = 39;

    private final String supervisor;
    private final MessageCodec codec;

    /** The format of {@code supervisor}'s messages (pids it reads name it), payloads through {@code codec}. */
    public WireFormat(String supervisor, MessageCodec codec) {
        this.supervisor = Objects.requireNonNull(supervisor, "supervisor");
        this.codec = Objects.requireNonNull(codec, "codec");
    }

    public MessageCodec codec() {
        return codec;
    }

    // ---- messages ----

    /** @throws CodecException if the codec refuses a payload (nothing is sent then) */
    public byte[] encode(Message message) throws CodecException {
        WireWriter w = new WireWriter(switch (message) {
            case Message.Call m -> keyedSize(m.key(), m.request(), 96);
            case Message.Cast m -> keyedSize(m.key(), m.message(), 96);
            case Message.Info m -> keyedSize(m.key(), m.message(), 96);
            default -> 96;
        });
        w.write(VERSION);
        switch (message) {
            case Message.Call m -> keyed(w, CALL, m.key(), m.request());
            case Message.Cast m -> keyed(w, CAST, m.key(), m.message());
            case Message.Info m -> keyed(w, INFO, m.key(), m.message());
            case Message.Start m -> {
                w.write(START);
                w.writeNullableString(m.node());
                payload(w, m.spec());
            }
            case Message.Terminate m -> {
                w.write(TERMINATE);
                w.writeString(m.key());
                incarnation(w, m.incarnation());
            }
            case Message.Handoff m -> {
                keyed(w, HANDOFF, m.key(), m.state());
                payload(w, m.spec());
            }
            case Message.Barrier m -> {
                w.write(BARRIER);
                w.writeString(m.key());
            }
            case Message.Move m -> {
                w.write(MOVE);
                w.writeString(m.key());
                w.writeString(m.node());
            }
            case Message.Closing m -> {
                w.write(CLOSING);
                w.writeString(m.node());
                w.writeString(m.reason());
                w.writeVarInt(m.statuses().size());
                for (ChildStatus s : m.statuses()) {
                    w.writeString(ChildKey.encode(s.id()));
                    pid(w, s.pid());
                    w.writeString(s.childClass());
                    w.write(s.restart().ordinal());
                    w.writeLong(s.startedAt().toEpochMilli());
                }
            }
        }
        return w.toArray();
    }

    private void keyed(WireWriter w, int kind, String key, Payload payload) throws CodecException {
        w.write(kind);
        w.writeString(key);
        payload(w, payload);
    }

    public Message decodeMessage(byte[] bytes) throws CodecException {
        WireReader r = header(bytes);
        int kind = r.readByte();
        Message m = switch (kind) {
            case CALL -> new Message.Call(r.readString(), r.readPayload());
            case CAST -> new Message.Cast(r.readString(), r.readPayload());
            case INFO -> new Message.Info(r.readString(), r.readPayload());
            case START -> {
                String node = r.readNullableString();
                yield new Message.Start(r.readPayload(), node);
            }
            case TERMINATE -> new Message.Terminate(r.readString(), readIncarnation(r));
            case HANDOFF -> new Message.Handoff(r.readString(), r.readPayload(), r.readPayload());
            case MOVE -> new Message.Move(r.readString(), r.readString());
            case BARRIER -> new Message.Barrier(r.readString());
            case CLOSING -> {
                String node = r.readString();
                String reason = r.readString();
                int n = r.readCount(24);
                List<ChildStatus> statuses = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    Object id = id(r.readString());
                    Pid pid = readPid(r);
                    String type = r.readString();
                    Restart restart = restart(r.readByte());
                    Instant at = Instant.ofEpochMilli(r.readLong());
                    statuses.add(new ChildStatus(id, pid, type, restart, at, pid.incarnation().restarts()));
                }
                yield new Message.Closing(node, reason, statuses);
            }
            default -> throw CodecException.failed("malformed message: unknown message kind " + kind, null);
        };
        r.end();
        return m;
    }

    // ---- replies ----

    /** @throws CodecException if the codec refuses the reply's value */
    public byte[] encode(Reply reply) throws CodecException {
        WireWriter w = new WireWriter(reply instanceof Reply.Ok ok ? sized(2, payloadSize(ok.value()), 64) : 64);
        w.write(VERSION);
        switch (reply) {
            case Reply.Ok r -> {
                w.write(OK);
                payload(w, r.value());
            }
            case Reply.Started r -> {
                w.write(STARTED);
                pid(w, r.pid());
            }
            case Reply.Terminated r -> {
                w.write(TERMINATED);
                w.write(r.stopped() ? 1 : 0);
            }
            case Reply.NotHere r -> w.write(NOT_HERE);
            case Reply.Crashed r -> {
                w.write(CRASHED);
                w.writeString(r.className());
                w.writeNullableString(r.message());
                w.write(r.cause() == null ? 0 : 1);
                if (r.cause() != null) {
                    payload(w, r.cause());
                }
            }
            case Reply.AlreadyStarted r -> {
                w.write(ALREADY_STARTED);
                w.write(r.pid() == null ? 0 : 1);
                if (r.pid() != null) {
                    pid(w, r.pid());
                }
            }
            case Reply.MailboxFull r -> {
                w.write(MAILBOX_FULL);
                w.writeString(r.node());
                w.writeVarInt(r.limit());
            }
            case Reply.Refused r -> {
                w.write(REFUSED);
                w.writeString(r.node());
                w.writeNullableString(r.refusedClass());
                w.writeString(r.reason());
            }
        }
        return w.toArray();
    }

    public Reply decodeReply(byte[] bytes) throws CodecException {
        WireReader r = header(bytes);
        int kind = r.readByte();
        Reply reply = switch (kind) {
            case OK -> new Reply.Ok(r.readPayload());
            case STARTED -> new Reply.Started(readPid(r));
            case TERMINATED -> new Reply.Terminated(r.readByte() != 0);
            case NOT_HERE -> Reply.NOT_HERE;
            case CRASHED -> {
                String type = r.readString();
                String message = r.readNullableString();
                yield new Reply.Crashed(type, message, r.readByte() == 0 ? null : r.readPayload());
            }
            case ALREADY_STARTED -> new Reply.AlreadyStarted(r.readByte() == 0 ? null : readPid(r));
            case REFUSED -> new Reply.Refused(r.readString(), r.readNullableString(), r.readString());
            case MAILBOX_FULL -> new Reply.MailboxFull(r.readString(), r.readVarInt());
            default -> throw CodecException.failed("malformed reply: unknown reply kind " + kind, null);
        };
        r.end();
        return reply;
    }

    // ---- specs ----

    /**
     * A spec as its map through the codec: what a {@link Message.Start} carries and a backend
     * stores.
     *
     * @throws CodecException if the codec refuses the child class or the argument
     */
    public byte[] encodeSpec(ChildSpec spec) throws CodecException {
        return codec.encode(specForm(spec));
    }

    /** The map a spec travels as (see the class comment). */
    public static Map<String, Object> specForm(ChildSpec spec) {
        Objects.requireNonNull(spec.id(), "a spec on the wire has an id");
        Map<String, Object> form = new LinkedHashMap<>(8);
        form.put("type", spec.type());
        form.put("arg", spec.arg());
        form.put("id", spec.id());
        form.put("restart", spec.restart().name());
        form.put("shutdownMillis", spec.shutdown().toMillis());
        return form;
    }

    /**
     * The spec in {@code payload}: decoded, then checked as {@link ChildSpec#injected} checks a new
     * one (a concrete, static {@link Child} class, a valid id), so that a spec from the wire or
     * from storage can name nothing else. Its constructors are not checked here: the node's
     * {@link io.distributedsupervisor.ChildInstantiator} may build it some other way, and the
     * reflective default checks them when it builds. No constructor runs here.
     *
     * @throws CodecException if the payload is not a valid spec; a class problem names the class
     */
    public ChildSpec decodeSpec(Payload payload) throws CodecException {
        Object decoded = payload.value(codec);
        if (!(decoded instanceof Map<?, ?> form)) {
            throw CodecException.failed("not a child spec: " + (decoded == null ? "null" : decoded.getClass().getName()), null);
        }
        Object type = form.get("type");
        if (!(type instanceof Class<?> c)) {
            throw CodecException.failed("a child spec without a child class: " + type, null);
        }
        if (!Child.class.isAssignableFrom(c)) {
            throw CodecException.refused(c.getName(), "not a " + Child.class.getName());
        }
        try {
            ChildSpec spec = ChildSpec.injected(c, form.get("arg")).withId(form.get("id"))
                    .withRestart(Restart.valueOf(String.valueOf(form.get("restart"))));
            // The default timeout stays the one instance every spec shares: an heir decodes a spec
            // per child it takes over, and a Duration each would stay as long as the child runs.
            if (form.get("shutdownMillis") instanceof Number ms && ms.longValue() != spec.shutdown().toMillis()) {
                spec = spec.withShutdown(Duration.ofMillis(ms.longValue()));
            }
            return spec;
        } catch (IllegalArgumentException | NullPointerException e) {
            throw CodecException.refused(c.getName(), "not a usable child spec: " + e.getMessage());
        }
    }

    /** {@link #decodeSpec(Payload)} of a stored spec's bytes. */
    public ChildSpec decodeSpec(byte[] bytes) throws CodecException {
        return decodeSpec(new Payload.Encoded(bytes, 0, bytes.length));
    }

    // ---- parts ----

    // A message whose size is known before it is encoded (a key in ASCII, a payload whose codec
    // knows its size) is written into an array of exactly that size, which is then the message
    // itself: no copy into a smaller array at the end, no growing on the way.

    private int keyedSize(String key, Payload payload, int otherwise) {
        int keyBytes = WireWriter.asciiStringSize(key);
        return keyBytes < 0 ? otherwise : sized(2 + keyBytes, payloadSize(payload), otherwise);
    }

    private static int sized(int head, int payloadBytes, int otherwise) {
        return payloadBytes < 0 ? otherwise : head + payloadBytes;
    }

    /** The bytes of {@link #payload}: its length and its encoding; -1 when the encoding's size is not known. */
    private int payloadSize(Payload p) {
        int n = switch (p) {
            case Payload.Value v -> codec.encodedSize(v.value());
            case Payload.Encoded e -> e.length();
        };
        return n < 0 || n > Integer.MAX_VALUE - 64 ? -1 : 4 + n;
    }

    private void payload(WireWriter w, Payload p) throws CodecException {
        int at = w.beginLength();
        switch (p) {
            case Payload.Value v -> codec.encode(v.value(), w);
            case Payload.Encoded e -> w.write(e.bytes(), e.offset(), e.length());
        }
        w.endLength(at);
    }

    private static void pid(WireWriter w, Pid pid) {
        w.writeString(pid.node());
        w.writeString(ChildKey.encode(pid.id()));
        w.writeLong(pid.incarnation().epoch());
        w.writeVarInt(pid.incarnation().restarts());
    }

    private Pid readPid(WireReader r) throws CodecException {
        String node = r.readString();
        Object id = id(r.readString());
        return new Pid(node, supervisor, id, new Incarnation(r.readLong(), r.readVarInt()));
    }

    private static void incarnation(WireWriter w, Incarnation i) {
        w.write(i == null ? 0 : 1);
        if (i != null) {
            w.writeLong(i.epoch());
            w.writeVarInt(i.restarts());
        }
    }

    private static Incarnation readIncarnation(WireReader r) throws CodecException {
        return r.readByte() == 0 ? null : new Incarnation(r.readLong(), r.readVarInt());
    }

    private static Object id(String key) throws CodecException {
        try {
            return ChildKey.decode(key);
        } catch (IllegalArgumentException e) {
            throw CodecException.failed("malformed message: " + e.getMessage(), null);
        }
    }

    private static Restart restart(int ordinal) throws CodecException {
        Restart[] all = Restart.values();
        if (ordinal >= all.length) {
            throw CodecException.failed("malformed message: restart " + ordinal, null);
        }
        return all[ordinal];
    }

    private static WireReader header(byte[] bytes) throws CodecException {
        WireReader r = new WireReader(bytes);
        int version = r.readByte();
        if (version != VERSION) {
            throw CodecException.failed("unsupported protocol version " + version + " (this node speaks " + VERSION + ")",
                    null);
        }
        return r;
    }

    @Override
    public String toString() {
        return "WireFormat[v" + VERSION + ", " + supervisor + ", " + codec + "]";
    }
}
