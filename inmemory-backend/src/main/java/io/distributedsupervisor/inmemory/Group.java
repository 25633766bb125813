package io.distributedsupervisor.inmemory;

import io.distributedsupervisor.spi.BackendException;
import io.distributedsupervisor.spi.Member;
import io.distributedsupervisor.spi.MessageHandler;
import io.distributedsupervisor.spi.Owner;
import io.distributedsupervisor.spi.SessionListener;
import io.distributedsupervisor.spi.SpecRecord;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The store of one supervisor name: members, specs and owners, plus the open sessions (the
 * transport's routing table and the receivers of events).
 */
final class Group {
    final InMemoryCluster cluster;
    final String name;
    final ConcurrentHashMap<String, SpecRecord> specs = new ConcurrentHashMap<>();
    final ConcurrentHashMap<String, Owner> owners = new ConcurrentHashMap<>();
    /** Open sessions by node name, members or not: a node that left is still reachable until it closes. */
    final ConcurrentHashMap<String, InMemorySession> sessions = new ConcurrentHashMap<>();

    /** Guards membership changes; reads go to the immutable {@link #members} snapshot instead. */
    private final Object membershipLock = new Object();
    private volatile Map<String, Member> members = Map.of();

    Group(InMemoryCluster cluster, String name) {
        this.cluster = cluster;
        this.name = name;
    }

    Map<String, Member> members() {
        return members;
    }

    InMemorySession join(String node, SessionListener listener, MessageHandler handler) {
        InMemorySession session;
        synchronized (membershipLock) {
            InMemorySession existing = sessions.get(node);
            if (existing != null) {
                if (members.containsKey(node)) {
                    throw new BackendException("node " + node + " is already a live member of supervisor " + name);
                }
                throw new BackendException("node " + node + " has left supervisor " + name
                        + " but its session " + existing.sessionId() + " is still open; close it before joining again");
            }
            session = new InMemorySession(this, node, cluster.nextSessionId(), listener, handler);
            cluster.track(session);
            sessions.put(node, session);
            Member member = new Member(node, "inmemory://" + cluster.name() + "/" + name + "/" + node + "#"
                    + session.sessionId(), System.currentTimeMillis(), InMemoryCluster.VERSION);
            setMembers(node, member);
        }
        broadcast(SessionListener::onMembersChanged);
        return session;
    }

    /** Removes the node's member entry if {@code session} is the one that holds it; true if it did. */
    boolean removeMember(InMemorySession session) {
        synchronized (membershipLock) {
            if (sessions.get(session.node()) != session || !members.containsKey(session.node())) {
                return false;
            }
            setMembers(session.node(), null);
        }
        broadcast(SessionListener::onMembersChanged);
        return true;
    }

    /** Takes a session out of the routing table and off the event receivers; its member entry goes too. */
    void removeSession(InMemorySession session) {
        boolean wasMember;
        synchronized (membershipLock) {
            if (!sessions.remove(session.node(), session)) {
                return;
            }
            wasMember = members.containsKey(session.node());
            if (wasMember) {
                setMembers(session.node(), null);
            }
        }
        if (wasMember) {
            broadcast(SessionListener::onMembersChanged);
        }
    }

    /** Copy on write: membership changes are rare, reads (ring computation) are frequent. */
    private void setMembers(String node, Member member) {
        Map<String, Member> next = new HashMap<>(members);
        if (member == null) {
            next.remove(node);
        } else {
            next.put(node, member);
        }
        members = Map.copyOf(next);
    }

    /**
     * Removes every owner entry of {@code sessionId} and tells the open sessions. Removes by
     * session id under the key's lock, so an entry that the owner replaced meanwhile
     * (updateOwner) goes as well.
     */
    void removeOwnersOf(long sessionId) {
        for (Map.Entry<String, Owner> e : owners.entrySet()) {
            if (e.getValue().session() == sessionId) {
                removeOwnerIfSession(e.getKey(), sessionId);
            }
        }
    }

    /** Removes the key's owner entry if {@code sessionId} holds it and tells the open sessions; the removed entry or null. */
    Owner removeOwnerIfSession(String key, long sessionId) {
        Owner[] removed = new Owner[1];
        owners.computeIfPresent(key, (k, v) -> {
            if (v.session() != sessionId) {
                return v;
            }
            removed[0] = v;
            return null;
        });
        if (removed[0] != null) {
            ownerRemoved(key, removed[0]);
        }
        return removed[0];
    }

    void ownerRemoved(String key, Owner previous) {
        broadcast(l -> l.onOwnerRemoved(key, previous));
    }

    void specRemoved(String key) {
        broadcast(l -> l.onSpecRemoved(key));
    }

    /** Queues an event for every open session of the group, the writer's own included. */
    void broadcast(Consumer<SessionListener> event) {
        for (InMemorySession s : sessions.values()) {
            s.post(event);
        }
    }
}
