package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.spi.Member;
import io.distributedsupervisor.spi.SessionListener;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.apache.zookeeper.Watcher.Event;
import org.apache.zookeeper.data.Stat;

/**
 * How a {@link SupervisorView} keeps its {@link TrustedMembers}: a member znode that appears is
 * read and counts only if {@link MemberProofs} verifies it; a leaving marker takes a member out of
 * the live ones while it stays verified; a member znode that goes takes the member with it and,
 * if its session still holds owner entries, has that session succeeded ({@link SuccessionZnodes}).
 * This node's own member znode deleted by someone else, while it has not left, is told to the
 * session, which joins again.
 *
 * <p>Events and the answers of reads are applied on ZooKeeper's event thread; {@link #left} runs
 * on the leaving caller's.
 */
final class MemberEvents {
    private final TrustedMembers members;
    private final ViewLoader loader;
    /** The supervisor's paths as the raw handle spells them. */
    private final ZnodeLayout paths;
    private final String node;
    private final long sessionId;
    private final MemberProofs proofs;
    private final UntrustedEntries untrusted;
    private final SessionListener listener;
    private final BooleanSupplier closed;
    private final SuccessionZnodes successions;
    /** Told when this node's own member znode is deleted by someone else (not after {@link #left()}). */
    private final Runnable ownMemberDeleted;
    private volatile boolean leaving;

    MemberEvents(TrustedMembers members, ViewLoader loader, ZnodeLayout paths, String node, long sessionId,
                 SupervisorView.Trust trust, SessionListener listener, BooleanSupplier closed,
                 SuccessionZnodes successions) {
        this.members = members;
        this.loader = loader;
        this.paths = paths;
        this.node = node;
        this.sessionId = sessionId;
        this.proofs = trust.proofs();
        this.untrusted = trust.untrusted();
        this.ownMemberDeleted = trust.ownMemberDeleted();
        this.listener = listener;
        this.closed = closed;
        this.successions = successions;
    }

    /** This node is leaving the members on purpose: no live member any more, and its member znode's deletion is no attack. */
    void left() {
        leaving = true;
        members.markLeaving(node, sessionId);
    }

    /** Whether this node has left the members (it claims nothing more). */
    boolean leaving() {
        return leaving;
    }

    /** An event on {@code members/<name>}; a data change is a claim's touch, read only if the member is not verified yet. */
    void onMemberEvent(Event.EventType type, String name) {
        switch (type) {
            case NodeCreated -> loader.readOne(paths.member(name), name, this::applyMember);
            case NodeDataChanged -> {
                if (!members.isVerified(name)) {
                    loader.readOne(paths.member(name), name, this::applyMember);
                }
            }
            case NodeDeleted -> {
                untrusted.forget(paths.member(name));
                memberDeleted(name);
            }
            default -> {
            }
        }
    }

    /** An event on {@code leaving/<name>}. */
    void onLeavingEvent(Event.EventType type, String name) {
        switch (type) {
            case NodeCreated -> loader.readOne(paths.leaving(name), name, this::applyLeaving);
            case NodeDeleted -> {
                untrusted.forget(paths.leaving(name));
                members.unmarkLeaving(name);
            }
            default -> {
            }
        }
    }

    /** Lists and reads {@code members/} and {@code leaving/} again, applying the difference. */
    CompletableFuture<Void> reload() {
        return CompletableFuture.allOf(loader.loadMembers(members, this::memberDeleted, this::applyMember),
                loader.loadAll(paths.leaving(), paths::leaving, ViewLoader.ENTRY_READ_BATCH, this::applyLeaving));
    }

    /**
     * A member znode is gone; this node's own, while it has not left, was deleted by someone else.
     * If that member's session still holds owner entries, it has ended without releasing them:
     * they need a succession.
     */
    private void memberDeleted(String name) {
        TrustedMembers.Verified was = members.get(name);
        memberGone(name);
        if (name.equals(node) && !leaving && !closed.getAsBoolean()) {
            ownMemberDeleted.run();
        }
        if (was != null && !closed.getAsBoolean()) {
            successions.memberGone(name, was.session());
        }
    }

    private void applyLeaving(String name, byte[] data, Stat stat) {
        long session;
        try {
            session = proofs.verifiedLeaving(name, data, stat);
        } catch (IllegalArgumentException e) {
            untrusted.report(paths.leaving(name), stat.getCzxid(), e.getMessage());
            return;
        }
        if (members.markLeaving(name, session)) {
            membersChanged();
        }
    }

    private void memberGone(String name) {
        if (members.remove(name)) {
            membersChanged();
        }
    }

    private void applyMember(String name, byte[] data, Stat stat) {
        Member m;
        try {
            m = proofs.verifiedMember(name, data, stat);
        } catch (IllegalArgumentException e) {
            untrusted.report(paths.member(name), stat.getCzxid(), e.getMessage());
            TrustedMembers.Verified known = members.get(name);
            // The znode of a member this view verified, whose data someone changed since (only
            // possible with open ACLs): its session still holds it, so the member stays. Any
            // other znode under that name means the verified one is gone.
            if (known != null && (known.czxid() != stat.getCzxid() || known.session() != stat.getEphemeralOwner())) {
                memberGone(name);
            }
            return;
        }
        if (members.put(name, m, stat.getEphemeralOwner(), stat.getCzxid())) {
            membersChanged();
        }
    }

    private void membersChanged() {
        if (!closed.getAsBoolean()) {
            listener.onMembersChanged();
        }
    }
}
