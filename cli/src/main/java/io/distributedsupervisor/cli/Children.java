package io.distributedsupervisor.cli;

import io.distributedsupervisor.zookeeper.ClusterInspector.ChildInfo;
import io.distributedsupervisor.zookeeper.ClusterInspector.SupervisorState;
import io.distributedsupervisor.zookeeper.InspectionException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Children as the commands show them (a table row, a JSON object), and an id typed on the command line. */
final class Children {
    private Children() {
    }

    static final String[] HEADER = {"SUPERVISOR", "ID", "NODE", "INCARNATION", "RESTARTS", "PLACED"};

    static Object[] row(String supervisor, ChildInfo c) {
        return new Object[] {supervisor, c.id(), c.owner() == null ? "(orphan)" : c.owner(), c.incarnation(),
                c.owner() == null ? null : c.restarts(),
                c.explicitNode() != null ? "on " + c.explicitNode() : c.ringNode() == null ? null : "ring: " + c.ringNode()};
    }

    static Map<String, Object> json(String supervisor, ChildInfo c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("supervisor", supervisor);
        m.put("id", c.id());
        m.put("idType", c.id().getClass().getSimpleName());
        m.put("key", c.key());
        m.put("node", c.owner());
        m.put("incarnation", c.incarnation());
        m.put("epoch", c.owner() == null ? null : c.epoch());
        m.put("restarts", c.owner() == null ? null : c.restarts());
        m.put("ownerVerified", c.ownerVerified());
        m.put("stored", c.stored());
        m.put("explicitNode", c.explicitNode());
        m.put("ringNode", c.ringNode());
        m.put("specClass", c.specClass());
        return m;
    }

    /**
     * The children whose id may be {@code typed}: a String of that text, and, where it parses, the
     * Integer, Long or UUID it spells (ids of different types are different children).
     */
    static List<ChildInfo> matching(SupervisorState state, String typed) {
        List<Object> candidates = new ArrayList<>();
        candidates.add(typed);
        try {
            candidates.add(Integer.valueOf(typed));
        } catch (NumberFormatException e) {
            // Not an Integer id.
        }
        try {
            candidates.add(Long.valueOf(typed));
        } catch (NumberFormatException e) {
            // Not a Long id.
        }
        try {
            candidates.add(UUID.fromString(typed));
        } catch (IllegalArgumentException e) {
            // Not a UUID id.
        }
        List<ChildInfo> found = new ArrayList<>();
        for (Object id : candidates) {
            if (id instanceof String s && (s.isEmpty() || s.length() > 512)) {
                continue;
            }
            state.child(id).ifPresent(found::add);
        }
        return found;
    }

    /** The one child {@code typed} names in {@code state}. */
    static ChildInfo one(SupervisorState state, String typed) {
        List<ChildInfo> found = matching(state, typed);
        if (found.isEmpty()) {
            throw new InspectionException(InspectionException.Kind.NOT_FOUND, "no child " + typed + " in supervisor "
                    + state.supervisor());
        }
        if (found.size() > 1) {
            throw new IllegalArgumentException("several children of supervisor " + state.supervisor() + " are " + typed
                    + " (ids of different types: " + found.stream().map(c -> c.id().getClass().getSimpleName()).toList()
                    + "); this tool cannot tell them apart");
        }
        return found.get(0);
    }
}
