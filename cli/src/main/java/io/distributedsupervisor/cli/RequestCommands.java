package io.distributedsupervisor.cli;

import io.distributedsupervisor.spi.OperatorRequest;
import io.distributedsupervisor.zookeeper.ClusterInspector;
import io.distributedsupervisor.zookeeper.ClusterInspector.Answer;
import io.distributedsupervisor.zookeeper.ClusterInspector.RequestOutcome;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The commands the nodes run: each writes a request signed with the cluster secret, which the
 * nodes watch, run with their public operation and answer; the command prints the answers.
 */
final class RequestCommands {
    private RequestCommands() {
    }

    /** What every request command shares. */
    abstract static class Base implements Callable<Integer> {
        @Mixin
        Ds.Connection connection;
        @Mixin
        Ds.Supervisor supervisor;
        @Mixin
        Ds.Format format;
        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
                description = "How long to wait for the nodes' answers (default ${DEFAULT-VALUE} s).")
        long timeoutSeconds;
        @Spec
        CommandSpec spec;

        abstract OperatorRequest.Action action();

        /** The node to ask; null: every live member. */
        String node() {
            return null;
        }

        Object childId(ClusterInspector inspector, String supervisor) {
            return null;
        }

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            try (ClusterInspector inspector = connection.connect()) {
                String s = supervisor.resolve(inspector);
                RequestOutcome o = inspector.request(s, action(), node(), childId(inspector, s),
                        Duration.ofSeconds(timeoutSeconds));
                if (format.json) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("supervisor", s);
                    m.put("action", spec.name());
                    m.put("asked", o.asked());
                    m.put("answers", o.answers());
                    m.put("silent", o.silent());
                    m.put("left", o.left());
                    m.put("succeeded", o.succeeded());
                    out.println(Ds.JSON.writeValueAsString(m));
                } else {
                    Table t = new Table("NODE", "ANSWER", "OUTCOME");
                    for (Answer a : o.answers()) {
                        t.row(a.node(), a.status(), a.text());
                    }
                    for (String n : o.silent()) {
                        t.row(n, "none", o.answers().stream().anyMatch(a -> a.node().equals(n))
                                ? "not drained after " + timeoutSeconds + " s (still a member, or children not handed over yet)"
                                : "no answer within " + timeoutSeconds + " s");
                    }
                    t.print(out);
                    for (String n : o.left()) {
                        out.println("node " + n + " is drained: it has left the cluster");
                    }
                }
                if (o.succeeded()) {
                    return 0;
                }
                return o.answers().stream().allMatch(Answer::ok) ? Ds.TIMEOUT : Ds.FAILED;
            }
        }
    }

    @Command(name = "drain", mixinStandardHelpOptions = true, header = "Hand a node's children over; it then leaves.",
            description = {"Drains NODE: it hands each of its children to the node the ring names"
            + " (callers see no failure), then leaves the cluster; as DistributedSupervisor.drain() on that node."
            + " Waits until it has left."})
    static final class Drain extends Base {
        @Parameters(paramLabel = "NODE", description = "The node to drain.")
        String node;

        @Override
        OperatorRequest.Action action() {
            return OperatorRequest.Action.DRAIN;
        }

        @Override
        String node() {
            return node;
        }
    }

    @Command(name = "move", mixinStandardHelpOptions = true, header = "Move a child to a node.",
            description = {"Moves the child ID to NODE with a hand-over, as"
            + " DistributedSupervisor.move(id, node) run on NODE; from then on it stays there (a rebalance leaves it)."})
    static final class Move extends Base {
        @Parameters(index = "0", paramLabel = "ID", description = "The child's id.")
        String id;
        @Parameters(index = "1", paramLabel = "NODE", description = "The live node to move it to.")
        String node;

        @Override
        OperatorRequest.Action action() {
            return OperatorRequest.Action.MOVE;
        }

        @Override
        String node() {
            return node;
        }

        @Override
        Object childId(ClusterInspector inspector, String supervisor) {
            return Children.one(inspector.read(supervisor), id).id();
        }
    }

    @Command(name = "rebalance", mixinStandardHelpOptions = true, header = "Put children where the ring says, on every node.",
            description = {"Asks every live node to move its children that the ring now gives"
            + " to another node there (DistributedSupervisor.rebalance() on each). The moves are queued: they run at"
            + " the nodes' rate limits, after a resume if paused."})
    static final class Rebalance extends Base {
        @Override
        OperatorRequest.Action action() {
            return OperatorRequest.Action.REBALANCE;
        }
    }

    @Command(name = "pause-rebalancing", mixinStandardHelpOptions = true, header = "Pause rebalancing on every node.",
            description = {"Pauses rebalancing on every live node: no join or rebalance"
            + " move starts until resume-rebalancing (drains and closes still hand over). Not stored: a node that"
            + " starts later is not paused."})
    static final class PauseRebalancing extends Base {
        @Override
        OperatorRequest.Action action() {
            return OperatorRequest.Action.PAUSE_REBALANCING;
        }
    }

    @Command(name = "resume-rebalancing", mixinStandardHelpOptions = true, header = "Resume rebalancing on every node.",
            description = {"Resumes rebalancing on every live node: the moves queued"
            + " meanwhile start."})
    static final class ResumeRebalancing extends Base {
        @Override
        OperatorRequest.Action action() {
            return OperatorRequest.Action.RESUME_REBALANCING;
        }
    }
}
