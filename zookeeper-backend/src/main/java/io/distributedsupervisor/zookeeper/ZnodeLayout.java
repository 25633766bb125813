package io.distributedsupervisor.zookeeper;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Where one supervisor's znodes live, for the backend and for tools that read them (the
 * {@code ds} command-line tool):
 * <pre>
 * /&lt;namespace&gt;/&lt;supervisor&gt;/
 *     layout                     PERSISTENT  "spec-signals-1024": the layout's version
 *     members/&lt;node&gt;             EPHEMERAL   transport address, start time, version, session, proof
 *     leaving/&lt;node&gt;             EPHEMERAL   the member is leaving (a drain): no new children for it
 *     children/&lt;bucket&gt;/&lt;key&gt;    PERSISTENT  spec (see ZnodeData)
 *         payload                PERSISTENT  the codec bytes of a spec over 4 KiB, only
 *     owners/&lt;bucket&gt;/&lt;key&gt;      PERSISTENT  node, session, epoch, restarts, proof: at most one owner per key
 *         spec-removed           never at rest: made and deleted by a transaction that removes the spec ({@link SpecSignal})
 *     successions/&lt;session&gt;     PERSISTENT  the heirs of an ended session's owner entries
 *     requests/&lt;request&gt;        PERSISTENT  an operator's request to the nodes (the ds tool)
 * </pre>
 *
 * <p>Views watch every folder but {@code children/}: a start would cost every node two events
 * (its spec and its owner entry); the transactions that create or delete owner entries say what
 * they do to the specs by how many times they set their writer's member znode ({@link SpecSignal}).
 *
 * <p>Why owner entries outlive their sessions: a session's end then deletes one znode (its
 * member's), not one per child, and a failover costs one write (the succession) instead of a
 * deletion and a claim per child, each an event to every node. See {@link Successions}.
 *
 * <p>Why buckets: ZooKeeper answers a {@code getChildren} in one packet, and neither its server
 * nor its client accepts a packet over {@code jute.maxbuffer} (1 MiB by default). A flat folder
 * of a million keys lists in tens of MiB; {@value #BUCKETS} buckets keep a listing under 1 MiB
 * up to about {@code BUCKETS × 1 MiB / (key length + 4)} keys: 20 million with 40-byte keys.
 * A bucket is made the first time a key needs it and is never deleted (deleting one would race
 * with a claim creating a key in it).
 *
 * <p>The bucket of a key is fixed forever by {@link #bucketOf}: FNV-1a over the key's UTF-8
 * bytes, folded to {@value #BUCKETS} values, written as three lower-case hex digits. Keys start
 * with a letter that is not a hex digit ({@code s}, {@code i}, {@code l}, {@code u}), so a
 * bucket's name can never be a key's: an entry directly under {@code children/} or
 * {@code owners/} whose name is not a bucket is of the first release's flat layout.
 *
 * <p>Paths are given as Curator's namespaced client spells them (from {@code /<supervisor>}),
 * or with a prefix for ZooKeeper's raw handle ({@link #withPrefix}).
 */
public final class ZnodeLayout {
    /** The number of buckets of {@code children/} and {@code owners/}. */
    public static final int BUCKETS = 1024;
    /** The content of the {@code layout} znode of this version. */
    public static final String VERSION = "spec-signals-1024";
    /**
     * The version of the release before successions: ephemeral owner entries, no successions;
     * its specs are this version's.
     */
    static final String EPHEMERAL_OWNERS_VERSION = "buckets-1024";
    /**
     * The version before this one: the same znodes, whose writers did not say what they did to
     * the specs (every view watched {@code children/}), so its nodes and this version's cannot
     * run together.
     */
    static final String PREVIOUS_VERSION = "successions-1024";

    /**
     * Whether this release reads the owner entries of a supervisor in {@code version} (the content
     * of its {@code layout} znode): this version's, and the one before it, whose znodes are the same.
     */
    public static boolean ownersReadable(String version) {
        return VERSION.equals(version) || PREVIOUS_VERSION.equals(version);
    }

    private final String root;

    private ZnodeLayout(String root) {
        this.root = root;
    }

    /** The layout of {@code supervisor}, as a client with the namespace set spells its paths. */
    public static ZnodeLayout of(String supervisor) {
        Objects.requireNonNull(supervisor, "supervisor");
        return new ZnodeLayout("/" + supervisor);
    }

    /** The same layout under {@code prefix} (e.g. {@code "/distributed-supervisor"}; empty for none). */
    public ZnodeLayout withPrefix(String prefix) {
        return new ZnodeLayout(prefix + root);
    }

    /** The bucket of {@code key}: three hex digits, {@code 000} to {@code 3ff}. */
    public static String bucketOf(String key) {
        int h = 0x811c9dc5;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x01000193;
        }
        int bucket = (h ^ (h >>> 10) ^ (h >>> 20)) & (BUCKETS - 1);
        return HEX[bucket >> 8] + HEX[(bucket >> 4) & 0xf] + HEX[bucket & 0xf];
    }

    private static final String[] HEX = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f"};

    /** Whether {@code name} is the name of a bucket. */
    public static boolean isBucket(String name) {
        if (name.length() != 3) {
            return false;
        }
        for (int i = 0; i < 3; i++) {
            char c = name.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return name.charAt(0) <= '3';
    }

    /** {@code /<supervisor>}. */
    public String supervisor() {
        return root;
    }

    /** The znode holding the layout's version. */
    public String layoutMarker() {
        return root + "/layout";
    }

    public String members() {
        return root + "/members";
    }

    public String member(String node) {
        return root + "/members/" + node;
    }

    /** The folder of the markers of members that are leaving. */
    public String leaving() {
        return root + "/leaving";
    }

    /** The marker of {@code node} leaving. */
    public String leaving(String node) {
        return root + "/leaving/" + node;
    }

    /** The folder of the successions of ended sessions. */
    public String successions() {
        return root + "/successions";
    }

    /** The succession of the ended session {@code session}: its id in 16 lower-case hex digits. */
    public String succession(long session) {
        return root + "/successions/" + sessionName(session);
    }

    /** A session id as a succession's name: 16 lower-case hex digits. */
    public static String sessionName(long session) {
        return java.util.HexFormat.of().toHexDigits(session);
    }

    public String children() {
        return root + "/children";
    }

    /** The folder of the specs of {@code bucket}. */
    public String childrenBucket(String bucket) {
        return root + "/children/" + bucket;
    }

    public String spec(String key) {
        return root + "/children/" + bucketOf(key) + "/" + key;
    }

    /** The codec bytes of the spec of {@code key}, when it is too large to keep whole in {@link #spec}. */
    public String specPayload(String key) {
        return spec(key) + "/payload";
    }

    public String owners() {
        return root + "/owners";
    }

    /** The folder of the owner entries of {@code bucket}. */
    public String ownersBucket(String bucket) {
        return root + "/owners/" + bucket;
    }

    public String owner(String key) {
        return root + "/owners/" + bucketOf(key) + "/" + key;
    }

    /**
     * A znode that a transaction creates and deletes under the owner entry of {@code key} to tell
     * views that watch owner entries, not specs, that it deletes the spec of a key that an entry
     * holds ({@link SpecSignal#SPEC_REMOVED}); it never outlives its transaction.
     */
    public String specRemovedSignal(String key) {
        return owner(key) + "/spec-removed";
    }

    /** The folder of operators' requests (drain, move, rebalance...) to the nodes. */
    public String requests() {
        return root + "/requests";
    }

    /** The request znode {@code name} (as ZooKeeper named it, e.g. {@code r-0000000007}). */
    public String request(String name) {
        return root + "/requests/" + name;
    }

    @Override
    public String toString() {
        return "ZnodeLayout{" + root + "}";
    }
}
