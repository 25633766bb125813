package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.spi.Member;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongPredicate;

/**
 * The members a {@link SupervisorView} believes: only those whose znodes {@link MemberProofs}
 * verified, with the session that holds each; and the verified members that have left, whose
 * addresses stay known so that replies to calls in flight during a hand-over can still be had.
 * Written on ZooKeeper's event thread (and by the session's own {@code leave}); read from any.
 */
final class TrustedMembers {
    /** A verified member: what it says, the session holding its znode, and the znode's creation zxid. */
    record Verified(Member member, long session, long czxid) {
    }

    /** A verified member that left: its last address and session. */
    private record Departed(String address, long session) {
    }

    private final ConcurrentHashMap<String, Member> members = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Verified> verified = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Departed> departed = new ConcurrentHashMap<>();

    /** The live verified members, by name: a read-only view. */
    Map<String, Member> members() {
        return Collections.unmodifiableMap(members);
    }

    boolean isLive(String node) {
        return members.containsKey(node);
    }

    /** The live verified member of that name, or null. */
    Verified get(String node) {
        return verified.get(node);
    }

    /** The verified session of the live member {@code node}, or null. */
    Long session(String node) {
        Verified v = verified.get(node);
        return v == null ? null : v.session();
    }

    /** Puts a member just verified; returns whether what the view shows changed. */
    boolean put(String node, Member member, long session, long czxid) {
        verified.put(node, new Verified(member, session, czxid));
        departed.remove(node);
        return !member.equals(members.put(node, member));
    }

    /** The member's znode went: it is no live member, and its address is kept for replies. Returns whether it was one. */
    boolean remove(String node) {
        Verified gone = verified.remove(node);
        members.remove(node);
        if (gone == null) {
            return false;
        }
        departed.put(node, new Departed(gone.member().address(), gone.session()));
        return true;
    }

    /** Where to reach {@code node}: its verified address, live or last known; null if it was never verified. */
    String addressOf(String node) {
        Member m = members.get(node);
        if (m != null) {
            return m.address();
        }
        Departed d = departed.get(node);
        return d == null ? null : d.address();
    }

    /**
     * The verified address of {@code node} if it is a live verified member, or one that has left
     * and whose session still holds entries ({@code holdsEntries} answers for a session): the
     * node a transport peer may be.
     */
    Optional<String> verifiedMember(String node, LongPredicate holdsEntries) {
        Member m = members.get(node);
        if (m != null) {
            return Optional.of(m.address());
        }
        Departed d = departed.get(node);
        return d != null && holdsEntries.test(d.session()) ? Optional.of(d.address()) : Optional.empty();
    }
}
