package io.distributedsupervisor.cli;

import io.distributedsupervisor.zookeeper.ClusterInspector;
import io.distributedsupervisor.zookeeper.ClusterInspector.ChildInfo;
import io.distributedsupervisor.zookeeper.ClusterInspector.MemberInfo;
import io.distributedsupervisor.zookeeper.ClusterInspector.NodeShare;
import io.distributedsupervisor.zookeeper.ClusterInspector.SuccessionInfo;
import io.distributedsupervisor.zookeeper.ClusterInspector.SupervisorState;
import io.distributedsupervisor.zookeeper.ZnodeLayout;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ds status}. */
@Command(name = "status", mixinStandardHelpOptions = true, header = "Supervisors, members, children per node against the ring, orphans.",
        description = {"The supervisors in the namespace and, for each: its members (address,"
        + " ZooKeeper session, whether its proof of the cluster secret is valid, whether it is leaving), the"
        + " successions of ended sessions (whose children their heirs run), the children each node runs against"
        + " its share of the ring (every stored child placed on a ring of the live members, as the nodes place them),"
        + " the orphans (stored children no node runs) and the children pinned to a node that is gone."})
final class StatusCommand implements Callable<Integer> {
    @Mixin
    Ds.Connection connection;
    @Mixin
    Ds.Format format;
    @picocli.CommandLine.Option(names = {"-s", "--supervisor"}, paramLabel = "NAME",
            description = "Only this supervisor (default: all).")
    String supervisor;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (ClusterInspector inspector = connection.connect()) {
            List<SupervisorState> states = new ArrayList<>();
            for (String s : supervisor != null ? List.of(supervisor) : inspector.supervisors()) {
                states.add(inspector.read(s));
            }
            if (format.json) {
                Map<String, Object> all = new LinkedHashMap<>();
                all.put("namespace", inspector.namespace());
                all.put("verified", inspector.verifies());
                all.put("supervisors", states.stream().map(StatusCommand::json).toList());
                out.println(Ds.JSON.writeValueAsString(all));
                return 0;
            }
            if (states.isEmpty()) {
                out.println("no supervisor in namespace /" + inspector.namespace());
            }
            if (!inspector.verifies()) {
                out.println("(no cluster secret given: members and owners are not verified)");
            }
            for (SupervisorState s : states) {
                print(s, out);
            }
        }
        return 0;
    }

    private static void print(SupervisorState s, PrintWriter out) {
        out.println("supervisor " + s.supervisor() + " (layout " + s.layout() + ")");
        if (!ZnodeLayout.ownersReadable(s.layout()) && !s.layout().equals("none")) {
            out.println("(this tool reads the layout " + ZnodeLayout.VERSION + ": the owner entries of this one are not"
                    + " read, so no child shows its node; use the ds of the release the nodes run)");
        }
        out.println();
        Table members = new Table("MEMBER", "ADDRESS", "SESSION", "VERIFIED", "SINCE", "STATE");
        for (MemberInfo m : s.members()) {
            members.row(m.node(), m.address(), "0x" + Long.toHexString(m.session()),
                    m.verified() ? "yes" : "no: " + m.problem(), m.startedAt() == 0 ? null : Instant.ofEpochMilli(m.startedAt()),
                    m.leaving() ? "leaving" : "member");
        }
        if (members.size() == 0) {
            out.println("no members");
        } else {
            members.print(out);
        }
        out.println();
        for (SuccessionInfo x : s.successions()) {
            out.println("session 0x" + Long.toHexString(x.session()) + " of " + x.node() + " ended; its children went to "
                    + String.join(", ", x.heirs()) + " (epoch " + x.czxid() + ")");
        }
        if (!s.successions().isEmpty()) {
            out.println();
        }
        java.util.Set<String> leaving = s.leavingNodes();
        Table nodes = new Table("NODE", "LIVE", "RUNNING", "RING SHARE");
        for (NodeShare n : s.shares()) {
            nodes.row(n.node(), n.live() ? "yes" : leaving.contains(n.node()) ? "leaving" : "no", n.running(), n.placed());
        }
        if (nodes.size() > 0) {
            nodes.print(out);
            out.println();
        }
        long stored = s.children().stream().filter(ChildInfo::stored).count();
        long running = s.children().stream().filter(c -> c.owner() != null).count();
        List<ChildInfo> orphans = s.orphans();
        List<ChildInfo> pinned = s.pinnedToGone();
        out.println("children: " + stored + " stored, " + running + " running, " + orphans.size() + " orphans, "
                + pinned.size() + " pinned to a node that is gone");
        if (!orphans.isEmpty()) {
            out.println("orphans: " + ids(orphans));
        }
        if (!pinned.isEmpty()) {
            out.println("pinned to a node that is gone: " + String.join(", ", pinned.stream().limit(20)
                    .map(c -> c.id() + " (" + c.explicitNode() + ")").toList()) + (pinned.size() > 20 ? ", ..." : ""));
        }
        out.println();
    }

    private static String ids(List<ChildInfo> children) {
        return String.join(", ", children.stream().limit(20).map(c -> String.valueOf(c.id())).toList())
                + (children.size() > 20 ? ", ... (ds children lists them all)" : "");
    }

    private static Map<String, Object> json(SupervisorState s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("supervisor", s.supervisor());
        m.put("layout", s.layout());
        m.put("members", s.members().stream().map(x -> {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("node", x.node());
            j.put("address", x.address());
            j.put("session", "0x" + Long.toHexString(x.session()));
            j.put("verified", x.verified());
            j.put("problem", x.problem());
            j.put("leaving", x.leaving());
            j.put("startedAt", x.startedAt() == 0 ? null : Instant.ofEpochMilli(x.startedAt()).toString());
            j.put("version", x.version());
            return j;
        }).toList());
        m.put("successions", s.successions().stream().map(x -> {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("node", x.node());
            j.put("session", "0x" + Long.toHexString(x.session()));
            j.put("epoch", x.czxid());
            j.put("heirs", x.heirs());
            return j;
        }).toList());
        m.put("nodes", s.shares().stream().map(n -> {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("node", n.node());
            j.put("live", n.live());
            j.put("running", n.running());
            j.put("ringShare", n.placed());
            return j;
        }).toList());
        m.put("stored", s.children().stream().filter(ChildInfo::stored).count());
        m.put("running", s.children().stream().filter(c -> c.owner() != null).count());
        m.put("orphans", s.orphans().stream().map(ChildInfo::id).toList());
        m.put("pinnedToGone", s.pinnedToGone().stream().map(c -> {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("id", c.id());
            j.put("node", c.explicitNode());
            return j;
        }).toList());
        return m;
    }
}
