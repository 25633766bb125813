package io.distributedsupervisor.zookeeper.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ClusterKeysTest {
    private static final HexFormat HEX = HexFormat.of();

    /** RFC 5869, appendix A.1: HKDF-SHA256, basic test case. */
    @Test
    void hkdfMatchesTheRfcTestVector() {
        byte[] ikm = HEX.parseHex("0b".repeat(22));
        byte[] salt = HEX.parseHex("000102030405060708090a0b0c");
        byte[] info = HEX.parseHex("f0f1f2f3f4f5f6f7f8f9");
        byte[] prk = ClusterKeys.hmac(salt, ikm);
        assertThat(HEX.formatHex(prk)).isEqualTo("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
        assertThat(HEX.formatHex(ClusterKeys.expand(prk, info, 42))).isEqualTo(
                "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
    }

    @Test
    void eachPurposeAndEachClusterHasItsOwnKey() {
        byte[] secret = "a-cluster-secret-of-32-bytes-or-more".getBytes(StandardCharsets.UTF_8);
        ClusterKeys a = ClusterKeys.of(secret, "ns/DS");
        assertThat(a.key(ClusterKeys.MEMBER_PROOF)).hasSize(32).isNotEqualTo(a.key(ClusterKeys.HANDSHAKE))
                .isEqualTo(ClusterKeys.of(secret, "ns/DS").key(ClusterKeys.MEMBER_PROOF))
                .isNotEqualTo(ClusterKeys.of(secret, "ns/Other").key(ClusterKeys.MEMBER_PROOF))
                .isNotEqualTo(secret);
    }
}
