package io.distributedsupervisor.admin.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.Health;
import io.distributedsupervisor.Pid;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What {@code /api/status} and {@code /api/health} answer, read through the public API of the
 * page's supervisors only: local reads, no network. Supervisors of one name are one cluster, seen
 * from the first of this JVM's nodes that is running.
 */
final class StatusReport {
    /** Keys sampled to tell each node's share of the ring. */
    static final int RING_SAMPLES = 4096;
    /** At most this many ids are listed per kind of misplaced child; the count is always whole. */
    static final int LISTED_IDS = 50;

    private final List<DistributedSupervisor> supervisors;
    /** The ring's shares, by the ring's nodes they were sampled for (the page's ticker is the only caller). */
    private final Map<String, Map<List<String>, Map<String, Double>>> shares = new LinkedHashMap<>();

    StatusReport(List<DistributedSupervisor> supervisors) {
        this.supervisors = List.copyOf(supervisors);
    }

    /** Every served node's health, and whether they are all ready. */
    synchronized ObjectNode health() {
        ObjectNode root = EventJournal.JSON.createObjectNode();
        root.put("at", Instant.now().toString());
        ArrayNode nodes = root.putArray("nodes");
        boolean ready = true;
        for (DistributedSupervisor s : supervisors) {
            Health h = s.health();
            ready &= h.ready();
            nodes.add(health(h));
        }
        root.put("ready", ready);
        return root;
    }

    static ObjectNode health(Health h) {
        ObjectNode o = EventJournal.JSON.createObjectNode();
        o.put("supervisor", h.supervisor()).put("node", h.node()).put("ready", h.ready())
                .put("connection", h.connection().name()).put("sessionId", Long.toHexString(h.sessionId()))
                .put("leaseHeld", h.leaseHeld());
        if (h.leaseRemaining().isPresent()) {
            o.put("leaseRemainingMillis", h.leaseRemaining().get().toMillis());
        } else {
            o.putNull("leaseRemainingMillis");
        }
        o.put("reconciling", h.reconciling()).put("failoverInProgress", h.failoverInProgress());
        if (h.lastFailover().isPresent()) {
            Health.Failover f = h.lastFailover().get();
            ObjectNode last = o.putObject("lastFailover");
            last.put("startedAt", f.startedAt().toString()).put("children", f.children()).put("tookMillis", f.took().toMillis());
            ArrayNode lost = last.putArray("lostNodes");
            f.lostNodes().forEach(lost::add);
        } else {
            o.putNull("lastFailover");
        }
        ArrayNode members = o.putArray("members");
        for (Health.Member m : h.members()) {
            members.addObject().put("node", m.node()).put("address", m.address()).put("joinedAt", m.joinedAt().toString());
        }
        o.put("at", h.at().toString());
        return o;
    }

    synchronized ObjectNode status() {
        ObjectNode root = EventJournal.JSON.createObjectNode();
        root.put("at", Instant.now().toString());
        ArrayNode out = root.putArray("supervisors");
        Map<String, List<DistributedSupervisor>> byName = new LinkedHashMap<>();
        for (DistributedSupervisor s : supervisors) {
            byName.computeIfAbsent(s.name(), k -> new ArrayList<>()).add(s);
        }
        byName.forEach((name, local) -> out.add(cluster(name, local)));
        return root;
    }

    private ObjectNode cluster(String name, List<DistributedSupervisor> local) {
        ObjectNode o = EventJournal.JSON.createObjectNode();
        o.put("name", name);
        ArrayNode healths = o.putArray("localNodes");
        DistributedSupervisor view = null;
        Health viewHealth = null;
        for (DistributedSupervisor s : local) {
            Health h = s.health();
            healths.add(health(h));
            if (h.connection() != Health.Connection.CLOSED && (viewHealth == null || h.ready() && !viewHealth.ready())) {
                view = s;
                viewHealth = h;
            }
        }
        if (view == null) {
            o.putNull("viewedFrom");
            o.put("running", false);
            return o;
        }
        o.put("viewedFrom", view.node()).put("running", true);
        try {
            clusterView(o, view, viewHealth);
        } catch (RuntimeException e) {
            // Closed between the health read and now: the next tick shows it.
            o.put("error", e.toString());
        }
        return o;
    }

    private void clusterView(ObjectNode o, DistributedSupervisor view, Health health) {
        List<String> ring = view.nodes();
        Map<Object, Pid> children = view.children();
        Map<String, String> addresses = new TreeMap<>();
        for (Health.Member m : health.members()) {
            addresses.put(m.node(), m.address());
        }
        TreeSet<String> names = new TreeSet<>(ring);
        names.addAll(addresses.keySet());
        Map<String, Integer> running = new TreeMap<>();
        Map<String, Integer> expected = new TreeMap<>();
        List<String> orphans = new ArrayList<>();
        List<String> offRing = new ArrayList<>();
        int orphanCount = 0;
        int offRingCount = 0;
        for (Map.Entry<Object, Pid> e : children.entrySet()) {
            String node = e.getValue().node();
            names.add(node);
            running.merge(node, 1, Integer::sum);
            String ringNode = ring.isEmpty() ? null : view.nodeFor(e.getKey());
            if (ringNode != null) {
                expected.merge(ringNode, 1, Integer::sum);
            }
            if (!addresses.containsKey(node)) {
                if (orphanCount++ < LISTED_IDS) {
                    orphans.add(String.valueOf(e.getKey()));
                }
            } else if (ringNode != null && !ringNode.equals(node)) {
                if (offRingCount++ < LISTED_IDS) {
                    offRing.add(String.valueOf(e.getKey()));
                }
            }
        }
        Map<String, Double> share = share(view, ring);
        o.put("children", children.size());
        ArrayNode ringOut = o.putArray("ring");
        ring.forEach(ringOut::add);
        ArrayNode nodes = o.putArray("nodes");
        for (String n : names) {
            ObjectNode row = nodes.addObject();
            row.put("node", n);
            if (addresses.containsKey(n)) {
                row.put("address", addresses.get(n));
            } else {
                row.putNull("address");
            }
            row.put("member", addresses.containsKey(n)).put("inRing", ring.contains(n))
                    .put("share", share.getOrDefault(n, 0.0)).put("children", running.getOrDefault(n, 0))
                    .put("ringChildren", expected.getOrDefault(n, 0))
                    .put("local", supervisors.stream().anyMatch(s -> s.name().equals(view.name()) && s.node().equals(n)));
        }
        ObjectNode orphanOut = o.putObject("orphans");
        orphanOut.put("count", orphanCount).put("about", "children whose owner entry names a node that is not a live "
                + "member: their node is gone and a survivor has not taken them over yet");
        ArrayNode ids = orphanOut.putArray("ids");
        orphans.forEach(ids::add);
        ObjectNode offRingOut = o.putObject("offRing");
        offRingOut.put("count", offRingCount).put("about", "children running on a live node other than the one the "
                + "ring names: started on or moved to an explicit node, or waiting for a rebalance");
        ArrayNode offIds = offRingOut.putArray("ids");
        offRing.forEach(offIds::add);
    }

    /** Each node's share of the ring: the fraction of {@link #RING_SAMPLES} sample keys it owns; sampled once per ring. */
    private Map<String, Double> share(DistributedSupervisor view, List<String> ring) {
        if (ring.isEmpty()) {
            return Map.of();
        }
        Map<List<String>, Map<String, Double>> byRing = shares.computeIfAbsent(view.name(), k -> new LinkedHashMap<>());
        Map<String, Double> known = byRing.get(ring);
        if (known != null) {
            return known;
        }
        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < RING_SAMPLES; i++) {
            counts.merge(view.nodeFor("ring-sample-" + i), 1, Integer::sum);
        }
        Map<String, Double> result = new TreeMap<>();
        counts.forEach((n, c) -> result.put(n, c / (double) RING_SAMPLES));
        if (byRing.size() > 16) {
            byRing.clear();
        }
        byRing.put(List.copyOf(ring), result);
        return result;
    }
}
