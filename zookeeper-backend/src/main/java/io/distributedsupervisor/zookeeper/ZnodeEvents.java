package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.zookeeper.ClusterInspector.Event;
import io.distributedsupervisor.zookeeper.ClusterInspector.EventKind;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import org.apache.zookeeper.Watcher;

/**
 * What {@link ClusterInspector#watch} tells of a change under the namespace: the path of a
 * persistent recursive watch's event, read as the layout's folders ({@link ZnodeLayout}), and
 * the znode read for its details when it was created.
 */
final class ZnodeEvents {
    private ZnodeEvents() {
    }

    static void translate(ZnodeReader reader, String path, Watcher.Event.EventType type, Consumer<Event> events) {
        String[] parts = path.substring(1).split("/");
        if (parts.length < 3) {
            return;
        }
        String supervisor = parts[0];
        List<String> below = List.of(parts).subList(2, parts.length);
        boolean created = type == Watcher.Event.EventType.NodeCreated;
        boolean deleted = type == Watcher.Event.EventType.NodeDeleted;
        Instant now = Instant.now();
        switch (parts[1]) {
            case "members" -> {
                if (below.size() == 1 && (created || deleted)) {
                    String address = null;
                    if (created) {
                        ZnodeReader.Read r = reader.readOne(path);
                        try {
                            address = r == null ? null : ZnodeData.parseMember(below.get(0), r.data()).address();
                        } catch (IllegalArgumentException malformed) {
                            address = malformed.getMessage();
                        }
                    }
                    events.accept(new Event(now, supervisor, created ? EventKind.MEMBER_JOINED : EventKind.MEMBER_LEFT,
                            below.get(0), null, address));
                }
            }
            case "children", "owners" -> {
                String key = ZnodeReader.entryKey(below);
                if (key == null || !(created || deleted)) {
                    return;
                }
                boolean spec = parts[1].equals("children");
                String node = null;
                String detail = null;
                ZnodeReader.Read r = created ? reader.readOne(path) : null;
                if (r != null) {
                    try {
                        if (spec) {
                            node = ZnodeData.specNode(key, r.data());
                        } else {
                            ZnodeData.OwnerFields f = ZnodeData.parseOwner(key, r.data());
                            node = f.node();
                            // An entry rewritten by an heir keeps the epoch it inherited.
                            detail = "incarnation " + (f.epoch() == 0 ? r.stat().getCzxid() : f.epoch()) + "."
                                    + f.restarts();
                        }
                    } catch (IllegalArgumentException malformed) {
                        detail = malformed.getMessage();
                    }
                }
                EventKind kind = spec ? (created ? EventKind.SPEC_ADDED : EventKind.SPEC_REMOVED)
                        : (created ? EventKind.OWNER_APPEARED : EventKind.OWNER_VANISHED);
                events.accept(new Event(now, supervisor, kind, ClusterInspector.decode(key), node, detail));
            }
            case "leaving" -> {
                if (below.size() == 1 && created) {
                    events.accept(new Event(now, supervisor, EventKind.MEMBER_LEAVING, below.get(0), null, null));
                }
            }
            case "successions" -> {
                if (below.size() == 1 && created) {
                    String node = null;
                    String detail = null;
                    ZnodeReader.Read r = reader.readOne(path);
                    if (r != null) {
                        try {
                            ZnodeData.SuccessionFields f = ZnodeData.parseSuccession(below.get(0), r.data());
                            node = f.node();
                            detail = "heirs " + String.join(", ", f.heirs().stream().map(ZnodeData.Heir::node).toList())
                                    + " from epoch " + r.stat().getCzxid();
                        } catch (IllegalArgumentException malformed) {
                            detail = malformed.getMessage();
                        }
                    }
                    events.accept(new Event(now, supervisor, EventKind.SESSION_SUCCEEDED, below.get(0), node, detail));
                }
            }
            case "requests" -> {
                if (below.size() == 1) {
                    EventKind kind = created ? EventKind.REQUEST_MADE : deleted ? EventKind.REQUEST_DELETED
                            : type == Watcher.Event.EventType.NodeDataChanged ? EventKind.REQUEST_ANSWERED : null;
                    if (kind != null) {
                        String detail = null;
                        ZnodeReader.Read r = deleted ? null : reader.readOne(path);
                        if (r != null) {
                            try {
                                RequestZnode.Parsed p = RequestZnode.parse(below.get(0), r.data());
                                detail = kind == EventKind.REQUEST_MADE
                                        ? RequestZnode.spelling(p.request().action()) + " for " + p.request().to()
                                        : p.outcomes().isEmpty() ? null : p.outcomes().get(p.outcomes().size() - 1).line();
                            } catch (IllegalArgumentException malformed) {
                                detail = malformed.getMessage();
                            }
                        }
                        events.accept(new Event(now, supervisor, kind, below.get(0), null, detail));
                    }
                }
            }
            default -> {
                // Not a folder of this layout.
            }
        }
    }
}
