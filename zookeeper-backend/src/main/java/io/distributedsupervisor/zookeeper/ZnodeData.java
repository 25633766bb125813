package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.spi.Member;
import io.distributedsupervisor.spi.Owner;
import java.nio.charset.StandardCharsets;
import org.apache.zookeeper.data.Stat;

/**
 * The text in {@code members/<node>} and {@code owners/<key>} znodes. Line-based UTF-8, so that
 * an operator can read it with {@code zkCli.sh get}. Parsing refuses anything malformed with a
 * message naming the problem; the caller logs it and ignores the znode.
 */
final class ZnodeData {
    static final String FORMAT = "ds1";

    private ZnodeData() {
    }

    static byte[] member(String address, long startedAt, String version) {
        return (FORMAT + "\n" + address + "\n" + startedAt + "\n" + version).getBytes(StandardCharsets.UTF_8);
    }

    static Member parseMember(String node, byte[] data) {
        String[] lines = lines(data, 4, "member " + node);
        try {
            return new Member(node, lines[1], Long.parseLong(lines[2]), lines[3]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("member " + node + ": start time is not a number: " + lines[2]);
        }
    }

    static byte[] owner(String node, int restarts) {
        return (FORMAT + "\n" + node + "\n" + restarts).getBytes(StandardCharsets.UTF_8);
    }

    /** The owner entry of a znode: node and restarts from its data, epoch and session from its stat. */
    static Owner parseOwner(String key, byte[] data, Stat stat) {
        String[] lines = lines(data, 3, "owner of " + key);
        int restarts;
        try {
            restarts = Integer.parseInt(lines[2]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("owner of " + key + ": restarts is not a number: " + lines[2]);
        }
        if (restarts < 0 || lines[1].isEmpty()) {
            throw new IllegalArgumentException("owner of " + key + ": bad node or restarts");
        }
        if (stat.getEphemeralOwner() == 0) {
            throw new IllegalArgumentException("owner of " + key + " is not an ephemeral znode");
        }
        return new Owner(lines[1], stat.getCzxid(), restarts, stat.getEphemeralOwner());
    }

    /**
     * A {@code children/<key>} znode: a line with the format, a line with the explicit node
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
        if (!FORMAT.equals(new String(data, 0, first, StandardCharsets.UTF_8))) {
            throw new IllegalArgumentException("spec " + key + ": not in format " + FORMAT);
        }
        return second + 1;
    }

    /** The explicit node of a spec znode, or null when the ring places it. */
    static String specNode(String key, byte[] data) {
        int start = indexOf(data, 0, key) + 1;
        int end = specPayloadOffset(key, data) - 1;
        return end == start ? null : new String(data, start, end - start, StandardCharsets.UTF_8);
    }

    private static int indexOf(byte[] data, int from, String key) {
        if (data == null) {
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
        if (lines.length != count || !FORMAT.equals(lines[0])) {
            throw new IllegalArgumentException(what + ": not in format " + FORMAT + " with " + count + " lines");
        }
        return lines;
    }

    /** A field of untrusted data as a log line may show it: short, no control characters. */
    static String printable(String s) {
        String cut = s.length() > 40 ? s.substring(0, 40) + "…" : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
