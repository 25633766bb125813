package io.distributedsupervisor.cli;

import io.distributedsupervisor.zookeeper.ClusterInspector;
import io.distributedsupervisor.zookeeper.ClusterInspector.PurgeResult;
import io.distributedsupervisor.zookeeper.ClusterInspector.SupervisorState;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ds purge SUPERVISOR}. */
@Command(name = "purge", mixinStandardHelpOptions = true, header = "Delete a supervisor's whole tree (its stored children too).",
        description = {"Deletes SUPERVISOR's whole tree in ZooKeeper: its stored specs (so no child"
        + " of a finished run comes back), owner entries, successions, leaving markers and requests. Refused while"
        + " it has members, unless --force"
        + " (their children would run on, unrecorded). Asks for confirmation unless --yes."})
final class PurgeCommand implements Callable<Integer> {
    @Mixin
    Ds.Connection connection;
    @Mixin
    Ds.Format format;
    @Parameters(paramLabel = "SUPERVISOR", description = "The supervisor to purge.")
    String supervisor;
    @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation.")
    boolean yes;
    @Option(names = "--force", description = "Purge even while members are live.")
    boolean force;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (ClusterInspector inspector = connection.connect()) {
            SupervisorState state = inspector.read(supervisor);
            if (!state.members().isEmpty() && !force) {
                // The inspector refuses too; checked first so that no one is asked to confirm in vain.
                inspector.purge(supervisor, false);
            }
            if (!yes) {
                out.print("purge supervisor " + supervisor + " in namespace /" + inspector.namespace() + ": "
                        + state.children().stream().filter(ClusterInspector.ChildInfo::stored).count() + " stored children, "
                        + state.members().size() + " members; type the supervisor's name to confirm: ");
                out.flush();
                java.io.BufferedReader in = ((Ds) spec.root().userObject()).input;
                String answer = in == null ? null : in.readLine();
                if (answer == null || !answer.strip().equals(supervisor)) {
                    spec.commandLine().getErr().println("ds: not confirmed: nothing purged");
                    return Ds.REFUSED;
                }
            }
            PurgeResult r = inspector.purge(supervisor, force);
            if (format.json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("supervisor", r.supervisor());
                m.put("specs", r.specs());
                m.put("znodes", r.znodes());
                out.println(Ds.JSON.writeValueAsString(m));
            } else {
                out.println("purged supervisor " + r.supervisor() + ": " + r.specs() + " stored children, " + r.znodes()
                        + " znodes");
            }
        }
        return 0;
    }
}
