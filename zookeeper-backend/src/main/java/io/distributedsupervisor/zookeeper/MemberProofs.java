package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.spi.Member;
import io.distributedsupervisor.spi.Owner;
import io.distributedsupervisor.zookeeper.transport.ClusterKeys;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.zookeeper.data.Stat;

/**
 * Proofs of the cluster secret in member and owner znodes, so that a ZooKeeper client that can
 * write the supervisor's folders (open ACLs, or leaked ZooKeeper credentials) but does not know
 * the secret cannot make a member or an owner entry that the nodes believe.
 *
 * <p>A member znode carries an HMAC, under the member-proof key ({@link ClusterKeys#MEMBER_PROOF},
 * derived from the secret and the cluster's name), over the supervisor, the node name, the
 * transport address, the start time, the version and the id of the session that holds the znode.
 * It counts only if it is ephemeral and its {@code ephemeralOwner} is that session: no one else
 * can make a znode that a given session holds, so a proof copied from a real member's znode is
 * worth nothing in another one, and a persistent znode (which outlives every session) never
 * counts.
 *
 * <p>An owner znode carries an HMAC over the supervisor, the key, the node, the restarts, the
 * session and the epoch it keeps, under the same key but another label ({@code "owner"} against
 * {@code "member"}), so that neither proof passes for the other. Owner entries outlive their
 * sessions, so the session is in the data and under the proof: a copy of an entry to another key
 * does not verify. Owner entries learnt from a claim's events without a read are another matter
 * (see {@link SupervisorView}). A succession ({@code "succession"}) and a leaving marker
 * ({@code "leaving"}, held by the leaving member's session) carry proofs of their own.
 *
 * <p>Without a secret (open mode) nothing is verified: every well-formed znode counts, as any
 * ZooKeeper client could write it.
 *
 * <p>Immutable and thread-safe.
 */
final class MemberProofs {
    private static final String MEMBER = "member";
    private static final String OWNER = "owner";
    private static final String REQUEST = "request";
    private static final String SUCCESSION = "succession";
    private static final String LEAVING = "leaving";

    private final String supervisor;
    /** The member-proof key; null in open mode. */
    private final byte[] key;
    /**
     * Keyed MACs not in use: every claim writes a proof and every conflict reads one, and looking
     * up and keying a new {@link Mac} costs more than the HMAC itself. A pool rather than a
     * ThreadLocal, because claims come from many short-lived virtual threads; it holds at most
     * as many as were ever in use at once.
     */
    private final ConcurrentLinkedQueue<Mac> idleMacs = new ConcurrentLinkedQueue<>();

    private MemberProofs(String supervisor, byte[] key) {
        this.supervisor = supervisor;
        this.key = key;
    }

    /** Proofs under the key derived from {@code secret} for the cluster {@code cluster}. */
    static MemberProofs of(byte[] secret, String cluster, String supervisor) {
        return new MemberProofs(supervisor, ClusterKeys.of(secret, cluster).key(ClusterKeys.MEMBER_PROOF));
    }

    /**
     * The proofs of {@code supervisor}'s nodes under {@code config}: under its secret, or none
     * without one or in open mode.
     */
    static MemberProofs of(ZooKeeperBackend.Builder config, String supervisor) {
        // Without a secret (or in open mode, where the transport ignores it) there is nothing to prove.
        return config.secret != null && !config.openMode
                ? of(config.secret, clusterName(config, supervisor), supervisor)
                : none(supervisor);
    }

    /**
     * The name the member proofs' key derivation takes: one per supervisor, so that a member
     * znode proves membership of that supervisor only. (The transport's handshake proves the
     * secret under the namespace alone: {@link SharedConnection#clusterName}.)
     */
    static String clusterName(ZooKeeperBackend.Builder config, String supervisor) {
        return config.namespace + "/" + supervisor;
    }

    /** Open mode: no proofs written, nothing verified. */
    static MemberProofs none(String supervisor) {
        return new MemberProofs(supervisor, null);
    }

    /** Whether znodes are verified (a cluster secret is set). */
    boolean verifies() {
        return key != null;
    }

    // ---- members ----

    byte[] memberData(String node, String address, long startedAt, String version, long session) {
        String body = ZnodeData.memberBody(address, startedAt, version, session);
        return ZnodeData.member(body, key == null ? ZnodeData.NO_PROOF : proof(MEMBER, node, body));
    }

    /**
     * The member that {@code members/<node>} describes, if it is to be believed.
     *
     * @throws IllegalArgumentException naming why not
     */
    Member verifiedMember(String node, byte[] data, Stat stat) {
        ZnodeData.MemberFields f = ZnodeData.parseMember(node, data);
        if (key != null) {
            if (stat.getEphemeralOwner() == 0) {
                throw new IllegalArgumentException("member " + node + " is a persistent znode: a live member's is "
                        + "ephemeral");
            }
            if (f.session() != stat.getEphemeralOwner()) {
                throw new IllegalArgumentException("member " + node + " names session 0x" + Long.toHexString(f.session())
                        + " but is held by session 0x" + Long.toHexString(stat.getEphemeralOwner()));
            }
            check(f.proof(), proof(MEMBER, node,
                    ZnodeData.memberBody(f.address(), f.startedAt(), f.version(), f.session())), "member " + node);
        }
        return ZnodeData.toMember(node, f);
    }

    // ---- owners ----

    /**
     * The data of an owner znode; {@code epoch} 0 for a claim (the znode's {@code czxid} is its
     * epoch), else the epoch it keeps (an entry taken over by succession, see {@link Successions}).
     */
    byte[] ownerData(String ownerKey, String node, int restarts, long session, long epoch) {
        String body = ZnodeData.ownerBody(node, restarts, session, epoch);
        return ZnodeData.owner(body, key == null ? ZnodeData.NO_PROOF : proof(OWNER, ownerKey, node, body));
    }

    /**
     * The owner entry that {@code owners/<key>} holds, if it is to be believed: node, restarts,
     * session and epoch from its data (an epoch of 0 there: the znode's {@code czxid}).
     *
     * @throws IllegalArgumentException naming why not
     */
    Owner verifiedOwner(String ownerKey, byte[] data, Stat stat) {
        ZnodeData.OwnerFields f = ZnodeData.parseOwner(ownerKey, data);
        if (stat.getEphemeralOwner() != 0) {
            throw new IllegalArgumentException("owner of " + ownerKey + " is an ephemeral znode: an owner entry of this "
                    + "layout is persistent");
        }
        if (key != null) {
            check(f.proof(), proof(OWNER, ownerKey, f.node(), ZnodeData.ownerBody(f.node(), f.restarts(), f.session(),
                    f.epoch())), "owner of " + ownerKey + " (node " + ZnodeData.printable(f.node()) + ", session 0x"
                    + Long.toHexString(f.session()) + ")");
        }
        return new Owner(f.node(), f.epoch() == 0 ? stat.getCzxid() : f.epoch(), f.restarts(), f.session());
    }

    // ---- successions and leaving markers ----

    byte[] successionData(String node, long session, List<ZnodeData.Heir> heirs) {
        String body = ZnodeData.successionBody(node, session, heirs);
        return ZnodeData.succession(body, key == null ? ZnodeData.NO_PROOF : proof(SUCCESSION, body));
    }

    /**
     * The succession that {@code successions/<name>} holds, if it is to be believed: persistent,
     * named after the session it succeeds, with a valid proof.
     *
     * @throws IllegalArgumentException naming why not
     */
    ZnodeData.SuccessionFields verifiedSuccession(String name, byte[] data, Stat stat) {
        ZnodeData.SuccessionFields f = ZnodeData.parseSuccession(name, data);
        if (!ZnodeLayout.sessionName(f.session()).equals(name)) {
            throw new IllegalArgumentException("succession " + ZnodeData.printable(name) + " names session 0x"
                    + Long.toHexString(f.session()));
        }
        if (stat.getEphemeralOwner() != 0) {
            throw new IllegalArgumentException("succession " + name + " is an ephemeral znode");
        }
        if (key != null) {
            check(f.proof(), proof(SUCCESSION, ZnodeData.successionBody(f.node(), f.session(), f.heirs())),
                    "succession " + name);
        }
        return f;
    }

    byte[] leavingData(String node, long session) {
        String body = ZnodeData.leavingBody(session);
        return ZnodeData.leaving(body, key == null ? ZnodeData.NO_PROOF : proof(LEAVING, node, body));
    }

    /**
     * The session of the member that {@code leaving/<node>} says is leaving, if it is to be
     * believed: held by that very session (ephemeral), with a valid proof.
     *
     * @throws IllegalArgumentException naming why not
     */
    long verifiedLeaving(String node, byte[] data, Stat stat) {
        ZnodeData.LeavingFields f = ZnodeData.parseLeaving(node, data);
        if (key != null) {
            if (stat.getEphemeralOwner() != f.session()) {
                throw new IllegalArgumentException("leaving marker of " + node + " names session 0x"
                        + Long.toHexString(f.session()) + " but is held by session 0x"
                        + Long.toHexString(stat.getEphemeralOwner()));
            }
            check(f.proof(), proof(LEAVING, node, ZnodeData.leavingBody(f.session())), "leaving marker of " + node);
        }
        return f.session();
    }

    // ---- operators' requests (see OperatorRequests) ----

    /** The proof of an operator's request whose lines before the proof are {@code body}; {@code "-"} in open mode. */
    String requestProof(String body) {
        return key == null ? ZnodeData.NO_PROOF : proof(REQUEST, body);
    }

    /**
     * Checks the proof of an operator's request; in open mode, nothing.
     *
     * @throws IllegalArgumentException naming why the request is not to be believed
     */
    void checkRequest(String name, String body, String given) {
        if (key != null) {
            check(given, proof(REQUEST, body), "operator request " + ZnodeData.printable(name));
        }
    }

    // ---- the HMAC ----

    private void check(String given, String expected, String what) {
        if (ZnodeData.NO_PROOF.equals(given) || given.isEmpty()) {
            throw new IllegalArgumentException(what + " carries no proof of the cluster secret (written by a node in "
                    + "open mode, or by a client without the secret)");
        }
        // Constant time: the comparison tells nothing about how much of a guess was right.
        if (!MessageDigest.isEqual(given.getBytes(StandardCharsets.US_ASCII), expected.getBytes(StandardCharsets.US_ASCII))) {
            throw new IllegalArgumentException(what + ": its proof does not match the cluster secret (written by a "
                    + "client without it, or by a node of another cluster or with another secret)");
        }
    }

    /**
     * HMAC-SHA256 over the label, the supervisor and {@code parts}, each preceded by its length,
     * so that no two different inputs run together into the same bytes.
     */
    private String proof(String label, String... parts) {
        ByteArrayOutputStream in = new ByteArrayOutputStream(256);
        java.util.List<String> all = new java.util.ArrayList<>(parts.length + 2);
        all.add(label);
        all.add(supervisor);
        all.addAll(java.util.List.of(parts));
        for (String part : all) {
            byte[] b = part.getBytes(StandardCharsets.UTF_8);
            in.write(b.length >>> 24);
            in.write(b.length >>> 16);
            in.write(b.length >>> 8);
            in.write(b.length);
            in.writeBytes(b);
        }
        Mac mac = idleMacs.poll();
        if (mac == null) {
            mac = newMac();
        }
        try {
            // doFinal resets the MAC for its next use, keeping its key.
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(in.toByteArray()));
        } finally {
            idleMacs.offer(mac);
        }
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "MemberProofs[" + supervisor + (key == null ? ", open mode]" : "]");
    }
}
