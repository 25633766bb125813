package io.distributedsupervisor.cli;

import io.distributedsupervisor.zookeeper.ClusterInspector;
import io.distributedsupervisor.zookeeper.ClusterInspector.ChildInfo;
import io.distributedsupervisor.zookeeper.ClusterInspector.SupervisorState;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ds whereis ID}. */
@Command(name = "whereis", mixinStandardHelpOptions = true, header = "Where one child runs.",
        description = {"Where the child ID runs: its node and incarnation, as"
        + " DistributedSupervisor.whereis(id) answers. ID is the String id as typed, or the Integer, Long or UUID it"
        + " spells. Exit code 5 when no such child is stored or running."})
final class WhereisCommand implements Callable<Integer> {
    @Mixin
    Ds.Connection connection;
    @Mixin
    Ds.Supervisor supervisor;
    @Mixin
    Ds.Format format;
    @Parameters(paramLabel = "ID", description = "The child's id.")
    String id;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (ClusterInspector inspector = connection.connect()) {
            String s = supervisor.resolve(inspector);
            SupervisorState state = inspector.read(s);
            ChildInfo c = Children.one(state, id);
            if (format.json) {
                out.println(Ds.JSON.writeValueAsString(Children.json(s, c)));
            } else {
                new Table(Children.HEADER).row(Children.row(s, c)).print(out);
            }
        }
        return 0;
    }
}
