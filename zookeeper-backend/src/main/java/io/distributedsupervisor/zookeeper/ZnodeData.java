package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.spi.Member;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * The text in {@code members/<node>}, {@code owners/<key>}, {@code successions/<session>},
 * {@code leaving/<node>} and the head of {@code children/<bucket>/<key>} znodes. Line-based UTF-8, so that an operator can read it with {@code zkCli.sh get}. Parsing
 * refuses anything malformed with a message naming the problem; the caller reports the znode and
 * ignores it.
 *
 * <p>Format {@value #FORMAT}: members and owners carry a proof of the cluster secret
 * ({@link MemberProofs}), which the format {@code ds1} of earlier versions lacks. Nodes of one
 * cluster run one version: a {@code ds1} znode is refused with a message that says so.
 */
final class ZnodeData {
    static final String FORMAT = "ds2";
    private static final String PREVIOUS = "ds1";
    /**
     * The most a member, owner or leaving znode may hold: more does not parse. What this backend
     * writes is a few hundred bytes; the bound sizes the view's reads ({@link ViewLoader#ENTRY_READ_BATCH}).
     */
    static final int MAX_ENTRY_BYTES = 4096;
    /** The most a succession znode may hold (up to {@link #MAX_HEIRS} heirs): more does not parse. */
    static final int MAX_SUCCESSION_BYTES = 256 * 1024;
    /** The proof line of a node that runs without a cluster secret (open mode): nothing to verify. */
    static final String NO_PROOF = "-";

    private ZnodeData() {
    }

    /**
     * A member znode's fields: the transport address, when the node joined, its library version,
     * the session that holds the znode and the proof over all of it.
     */
    record MemberFields(String address, long startedAt, String version, long session, String proof) {
    }

    /** A member znode's lines before the proof: what the proof covers (with the supervisor and node). */
    static String memberBody(String address, long startedAt, String version, long session) {
        return FORMAT + "\n" + address + "\n" + startedAt + "\n" + version + "\n" + HexFormat.of().toHexDigits(session);
    }

    static byte[] member(String body, String proof) {
        return (body + "\n" + proof).getBytes(StandardCharsets.UTF_8);
    }

    static MemberFields parseMember(String node, byte[] data) {
        String what = "member " + node;
        String[] lines = lines(data, 6, what);
        long startedAt;
        try {
            startedAt = Long.parseLong(lines[2]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + ": start time is not a number: " + printable(lines[2]));
        }
        if (lines[1].isEmpty() || lines[3].isEmpty()) {
            throw new IllegalArgumentException(what + ": no address or version");
        }
        return new MemberFields(lines[1], startedAt, lines[3], session(lines[4], what), lines[5]);
    }

    static Member toMember(String node, MemberFields f) {
        return new Member(node, f.address(), f.startedAt(), f.version());
    }

    /**
     * The format of owner, succession and leaving znodes. Owner entries of format {@value #FORMAT}
     * were ephemeral, with their session and epoch in the stat (layout
     * {@value ZnodeLayout#EPHEMERAL_OWNERS_VERSION}); these outlive their sessions and carry both.
     */
    static final String OWNER_FORMAT = "ds3";

    /**
     * An owner znode's fields: the owning node, its restarts, its session, its epoch (0: the
     * znode's {@code czxid}, as a claim writes it; an entry taken over by succession carries the
     * succession's), and the proof over all of it with the key.
     */
    record OwnerFields(String node, int restarts, long session, long epoch, String proof) {
    }

    static String ownerBody(String node, int restarts, long session, long epoch) {
        return OWNER_FORMAT + "\n" + node + "\n" + restarts + "\n" + HexFormat.of().toHexDigits(session) + "\n"
                + (epoch == 0 ? "-" : Long.toString(epoch));
    }

    static byte[] owner(String body, String proof) {
        return (body + "\n" + proof).getBytes(StandardCharsets.UTF_8);
    }

    static OwnerFields parseOwner(String key, byte[] data) {
        String what = "owner of " + key;
        String[] lines = lines(data, 6, what, OWNER_FORMAT, MAX_ENTRY_BYTES);
        int restarts;
        long epoch;
        try {
            restarts = Integer.parseInt(lines[2]);
            epoch = lines[4].equals("-") ? 0 : Long.parseLong(lines[4]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + ": restarts or epoch is not a number");
        }
        if (restarts < 0 || epoch < 0 || lines[1].isEmpty()) {
            throw new IllegalArgumentException(what + ": bad node, restarts or epoch");
        }
        return new OwnerFields(lines[1], restarts, session(lines[3], what), epoch, lines[5]);
    }

    /** One heir of a succession: a member then, and its session. */
    record Heir(String node, long session) {
    }

    /** A succession znode's fields: the ended session, its node, its heirs, the proof over all of it. */
    record SuccessionFields(String node, long session, java.util.List<Heir> heirs, String proof) {
    }

    /** The most heirs a succession names: its znode stays far below ZooKeeper's 1 MiB. */
    static final int MAX_HEIRS = 1000;

    static String successionBody(String node, long session, java.util.List<Heir> heirs) {
        StringBuilder b = new StringBuilder(OWNER_FORMAT).append('\n').append(node).append('\n')
                .append(HexFormat.of().toHexDigits(session));
        for (Heir h : heirs) {
            b.append('\n').append(h.node()).append(' ').append(HexFormat.of().toHexDigits(h.session()));
        }
        return b.toString();
    }

    static byte[] succession(String body, String proof) {
        return (body + "\n" + proof).getBytes(StandardCharsets.UTF_8);
    }

    static SuccessionFields parseSuccession(String name, byte[] data) {
        String what = "succession " + printable(name);
        String[] lines = lines(data, -1, what, OWNER_FORMAT, MAX_SUCCESSION_BYTES);
        if (lines.length < 5 || lines.length - 4 > MAX_HEIRS || lines[1].isEmpty()) {
            throw new IllegalArgumentException(what + ": no node or no heirs, or more than " + MAX_HEIRS);
        }
        java.util.List<Heir> heirs = new java.util.ArrayList<>(lines.length - 4);
        for (int i = 3; i < lines.length - 1; i++) {
            int space = lines[i].indexOf(' ');
            if (space <= 0) {
                throw new IllegalArgumentException(what + ": heir line " + (i - 2) + " is not '<node> <session>'");
            }
            heirs.add(new Heir(lines[i].substring(0, space), session(lines[i].substring(space + 1), what)));
        }
        return new SuccessionFields(lines[1], session(lines[2], what), java.util.List.copyOf(heirs),
                lines[lines.length - 1]);
    }

    /** A leaving marker's lines before the proof: the session of the member that leaves. */
    static String leavingBody(long session) {
        return OWNER_FORMAT + "\n" + HexFormat.of().toHexDigits(session);
    }

    static byte[] leaving(String body, String proof) {
        return (body + "\n" + proof).getBytes(StandardCharsets.UTF_8);
    }

    /** A leaving marker's session and proof. */
    record LeavingFields(long session, String proof) {
    }

    static LeavingFields parseLeaving(String node, byte[] data) {
        String what = "leaving marker of " + printable(node);
        String[] lines = lines(data, 3, what, OWNER_FORMAT, MAX_ENTRY_BYTES);
        return new LeavingFields(session(lines[1], what), lines[2]);
    }

    /**
     * The largest spec this backend stores, head and codec bytes together: a spec of that size is
     * read alone or with a few others ({@link SpecReads#PAYLOAD_READ_BATCH}), and an answer must
     * stay under ZooKeeper's default {@code jute.maxbuffer} (1 MiB), which the client enforces by
     * dropping the connection.
     */
    static final int MAX_SPEC_BYTES = 64 * 1024;

    /**
     * The largest spec kept whole in its {@code children/<bucket>/<key>} znode. A larger one keeps
     * only its head there, and its codec bytes in the child znode {@code payload}
     * ({@link ZnodeLayout#specPayload}). So a spec znode never holds more than this, and a failover
     * reads {@link SpecReads#SPEC_READ_BATCH} of them per request (229, where a bound of
     * {@link #MAX_SPEC_BYTES} allowed 15: three times less CPU for the same specs).
     */
    static final int MAX_INLINE_SPEC_BYTES = 4 * 1024;

    /**
     * A spec as stored: the data of its {@code children/<bucket>/<key>} znode and, for a spec over
     * {@link #MAX_INLINE_SPEC_BYTES}, the codec bytes that go in its {@code payload} child (else null).
     */
    record StoredSpec(byte[] znode, byte[] payload) {
        /** Its size, head and codec bytes together. */
        int bytes() {
            return znode.length + (payload == null ? 0 : payload.length);
        }
    }

    /**
     * A {@code children/<bucket>/<key>} znode: a line with the format, a line with the explicit node
     * (empty when the ring places the child), then the spec through the codec. The explicit node
     * comes first so that a failover can place thousands of orphans without decoding their specs.
     * A spec over {@link #MAX_INLINE_SPEC_BYTES} has no codec bytes after its head: a spec through
     * the codec is never empty, so an empty one says that they are in the {@code payload} child.
     */
    static StoredSpec storedSpec(String explicitNode, byte[] encodedSpec) {
        // Decided on the codec bytes alone, with room for the longest head: moving a spec to
        // another node rewrites its head with that node's name and keeps the rest as it is.
        return encodedSpec.length <= MAX_INLINE_SPEC_BYTES - MAX_HEAD_BYTES
                ? new StoredSpec(spec(explicitNode, encodedSpec), null)
                : new StoredSpec(spec(explicitNode, new byte[0]), encodedSpec);
    }

    /** The longest head a spec znode can have: two lines of at most 256 bytes each ({@link #indexOf}). */
    private static final int MAX_HEAD_BYTES = 2 * 256;

    /** A spec znode's data, with {@code encodedSpec} after its head (empty: kept in its {@code payload} child). */
    static byte[] spec(String explicitNode, byte[] encodedSpec) {
        byte[] head = (FORMAT + "\n" + (explicitNode == null ? "" : explicitNode) + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] all = java.util.Arrays.copyOf(head, head.length + encodedSpec.length);
        System.arraycopy(encodedSpec, 0, all, head.length, encodedSpec.length);
        return all;
    }

    /** Whether the codec bytes of the spec znode {@code data} are in its {@code payload} child. */
    static boolean specPayloadApart(String key, byte[] data) {
        return specPayloadOffset(key, data) == data.length;
    }

    /** Where the codec's bytes start in a spec znode. */
    static int specPayloadOffset(String key, byte[] data) {
        int first = indexOf(data, 0, key);
        int second = indexOf(data, first + 1, key);
        checkFormat(new String(data, 0, first, StandardCharsets.UTF_8), "spec " + key);
        return second + 1;
    }

    /** The explicit node of a spec znode, or null when the ring places it. */
    static String specNode(String key, byte[] data) {
        int start = indexOf(data, 0, key) + 1;
        int end = specPayloadOffset(key, data) - 1;
        return end == start ? null : new String(data, start, end - start, StandardCharsets.UTF_8);
    }

    private static int indexOf(byte[] data, int from, String key) {
        if (data == null || data.length == 0) {
            throw new IllegalArgumentException("spec " + key + ": empty znode");
        }
        for (int i = from; i < Math.min(data.length, from + 256); i++) {
            if (data[i] == '\n') {
                return i;
            }
        }
        throw new IllegalArgumentException("spec " + key + ": not in format " + FORMAT);
    }

    private static String[] lines(byte[] data, int count, String what) {
        return lines(data, count, what, FORMAT, MAX_ENTRY_BYTES);
    }

    /** The lines of a znode in {@code format}: exactly {@code count} of them, or any number if it is -1. */
    private static String[] lines(byte[] data, int count, String what, String format, int maxBytes) {
        if (data == null || data.length == 0) {
            throw new IllegalArgumentException(what + ": empty znode");
        }
        if (data.length > maxBytes) {
            throw new IllegalArgumentException(what + ": " + data.length + " bytes, too long");
        }
        String[] lines = new String(data, StandardCharsets.UTF_8).split("\n", -1);
        if (format.equals(FORMAT)) {
            checkFormat(lines[0], what);
        } else if (FORMAT.equals(lines[0])) {
            throw new IllegalArgumentException(what + ": format " + FORMAT + ", an ephemeral owner entry of the layout '"
                    + ZnodeLayout.EPHEMERAL_OWNERS_VERSION + "' of an earlier release (this node reads " + format
                    + "): the nodes of one cluster must run one version");
        } else if (!format.equals(lines[0])) {
            throw new IllegalArgumentException(what + ": not in format " + format);
        }
        if (count >= 0 && lines.length != count) {
            throw new IllegalArgumentException(what + ": not in format " + format + " with " + count + " lines");
        }
        return lines;
    }

    private static void checkFormat(String first, String what) {
        if (PREVIOUS.equals(first)) {
            throw new IllegalArgumentException(what + ": format " + PREVIOUS + ", written by an earlier version of "
                    + "this library (this node reads " + FORMAT + "): the nodes of one cluster must run one version");
        }
        if (!FORMAT.equals(first)) {
            throw new IllegalArgumentException(what + ": not in format " + FORMAT);
        }
    }

    private static long session(String hex, String what) {
        try {
            if (hex.isEmpty() || hex.length() > 16) {
                throw new NumberFormatException();
            }
            return HexFormat.fromHexDigitsToLong(hex);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + ": session is not a hexadecimal number: " + printable(hex));
        }
    }

    /** A field of untrusted data as a log line may show it: short, no control characters. */
    static String printable(String s) {
        String cut = s.length() > 40 ? s.substring(0, 40) + "…" : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
