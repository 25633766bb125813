package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.spi.Member;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * The text in {@code members/<node>}, {@code owners/<key>} and the head of {@code children/<key>}
 * znodes. Line-based UTF-8, so that an operator can read it with {@code zkCli.sh get}. Parsing
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

    /** An owner znode's fields: the owning node, its restarts, the proof. Epoch and session come from the stat. */
    record OwnerFields(String node, int restarts, String proof) {
    }

    static String ownerBody(String node, int restarts) {
        return FORMAT + "\n" + node + "\n" + restarts;
    }

    static byte[] owner(String body, String proof) {
        return (body + "\n" + proof).getBytes(StandardCharsets.UTF_8);
    }

    static OwnerFields parseOwner(String key, byte[] data) {
        String what = "owner of " + key;
        String[] lines = lines(data, 4, what);
        int restarts;
        try {
            restarts = Integer.parseInt(lines[2]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + ": restarts is not a number: " + printable(lines[2]));
        }
        if (restarts < 0 || lines[1].isEmpty()) {
            throw new IllegalArgumentException(what + ": bad node or restarts");
        }
        return new OwnerFields(lines[1], restarts, lines[3]);
    }

    /**
     * The largest spec znode this backend writes: a failover reads specs in batches
     * ({@link SpecReads#SPEC_READ_BATCH}), and an answer must stay under ZooKeeper's default
     * {@code jute.maxbuffer} (1 MiB), which the client enforces by dropping the connection.
     */
    static final int MAX_SPEC_BYTES = 64 * 1024;

    /**
     * A {@code children/<bucket>/<key>} znode: a line with the format, a line with the explicit node
     * (empty when the ring places the child), then the spec through the codec. The explicit node
     * comes first so that a failover can place thousands of orphans without decoding their specs.
     */
    static byte[] spec(String explicitNode, byte[] encodedSpec) {
        byte[] head = (FORMAT + "\n" + (explicitNode == null ? "" : explicitNode) + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] all = java.util.Arrays.copyOf(head, head.length + encodedSpec.length);
        System.arraycopy(encodedSpec, 0, all, head.length, encodedSpec.length);
        return all;
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
        if (data == null || data.length == 0) {
            throw new IllegalArgumentException(what + ": empty znode");
        }
        if (data.length > 4096) {
            throw new IllegalArgumentException(what + ": " + data.length + " bytes, too long");
        }
        String[] lines = new String(data, StandardCharsets.UTF_8).split("\n", -1);
        checkFormat(lines[0], what);
        if (lines.length != count) {
            throw new IllegalArgumentException(what + ": not in format " + FORMAT + " with " + count + " lines");
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
