package io.distributedsupervisor.cli;

import io.distributedsupervisor.zookeeper.ClusterInspector;
import io.distributedsupervisor.zookeeper.ClusterInspector.ChildInfo;
import io.distributedsupervisor.zookeeper.ClusterInspector.SupervisorState;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ds children}. */
@Command(name = "children", mixinStandardHelpOptions = true, header = "Children: id, node, incarnation, restarts.",
        description = {"The children: id, the node that runs it, its incarnation"
        + " (epoch.restarts: the epoch is its claim's ZooKeeper zxid, or the succession's when its node's session"
        + " ended and an heir took it over, growing with every new claim), its restarts"
        + " under that claim, and where it is placed (by the ring, or on an explicit node). An orphan is stored but"
        + " run by no node."})
final class ChildrenCommand implements Callable<Integer> {
    @Mixin
    Ds.Connection connection;
    @Mixin
    Ds.Format format;
    @Option(names = {"-s", "--supervisor"}, paramLabel = "NAME", description = "Only this supervisor (default: all).")
    String supervisor;
    @Option(names = {"-n", "--node"}, paramLabel = "NODE", description = "Only the children this node runs.")
    String node;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (ClusterInspector inspector = connection.connect()) {
            Table table = new Table(Children.HEADER);
            List<Map<String, Object>> json = new ArrayList<>();
            for (String s : supervisor != null ? List.of(supervisor) : inspector.supervisors()) {
                SupervisorState state = inspector.read(s);
                for (ChildInfo c : state.children()) {
                    if (node == null || node.equals(c.owner())) {
                        table.row(Children.row(s, c));
                        json.add(Children.json(s, c));
                    }
                }
            }
            if (format.json) {
                out.println(Ds.JSON.writeValueAsString(json));
            } else if (table.size() == 0) {
                out.println("no children" + (node == null ? "" : " on node " + node));
            } else {
                table.print(out);
            }
        }
        return 0;
    }
}
