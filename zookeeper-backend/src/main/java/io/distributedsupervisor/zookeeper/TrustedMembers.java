package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.spi.Member;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongPredicate;

/**
 * The members a {@link SupervisorView} believes: only those whose znodes {@link MemberProofs}
 * verified, with the session that holds each. A verified member that marked itself leaving is no
 * live member (the ring leaves it out) but stays verified until its znode goes with its session.
 * The verified members that have gone stay known by address, so that replies to calls in flight
 * during a hand-over can still be had.
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
    /** The sessions of the members that marked themselves leaving, by name (a marker may come before its member is read). */
    private final ConcurrentHashMap<String, Long> leaving = new ConcurrentHashMap<>();

    /** The live verified members, by name: a read-only view. */
    Map<String, Member> members() {
        return Collections.unmodifiableMap(members);
    }

    /** Whether {@code node} is a verified member, live or leaving. */
    boolean isVerified(String node) {
        return verified.containsKey(node);
    }

    /** The verified member of that name (live or leaving), or null. */
    Verified get(String node) {
        return verified.get(node);
    }

    /** The verified session of the member {@code node} (live or leaving), or null. */
    Long session(String node) {
        Verified v = verified.get(node);
        return v == null ? null : v.session();
    }

    /** Puts a member just verified; returns whether what the view shows changed. A leaving member is no live one. */
    boolean put(String node, Member member, long session, long czxid) {
        verified.put(node, new Verified(member, session, czxid));
        departed.remove(node);
        Long going = leaving.get(node);
        if (going != null && going == session) {
            return members.remove(node) != null;
        }
        return !member.equals(members.put(node, member));
    }

    /**
     * The member of {@code session} named {@code node} is leaving: it is no live member any more
     * (no new children go to it) but stays verified, for its claims and its transport, until its
     * znode goes with its session. Returns whether what the view shows changed.
     */
    boolean markLeaving(String node, long session) {
        leaving.put(node, session);
        Verified v = verified.get(node);
        return v != null && v.session() == session && members.remove(node) != null;
    }

    /** The leaving marker of {@code node} went (with its session, or deleted by hand). */
    void unmarkLeaving(String node) {
        leaving.remove(node);
    }

    /** The sessions of the verified members, leaving ones included: sessions that have not ended. */
    java.util.Set<Long> sessions() {
        java.util.Set<Long> sessions = new java.util.HashSet<>();
        verified.values().forEach(v -> sessions.add(v.session()));
        return sessions;
    }

    /** The live members that are not leaving, with their sessions: the heirs of a succession written now. */
    java.util.List<ZnodeData.Heir> heirs() {
        java.util.List<ZnodeData.Heir> heirs = new java.util.ArrayList<>();
        verified.forEach((node, v) -> {
            if (members.containsKey(node)) {
                heirs.add(new ZnodeData.Heir(node, v.session()));
            }
        });
        heirs.sort(java.util.Comparator.comparing(ZnodeData.Heir::node));
        return heirs;
    }

    /** The member's znode went: it is no live member, and its address is kept for replies. Returns whether it was one. */
    boolean remove(String node) {
        leaving.remove(node);
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
        Verified v = verified.get(node);
        if (v != null) {
            return v.member().address();
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
        Verified v = verified.get(node);
        if (v != null) {
            return Optional.of(v.member().address()); // live, or leaving
        }
        Departed d = departed.get(node);
        return d != null && holdsEntries.test(d.session()) ? Optional.of(d.address()) : Optional.empty();
    }
}
