package io.distributedsupervisor.internal;

import io.distributedsupervisor.ExitReason;
import io.distributedsupervisor.spi.NodeSession;
import io.distributedsupervisor.spi.Owner;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells what a change of membership means, for the {@link FailoverCoordinator}: which nodes came
 * up, which went down without a goodbye (a failover), and which children were lost with them for
 * want of a stored spec. Every set of members a ring refresh reads is observed, from whichever
 * thread refreshed, and the coordinator's pass takes the changes in order ({@link #drain}); so a
 * node that joined and died between two passes is still reported. Node up and down events fire
 * on exactly one node, the one the ring gives the node's name to.
 */
final class MembershipWatch {
    private static final Logger LOG = LoggerFactory.getLogger(MembershipWatch.class);

    /** An owner entry gone, and when this node heard of it. */
    record Removed(String key, Owner previous, long at) {
    }

    /** What the membership changes since the last pass brought: nodes that joined, nodes lost without a goodbye. */
    record Change(Set<String> ups, List<String> lost) {
    }

    private record Step(String node, boolean up) {
    }

    private final NodeContext ctx;
    private final Set<String> terminating = ConcurrentHashMap.newKeySet();
    // Guarded by this: every ring refresh is observed (from whichever thread refreshes), so that a
    // node that joined and died between two passes is still seen to have died.
    private Set<String> known = Set.of();
    private final List<Step> steps = new ArrayList<>();
    /** Entries released by a node still live (or whose death is not seen yet), until its membership tells which. Pass only. */
    private final Map<String, List<Removed>> removedByLiveNode = new HashMap<>();

    MembershipWatch(NodeContext ctx) {
        this.ctx = ctx;
    }

    /**
     * The members known now, with no change to report; {@code exceptSelf}: this node's own
     * joining is still to be reported (an up like any other, when the ring gives its name to itself).
     */
    synchronized void reset(Set<String> members, boolean exceptSelf) {
        Set<String> base = new HashSet<>(members);
        if (exceptSelf) {
            base.remove(ctx.node);
        }
        known = Set.copyOf(base);
        steps.clear();
    }

    /** A ring refresh read these members (called under the ring's lock, so in the order they were read). */
    synchronized void observe(Set<String> members) {
        for (String m : members) {
            if (!known.contains(m)) {
                steps.add(new Step(m, true));
            }
        }
        for (String m : known) {
            if (!members.contains(m)) {
                steps.add(new Step(m, false));
            }
        }
        known = Set.copyOf(members);
    }

    /** The node said goodbye: its leaving is no node-down. Kept until it joins again. */
    void nodeTerminating(String node) {
        terminating.add(node);
    }

    /** Whether {@code node} said goodbye and has not joined again since: it is leaving on purpose (a drain, a close). */
    boolean saidGoodbye(String node) {
        return terminating.contains(node);
    }

    /** Reports what changed since the last pass, in order: node events, children lost with a node. On the pass. */
    Change drain() {
        List<Step> taken;
        synchronized (this) {
            taken = List.copyOf(steps);
            steps.clear();
        }
        if (!ctx.lifecycle.isRunning()) {
            return new Change(Set.of(), List.of());
        }
        HashRing ring = ctx.ring.current();
        boolean monitor = ctx.options.monitorNodes();
        Set<String> ups = new HashSet<>();
        List<String> lost = new ArrayList<>();
        for (Step step : taken) {
            String n = step.node();
            if (step.up()) {
                terminating.remove(n);
                ups.add(n);
                if (monitor && ring.contains(n) && ownsNodeName(ring, n)) {
                    ctx.events.nodeUp(n, Map.of("nodes", ring.nodes()));
                }
                continue;
            }
            // This node's own leaving (a graceful close that has left the members already) is no node-down.
            if (n.equals(ctx.node)) {
                continue;
            }
            ups.remove(n);
            if (!terminating.contains(n)) {
                lost.add(n);
                if (monitor && ownsNodeName(ring, n)) {
                    ctx.events.nodeDown(n, Map.of("nodes", ring.nodes(), "reason", "session ended"));
                }
            }
            List<Removed> released = removedByLiveNode.remove(n);
            if (released != null) {
                released.forEach(this::reportIfLost);
            }
        }
        return new Change(ups, lost);
    }

    /**
     * An owner entry without a stored spec went away: a release by a live node (terminate,
     * give-up), or a child lost with its node. Reported as lost once its node's death is seen.
     */
    void ownerRemovedWithoutSpec(Removed r) {
        String owner = r.previous().node();
        if (owner.equals(ctx.node)) {
            return;
        }
        // The member map may already lack a dead node whose membership change this thread has
        // not handled yet (the ring still has it, and would name the wrong reporter): wait for it.
        if (ctx.session().members().containsKey(owner) || ctx.ring.current().contains(owner)) {
            removedByLiveNode.computeIfAbsent(owner, k -> new ArrayList<>()).add(r);
        } else {
            reportIfLost(r);
        }
    }

    /** Forgets releases by live nodes older than {@code maxAgeNanos}: they were no deaths. */
    void expire(long now, long maxAgeNanos) {
        removedByLiveNode.values().forEach(list -> list.removeIf(r -> now - r.at() > maxAgeNanos));
        removedByLiveNode.values().removeIf(List::isEmpty);
    }

    /** A child of a dead node without a stored spec is gone; said once, on the ring owner of that node. */
    private void reportIfLost(Removed r) {
        HashRing ring = ctx.ring.current();
        String dead = r.previous().node();
        NodeSession s = ctx.session();
        if (terminating.contains(dead) || !ownsNodeName(ring, dead) || s.hasSpec(r.key())) {
            return;
        }
        Object id = ChildKey.decodeOrNull(r.key());
        if (id == null) {
            return;
        }
        LOG.warn("child {} of supervisor {} was lost with node {}: no spec was stored (cacheChildren=false or "
                + "TEMPORARY), so it is not started again", id, ctx.name, dead);
        ctx.events.processStop(id, ctx.pidOf(id, r.previous()), ExitReason.nodeDown(dead));
    }

    /** Whether the ring gives this node the name of {@code other}, hashed as {@code nodeFor(other)} hashes it. */
    private boolean ownsNodeName(HashRing ring, String other) {
        return !ring.isEmpty() && ring.nodeFor(ChildKey.encode(other)).equals(ctx.node);
    }
}
