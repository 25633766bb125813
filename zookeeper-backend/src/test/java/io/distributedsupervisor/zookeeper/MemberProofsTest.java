package io.distributedsupervisor.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distributedsupervisor.spi.Member;
import io.distributedsupervisor.spi.Owner;
import java.nio.charset.StandardCharsets;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;

/** Member and owner proofs: what verifies, and why everything else does not. */
class MemberProofsTest {
    private static final byte[] SECRET = "member-proofs-test-cluster-secret-01".getBytes(StandardCharsets.UTF_8);
    private static final MemberProofs PROOFS = MemberProofs.of(SECRET, "ns/DS", "DS");
    private static final long SESSION = 0x1234_5678_9abcL;

    private static Stat ephemeral(long session, long czxid) {
        Stat s = new Stat();
        s.setEphemeralOwner(session);
        s.setCzxid(czxid);
        return s;
    }

    private static String text(byte[] data) {
        return new String(data, StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aMembersOwnZnodeVerifies() {
        byte[] data = PROOFS.memberData("n1", "127.0.0.1:7400", 42, "0.1", SESSION);
        assertThat(text(data)).startsWith("ds2\n127.0.0.1:7400\n42\n0.1\n");
        assertThat(PROOFS.verifiedMember("n1", data, ephemeral(SESSION, 7)))
                .isEqualTo(new Member("n1", "127.0.0.1:7400", 42, "0.1"));
    }

    @Test
    void aCopyOrAChangeOfAMembersZnodeDoesNot() {
        byte[] data = PROOFS.memberData("n1", "127.0.0.1:7400", 42, "0.1", SESSION);
        assertThatThrownBy(() -> PROOFS.verifiedMember("n1", data, ephemeral(0, 7)))
                .hasMessageContaining("persistent");
        assertThatThrownBy(() -> PROOFS.verifiedMember("n1", data, ephemeral(SESSION + 1, 7)))
                .hasMessageContaining("held by session 0x" + Long.toHexString(SESSION + 1));
        assertThatThrownBy(() -> PROOFS.verifiedMember("ghost", data, ephemeral(SESSION, 7)))
                .hasMessageContaining("does not match");
        String[] lines = text(data).split("\n");
        for (int i = 1; i <= 3; i++) {
            String[] changed = lines.clone();
            changed[i] = changed[i] + "9";
            assertThatThrownBy(() -> PROOFS.verifiedMember("n1", bytes(String.join("\n", changed)), ephemeral(SESSION, 7)))
                    .as("line %d changed", i).hasMessageContaining("does not match");
        }
        assertThatThrownBy(() -> MemberProofs.of("another-secret-of-16-bytes-or-more".getBytes(StandardCharsets.UTF_8),
                "ns/DS", "DS").verifiedMember("n1", data, ephemeral(SESSION, 7))).hasMessageContaining("does not match");
        assertThatThrownBy(() -> MemberProofs.of(SECRET, "other/DS", "DS").verifiedMember("n1", data,
                ephemeral(SESSION, 7))).as("another cluster's key").hasMessageContaining("does not match");
        byte[] noProof = MemberProofs.none("DS").memberData("n1", "127.0.0.1:7400", 42, "0.1", SESSION);
        assertThatThrownBy(() -> PROOFS.verifiedMember("n1", noProof, ephemeral(SESSION, 7)))
                .hasMessageContaining("carries no proof");
    }

    @Test
    void theFormatOfAnEarlierVersionIsRefusedSayingSo() {
        assertThatThrownBy(() -> PROOFS.verifiedMember("n1", bytes("ds1\n127.0.0.1:7400\n42\n0.1"), ephemeral(SESSION, 7)))
                .hasMessageContaining("format ds1").hasMessageContaining("must run one version");
        assertThatThrownBy(() -> PROOFS.verifiedOwner("k", bytes("ds1\nn1\n0"), ephemeral(SESSION, 7)))
                .hasMessageContaining("format ds1");
        assertThatThrownBy(() -> ZnodeData.specNode("k", bytes("ds1\n\nxyz"))).hasMessageContaining("format ds1");
    }

    @Test
    void anOwnerEntryVerifiesOnlyInItsOwnSession() {
        byte[] data = PROOFS.ownerData("k", "n1", 3, SESSION);
        assertThat(PROOFS.verifiedOwner("k", data, ephemeral(SESSION, 99))).isEqualTo(new Owner("n1", 99, 3, SESSION));
        assertThatThrownBy(() -> PROOFS.verifiedOwner("k", data, ephemeral(SESSION + 1, 99)))
                .hasMessageContaining("does not match");
        assertThatThrownBy(() -> PROOFS.verifiedOwner("other", data, ephemeral(SESSION, 99)))
                .hasMessageContaining("does not match");
        assertThatThrownBy(() -> PROOFS.verifiedOwner("k", data, ephemeral(0, 99))).hasMessageContaining("persistent");
        byte[] moreRestarts = bytes(text(data).replaceFirst("\n3\n", "\n4\n"));
        assertThatThrownBy(() -> PROOFS.verifiedOwner("k", moreRestarts, ephemeral(SESSION, 99)))
                .hasMessageContaining("does not match");
        // Neither proof passes for the other, though both are under one key.
        byte[] member = PROOFS.memberData("n1", "a", 1, "v", SESSION);
        String memberProof = text(member).substring(text(member).lastIndexOf('\n') + 1);
        byte[] forged = bytes("ds2\nn1\n3\n" + memberProof);
        assertThatThrownBy(() -> PROOFS.verifiedOwner("k", forged, ephemeral(SESSION, 99)))
                .hasMessageContaining("does not match");
    }

    @Test
    void inOpenModeNothingIsVerified() {
        MemberProofs open = MemberProofs.none("DS");
        assertThat(open.verifies()).isFalse();
        byte[] signed = PROOFS.memberData("n1", "a", 1, "v", SESSION);
        assertThat(open.verifiedMember("ghost", signed, ephemeral(0, 1)).node()).isEqualTo("ghost");
        assertThat(open.verifiedOwner("k", bytes("ds2\nanyone\n0\n-"), ephemeral(5, 1)).node()).isEqualTo("anyone");
        assertThatThrownBy(() -> open.verifiedOwner("k", bytes("ds2\nanyone\n0\n-"), ephemeral(0, 1)))
                .as("a claim is ephemeral all the same").hasMessageContaining("persistent");
    }

    @Test
    void malformedDataIsRefusedWithoutEchoingIt() {
        assertThatThrownBy(() -> PROOFS.verifiedMember("n1", bytes("ds2\na\nnot-a-number\nv\n1\np"), ephemeral(SESSION, 1)))
                .hasMessageContaining("start time is not a number");
        assertThatThrownBy(() -> PROOFS.verifiedMember("n1", bytes("ds2\na\n1\nv\nzz\np"), ephemeral(SESSION, 1)))
                .hasMessageContaining("session is not a hexadecimal number");
        assertThatThrownBy(() -> PROOFS.verifiedMember("n1", new byte[5000], ephemeral(SESSION, 1)))
                .hasMessageContaining("too long");
        assertThatThrownBy(() -> PROOFS.verifiedMember("n1", bytes("ds2\na\n" + "\u0007".repeat(100) + "\nv\n1\np"),
                ephemeral(SESSION, 1))).message().doesNotContain("\u0007").hasSizeLessThan(200);
    }
}
