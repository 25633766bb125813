package io.distributedsupervisor.zookeeper;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import io.distributedsupervisor.spi.Member;
import io.distributedsupervisor.spi.Owner;
import io.distributedsupervisor.spi.Placement;
import io.distributedsupervisor.zookeeper.ClusterInspector.ChildInfo;
import io.distributedsupervisor.zookeeper.ClusterInspector.MemberInfo;
import io.distributedsupervisor.zookeeper.ClusterInspector.NodeShare;
import io.distributedsupervisor.zookeeper.ClusterInspector.SuccessionInfo;
import io.distributedsupervisor.zookeeper.ClusterInspector.SupervisorState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * Reads one supervisor's tree into the snapshot {@link ClusterInspector#read} answers: its layout
 * marker, members and their leaving markers, successions, and the specs and owner entries (read
 * in batches through {@link ZnodeReader}); each child is reported with the entry that stands for
 * it ({@link Successions#standing}), checked with the supervisor's {@link MemberProofs}.
 * Thread-safe.
 */
final class SupervisorStateReader {
    private static final CBORMapper CBOR = new CBORMapper();
    static final String NOT_CHECKED = "not checked: no cluster secret given";

    /** Whether a member counts as live: verified, or readable when nothing can be verified. */
    static boolean counts(MemberInfo m) {
        return m.verified() || NOT_CHECKED.equals(m.problem());
    }

    private final ZnodeReader reader;

    SupervisorStateReader(ZnodeReader reader) {
        this.reader = reader;
    }

    /** Reads {@code supervisor} (which exists, at {@code layout}), checking what it reads with {@code proofs}. */
    SupervisorState read(String supervisor, ZnodeLayout layout, MemberProofs proofs) {
        String marker = reader.readAll(List.of(layout.layoutMarker())).values().stream()
                .map(r -> new String(r.data(), java.nio.charset.StandardCharsets.UTF_8)).findFirst().orElse("none");

        List<MemberInfo> members = new ArrayList<>();
        Map<String, ZnodeReader.Read> memberReads = reader.readAll(reader.children(layout.members()).stream()
                .map(layout::member).toList());
        Map<String, ZnodeReader.Read> leavingReads = reader.readAll(reader.children(layout.leaving()).stream()
                .map(layout::leaving).toList());
        for (Map.Entry<String, ZnodeReader.Read> e : new TreeMap<>(memberReads).entrySet()) {
            String node = e.getKey().substring(e.getKey().lastIndexOf('/') + 1);
            members.add(member(proofs, node, e.getValue(), leavingReads.get(layout.leaving(node))));
        }
        // Leaving members too: they hold their claims until their session ends or they close.
        Map<String, Long> memberSessions = new TreeMap<>();
        Set<String> live = new TreeSet<>();
        for (MemberInfo m : members) {
            if (counts(m)) {
                memberSessions.put(m.node(), m.session());
                if (!m.leaving()) {
                    live.add(m.node());
                }
            }
        }
        UnaryOperator<String> ring = live.isEmpty() ? null : Placement.ring(live);
        Successions successions = new Successions();
        List<SuccessionInfo> successionInfos = successions(layout, proofs, successions);

        Map<String, String> specPaths = reader.entries(layout, true);
        Map<String, String> ownerPaths = reader.entries(layout, false);
        Map<String, ZnodeReader.Read> specs = ZnodeReader.byKey(specPaths,
                reader.readAll(List.copyOf(specPaths.values())));
        Map<String, ZnodeReader.Read> owners = ZnodeReader.byKey(ownerPaths,
                reader.readAll(List.copyOf(ownerPaths.values())));
        Map<String, ZnodeReader.Read> payloads = payloads(layout, specs);

        TreeSet<String> keys = new TreeSet<>(specs.keySet());
        keys.addAll(owners.keySet());
        List<ChildInfo> children = new ArrayList<>(keys.size());
        for (String key : keys) {
            ZnodeReader.Read spec = specs.get(key);
            ZnodeReader.Read own = owners.get(key);
            Owner raw = own == null ? null : entry(proofs, key, own);
            Owner o = raw == null ? null : successions.standing(key, raw, specs::containsKey);
            if (spec == null && raw != null && o == null) {
                // Inherited without a spec to start it from: no child any more (its heir deletes the entry).
                continue;
            }
            String explicit = null;
            String specClass = null;
            if (spec != null) {
                try {
                    explicit = ZnodeData.specNode(key, spec.data());
                    ZnodeReader.Read payload = payloads.get(key);
                    specClass = payload != null ? specClass(payload.data(), 0)
                            : specClass(spec.data(), ZnodeData.specPayloadOffset(key, spec.data()));
                } catch (IllegalArgumentException malformed) {
                    // Shown as stored, without class or node.
                }
            }
            String ownerNode = null;
            long epoch = 0;
            int restarts = 0;
            boolean ownerVerified = false;
            if (o != null) {
                ownerNode = o.node();
                epoch = o.epoch();
                restarts = o.restarts();
                ownerVerified = proofs.verifies() && Objects.equals(memberSessions.get(o.node()), o.session());
            }
            children.add(new ChildInfo(key, ClusterInspector.decode(key), spec != null, ownerNode, epoch, restarts, ownerVerified, explicit,
                    specClass, ring == null ? null : ring.apply(key)));
        }
        return new SupervisorState(supervisor, marker, members, children, shares(live, children), successionInfos);
    }

    /** The codec bytes of the specs kept apart from their znodes ({@link ZnodeLayout#specPayload}), by key. */
    private Map<String, ZnodeReader.Read> payloads(ZnodeLayout layout, Map<String, ZnodeReader.Read> specs) {
        Map<String, String> paths = new java.util.HashMap<>();
        specs.forEach((key, spec) -> {
            try {
                if (ZnodeData.specPayloadApart(key, spec.data())) {
                    paths.put(key, layout.specPayload(key));
                }
            } catch (IllegalArgumentException malformed) {
                // Shown as stored, without class or node.
            }
        });
        return paths.isEmpty() ? Map.of() : ZnodeReader.byKey(paths, reader.readAll(List.copyOf(paths.values())));
    }

    /** The entry that {@code owners/<key>} holds as written (session from its data), or null when it does not parse (or verify). */
    static Owner entry(MemberProofs proofs, String key, ZnodeReader.Read own) {
        try {
            return proofs.verifiedOwner(key, own.data(), own.stat());
        } catch (IllegalArgumentException untrusted) {
            // An owner entry that does not even parse names no node.
            return null;
        }
    }

    /**
     * Reads {@code successions/} into {@code registry}: each succession that counts (parsed, and
     * verified when a secret is given; one that does not is ignored, as the nodes ignore it).
     * Returns what it added, by session.
     */
    List<SuccessionInfo> successions(ZnodeLayout layout, MemberProofs proofs, Successions registry) {
        String folder = layout.successions();
        Map<String, ZnodeReader.Read> reads = reader.readAll(reader.children(folder).stream()
                .map(name -> folder + "/" + name).toList());
        List<SuccessionInfo> added = new ArrayList<>();
        for (Map.Entry<String, ZnodeReader.Read> e : new TreeMap<>(reads).entrySet()) {
            String name = e.getKey().substring(folder.length() + 1);
            ZnodeData.SuccessionFields f;
            try {
                f = proofs.verifiedSuccession(name, e.getValue().data(), e.getValue().stat());
            } catch (IllegalArgumentException untrusted) {
                continue;
            }
            long czxid = e.getValue().stat().getCzxid();
            if (registry.add(new Successions.Succession(f.session(), f.node(), czxid, f.heirs()))) {
                added.add(new SuccessionInfo(f.node(), f.session(), czxid,
                        f.heirs().stream().map(ZnodeData.Heir::node).toList()));
            }
        }
        return added;
    }

    private static List<NodeShare> shares(Set<String> live, List<ChildInfo> children) {
        Map<String, int[]> counts = new TreeMap<>();
        live.forEach(n -> counts.put(n, new int[2]));
        for (ChildInfo c : children) {
            if (c.owner() != null) {
                counts.computeIfAbsent(c.owner(), n -> new int[2])[0]++;
            }
            String placed = c.stored() ? c.placedOn(live) : null;
            if (placed != null) {
                counts.computeIfAbsent(placed, n -> new int[2])[1]++;
            }
        }
        List<NodeShare> shares = new ArrayList<>();
        counts.forEach((n, c) -> shares.add(new NodeShare(n, live.contains(n), c[0], c[1])));
        return shares;
    }

    private MemberInfo member(MemberProofs proofs, String node, ZnodeReader.Read read, ZnodeReader.Read leavingMarker) {
        ZnodeData.MemberFields f;
        try {
            f = ZnodeData.parseMember(node, read.data());
        } catch (IllegalArgumentException e) {
            return new MemberInfo(node, null, 0, "?", read.stat().getEphemeralOwner(), false, e.getMessage(), false);
        }
        String problem = null;
        if (!proofs.verifies()) {
            problem = NOT_CHECKED;
        } else {
            try {
                Member ignored = proofs.verifiedMember(node, read.data(), read.stat());
            } catch (IllegalArgumentException e) {
                problem = e.getMessage();
            }
        }
        return new MemberInfo(node, f.address(), f.startedAt(), f.version(), f.session(), problem == null, problem,
                leavingMarker != null && leaves(proofs, node, f.session(), leavingMarker));
    }

    /** Whether {@code leaving/<node>} says that the member of {@code session} is leaving, and is to be believed. */
    private static boolean leaves(MemberProofs proofs, String node, long session, ZnodeReader.Read marker) {
        try {
            return proofs.verifiedLeaving(node, marker.data(), marker.stat()) == session;
        } catch (IllegalArgumentException untrusted) {
            return false;
        }
    }

    /**
     * The child class a stored spec names: the spec is the map {@code type, arg, id, ...} through
     * the codec (see {@code WireFormat}); with the default CBOR codec the class is a text in
     * {@code type}, read here as plain CBOR, without loading anything. Null for another codec.
     */
    private static String specClass(byte[] data, int offset) {
        try {
            JsonNode tree = CBOR.readTree(data, offset, data.length - offset);
            JsonNode type = tree == null ? null : tree.findValue("type");
            return type == null ? null : firstText(type);
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    private static String firstText(JsonNode node) {
        if (node.isTextual()) {
            return node.textValue();
        }
        String last = null;
        for (JsonNode n : node) {
            String t = firstText(n);
            if (t != null) {
                last = t;
            }
        }
        return last;
    }
}
