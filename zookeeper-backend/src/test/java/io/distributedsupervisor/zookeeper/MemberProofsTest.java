package io.distributedsupervisor.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distributedsupervisor.spi.Member;
import io.distributedsupervisor.spi.Owner;
import java.nio.charset.StandardCharsets;
import java.util.List;
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
        assertThatThrownBy(() -> PROOFS.verifiedOwner("k", bytes("ds2\nn1\n0\nproof"), ephemeral(0, 7)))
                .as("an owner entry of the layout before successions").hasMessageContaining("format ds2")
                .hasMessageContaining("buckets-1024").hasMessageContaining("must run one version");
        assertThatThrownBy(() -> ZnodeData.specNode("k", bytes("ds1\n\nxyz"))).hasMessageContaining("format ds1");
    }

    @Test
    void anOwnerEntryVerifiesOnlyForItsKeyWithTheSessionAndEpochItNames() {
        byte[] data = PROOFS.ownerData("k", "n1", 3, SESSION, 0);
        assertThat(PROOFS.verifiedOwner("k", data, ephemeral(0, 99))).as("a claim's epoch is its czxid")
                .isEqualTo(new Owner("n1", 99, 3, SESSION));
        byte[] inherited = PROOFS.ownerData("k", "n1", 0, SESSION, 77);
        assertThat(PROOFS.verifiedOwner("k", inherited, ephemeral(0, 99))).as("an entry taken over keeps its epoch")
                .isEqualTo(new Owner("n1", 77, 0, SESSION));
        assertThatThrownBy(() -> PROOFS.verifiedOwner("other", data, ephemeral(0, 99)))
                .hasMessageContaining("does not match");
        assertThatThrownBy(() -> PROOFS.verifiedOwner("k", data, ephemeral(SESSION, 99)))
                .as("entries outlive their sessions").hasMessageContaining("ephemeral");
        for (String[] change : new String[][] {{"\n3\n", "\n4\n"}, {"\n-\n", "\n5\n"},
                {"\n" + java.util.HexFormat.of().toHexDigits(SESSION) + "\n", "\n" + java.util.HexFormat.of().toHexDigits(SESSION + 1) + "\n"}}) {
            byte[] changed = bytes(text(data).replaceFirst(change[0], change[1]));
            assertThatThrownBy(() -> PROOFS.verifiedOwner("k", changed, ephemeral(0, 99))).as(change[1])
                    .hasMessageContaining("does not match");
        }
        // Neither proof passes for the other, though both are under one key.
        byte[] member = PROOFS.memberData("n1", "a", 1, "v", SESSION);
        String memberProof = text(member).substring(text(member).lastIndexOf('\n') + 1);
        byte[] forged = bytes(ZnodeData.ownerBody("n1", 3, SESSION, 0) + "\n" + memberProof);
        assertThatThrownBy(() -> PROOFS.verifiedOwner("k", forged, ephemeral(0, 99)))
                .hasMessageContaining("does not match");
    }

    @Test
    void aSuccessionVerifiesUnderItsSessionsNameOnly() {
        List<ZnodeData.Heir> heirs = List.of(new ZnodeData.Heir("n2", SESSION + 1), new ZnodeData.Heir("n3", SESSION + 2));
        byte[] data = PROOFS.successionData("n1", SESSION, heirs);
        String name = ZnodeLayout.sessionName(SESSION);
        ZnodeData.SuccessionFields f = PROOFS.verifiedSuccession(name, data, ephemeral(0, 5));
        assertThat(f.node()).isEqualTo("n1");
        assertThat(f.session()).isEqualTo(SESSION);
        assertThat(f.heirs()).isEqualTo(heirs);
        assertThatThrownBy(() -> PROOFS.verifiedSuccession(ZnodeLayout.sessionName(SESSION + 9), data, ephemeral(0, 5)))
                .hasMessageContaining("names session");
        byte[] otherHeirs = bytes(text(data).replace("n3 ", "n4 "));
        assertThatThrownBy(() -> PROOFS.verifiedSuccession(name, otherHeirs, ephemeral(0, 5)))
                .hasMessageContaining("does not match");
        assertThatThrownBy(() -> MemberProofs.of("another-secret-of-32-bytes-or-more!".getBytes(StandardCharsets.UTF_8),
                "ns/DS", "DS").verifiedSuccession(name, data, ephemeral(0, 5))).hasMessageContaining("does not match");
        assertThatThrownBy(() -> PROOFS.verifiedSuccession(name, bytes("ds3\nn1\n" + name + "\nproof"), ephemeral(0, 5)))
                .hasMessageContaining("no heirs");
    }

    @Test
    void aLeavingMarkerCountsOnlyHeldByTheSessionItNames() {
        byte[] data = PROOFS.leavingData("n1", SESSION);
        assertThat(PROOFS.verifiedLeaving("n1", data, ephemeral(SESSION, 3))).isEqualTo(SESSION);
        assertThatThrownBy(() -> PROOFS.verifiedLeaving("n1", data, ephemeral(SESSION + 1, 3)))
                .hasMessageContaining("held by session");
        assertThatThrownBy(() -> PROOFS.verifiedLeaving("n2", data, ephemeral(SESSION, 3)))
                .hasMessageContaining("does not match");
    }

    @Test
    void inOpenModeNothingIsVerified() {
        MemberProofs open = MemberProofs.none("DS");
        assertThat(open.verifies()).isFalse();
        byte[] signed = PROOFS.memberData("n1", "a", 1, "v", SESSION);
        assertThat(open.verifiedMember("ghost", signed, ephemeral(0, 1)).node()).isEqualTo("ghost");
        assertThat(open.verifiedOwner("k", bytes(ZnodeData.ownerBody("anyone", 0, 5, 0) + "\n-"), ephemeral(0, 1)).node())
                .isEqualTo("anyone");
        assertThatThrownBy(() -> open.verifiedOwner("k", bytes(ZnodeData.ownerBody("anyone", 0, 5, 0) + "\n-"),
                ephemeral(5, 1))).as("an owner entry is persistent all the same").hasMessageContaining("ephemeral");
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
