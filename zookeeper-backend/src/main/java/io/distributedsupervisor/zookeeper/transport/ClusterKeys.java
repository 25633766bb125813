package io.distributedsupervisor.zookeeper.transport;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keys derived from the cluster secret, one per purpose, with HKDF over HMAC-SHA256 (RFC 5869):
 * the secret itself never keys anything, so that what one use of a key reveals (a handshake
 * transcript, a member's proof) gives nothing towards another. The cluster's name is the salt, so
 * that two clusters that share a secret by mistake still share no key.
 *
 * <p>Immutable and thread-safe; every key is a fresh copy.
 */
public final class ClusterKeys {
    /** Purposes, as HKDF's info strings: each key is for one thing only. */
    public static final String MEMBER_PROOF = "distributed-supervisor member proof v1";
    public static final String HANDSHAKE = "distributed-supervisor transport handshake v1";

    private static final String HMAC = "HmacSHA256";
    private static final int KEY_BYTES = 32;

    private final byte[] pseudoRandomKey;

    private ClusterKeys(byte[] pseudoRandomKey) {
        this.pseudoRandomKey = pseudoRandomKey;
    }

    /** Keys of the cluster {@code cluster} from its {@code secret}. */
    public static ClusterKeys of(byte[] secret, String cluster) {
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(cluster, "cluster");
        return new ClusterKeys(hmac(cluster.getBytes(StandardCharsets.UTF_8), secret));
    }

    /** The 32-byte key for {@code purpose} (one of the constants above). */
    public byte[] key(String purpose) {
        return expand(pseudoRandomKey, purpose.getBytes(StandardCharsets.UTF_8), KEY_BYTES);
    }

    /** HMAC-SHA256 of {@code data} under {@code key}. */
    public static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(key, HMAC));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(HMAC + " is not available in this JVM", e);
        }
    }

    /** HKDF-Expand (RFC 5869, section 2.3) of {@code prk} for {@code info}, {@code length} bytes. */
    public static byte[] expand(byte[] prk, byte[] info, int length) {
        if (length <= 0 || length > 255 * 32) {
            throw new IllegalArgumentException("HKDF output of " + length + " bytes");
        }
        byte[] out = new byte[length];
        byte[] previous = new byte[0];
        int done = 0;
        for (int i = 1; done < length; i++) {
            byte[] input = Arrays.copyOf(previous, previous.length + info.length + 1);
            System.arraycopy(info, 0, input, previous.length, info.length);
            input[input.length - 1] = (byte) i;
            previous = hmac(prk, input);
            int n = Math.min(previous.length, length - done);
            System.arraycopy(previous, 0, out, done, n);
            done += n;
        }
        return out;
    }

    @Override
    public String toString() {
        return "ClusterKeys[...]";
    }
}
