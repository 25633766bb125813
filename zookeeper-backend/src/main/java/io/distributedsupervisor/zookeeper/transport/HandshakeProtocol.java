package io.distributedsupervisor.zookeeper.transport;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/**
 * The handshake's payloads and keys; {@link HandshakeHandler} runs the exchange.
 *
 * <p>HELLO and CHALLENGE are alike ({@link Opening}): protocol version, flags (open mode) and a
 * fresh 32-byte nonce, nothing else: no node or cluster name, so that a scanner learns nothing
 * but that a transport of this protocol listens. The connection's keys come from the handshake
 * key ({@link ClusterKeys#HANDSHAKE}: derived from the secret, salted with the cluster's name, so
 * that a peer of another cluster simply fails the proofs) by HKDF with both openings as salt, so
 * they bind the version, the flags and both nonces (a downgrade or a replay changes every key):
 * <pre>
 *   prk            = HKDF-Extract(salt = HELLO payload || CHALLENGE payload, ikm = handshake key)
 *   proof key      = HKDF-Expand(prk, "proof"), clientProof = HMAC(proof key, "client"), serverProof likewise
 *   client→server  = HKDF-Expand(prk, "client to server frames"), server→client likewise
 * </pre>
 * Distinct labels keep a proof from passing for the other role and a direction's frames from
 * passing in the other direction.
 */
final class HandshakeProtocol {
    /** 3: the REPLY_NOT_TAKEN frame, and the ZooKeeper backend's frames name their supervisor. */
    static final byte VERSION = 3;
    static final int NONCE_BYTES = 32;
    static final int PROOF_BYTES = 32;
    private static final byte FLAG_OPEN = 1;
    private static final int KEY_BYTES = 32;

    private HandshakeProtocol() {
    }

    /** A HELLO's or a CHALLENGE's payload. */
    record Opening(byte version, boolean openMode, byte[] nonce) {

        static Opening fresh(boolean openMode, SecureRandom random) {
            byte[] nonce = new byte[NONCE_BYTES];
            random.nextBytes(nonce);
            return new Opening(VERSION, openMode, nonce);
        }

        byte[] encode() {
            byte[] bytes = new byte[2 + NONCE_BYTES];
            bytes[0] = version;
            bytes[1] = openMode ? FLAG_OPEN : 0;
            System.arraycopy(nonce, 0, bytes, 2, NONCE_BYTES);
            return bytes;
        }

        /**
         * Reads an opening; one of another version is returned with its version alone (its layout
         * may differ), so that the caller can say which version the peer speaks.
         *
         * @throws IOException if it is malformed
         */
        static Opening decode(byte[] payload) throws IOException {
            if (payload.length == 0) {
                throw new IOException("empty opening");
            }
            if (payload[0] != VERSION) {
                return new Opening(payload[0], false, null);
            }
            if (payload.length != 2 + NONCE_BYTES || (payload[1] & ~FLAG_OPEN) != 0) {
                throw new IOException("malformed opening of " + payload.length + " bytes");
            }
            byte[] nonce = new byte[NONCE_BYTES];
            System.arraycopy(payload, 2, nonce, 0, NONCE_BYTES);
            return new Opening(payload[0], payload[1] == FLAG_OPEN, nonce);
        }
    }

    /** What one connection's handshake derives: the two proofs and the two directions' frame keys. */
    record SessionKeys(byte[] clientProof, byte[] serverProof, byte[] clientToServer, byte[] serverToClient) {
    }

    static SessionKeys keys(byte[] handshakeKey, byte[] hello, byte[] challenge) {
        byte[] salt = new byte[hello.length + challenge.length];
        System.arraycopy(hello, 0, salt, 0, hello.length);
        System.arraycopy(challenge, 0, salt, hello.length, challenge.length);
        byte[] prk = ClusterKeys.hmac(salt, handshakeKey);
        byte[] proofKey = ClusterKeys.expand(prk, utf8("proof"), KEY_BYTES);
        return new SessionKeys(ClusterKeys.hmac(proofKey, utf8("client")), ClusterKeys.hmac(proofKey, utf8("server")),
                ClusterKeys.expand(prk, utf8("client to server frames"), KEY_BYTES),
                ClusterKeys.expand(prk, utf8("server to client frames"), KEY_BYTES));
    }

    /** Whether {@code proof} equals {@code expected}, in time independent of where they differ. */
    static boolean proofMatches(byte[] proof, byte[] expected) {
        return proof.length == PROOF_BYTES && java.security.MessageDigest.isEqual(proof, expected);
    }

    static byte[] identity(String node) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(2 + node.length());
            new DataOutputStream(bytes).writeUTF(node);
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The node name in an IDENTITY payload.
     *
     * @throws IOException if it is malformed, blank or longer than {@link TransportConfig#MAX_NAME_LENGTH}
     */
    static String identity(byte[] payload) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
        String node = in.readUTF();
        if (in.read() != -1) {
            throw new IOException("trailing bytes after the node name");
        }
        if (node.isBlank() || node.length() > TransportConfig.MAX_NAME_LENGTH) {
            throw new IOException("a node name of " + node.length() + " characters");
        }
        return node;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
