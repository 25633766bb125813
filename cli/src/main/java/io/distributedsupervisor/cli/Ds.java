package io.distributedsupervisor.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.distributedsupervisor.zookeeper.ClusterInspector;
import io.distributedsupervisor.zookeeper.InspectionException;
import io.distributedsupervisor.zookeeper.ZooKeeperSettings;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ds}, the command-line tool of a cluster on ZooKeeper: the root command, the settings
 * every command shares, and the exit codes. Each command connects with a node's own settings
 * (the zookeeper backend's, from {@code --set}, {@code --config}, {@code -Dds.zookeeper.*} and
 * {@code DS_ZOOKEEPER_*}), does its one thing and ends.
 */
@Command(name = "ds", mixinStandardHelpOptions = true, versionProvider = Ds.Version.class,
        description = {
                "Shows and operates a DistributedSupervisor cluster on ZooKeeper, reading its znodes directly: no node"
                        + " needs to be reachable, and none of your classes is needed.",
                "",
                "Connect as your nodes do, with the same settings (the zookeeper backend's, see the README's table):"
                        + " --set name=value, --config FILE (a properties file), -Dds.zookeeper.<name>=value, or the"
                        + " environment: DS_ZOOKEEPER_CONNECT_STRING, DS_ZOOKEEPER_NAMESPACE,"
                        + " DS_ZOOKEEPER_DIGEST_ACL (user:password of the znodes' ACL), DS_CLUSTER_SECRET (the"
                        + " cluster secret: members are verified with it, and drain, move and the rebalancing"
                        + " commands are signed with it; the nodes run nothing that is not)."},
        subcommands = {StatusCommand.class, ChildrenCommand.class, WhereisCommand.class, WatchCommand.class,
                RequestCommands.Drain.class, RequestCommands.Move.class, RequestCommands.Rebalance.class,
                RequestCommands.PauseRebalancing.class, RequestCommands.ResumeRebalancing.class, PurgeCommand.class,
                CommandLine.HelpCommand.class},
        footerHeading = "%nExamples:%n",
        footer = {
                "  export DS_ZOOKEEPER_CONNECT_STRING=zk1:2181,zk2:2181",
                "  export DS_ZOOKEEPER_DIGEST_ACL=ds:password DS_CLUSTER_SECRET=...",
                "  ds status                     members, children per node, orphans",
                "  ds children --node node-b     what node-b runs",
                "  ds whereis order-17 --json    where a child runs, for a script",
                "  ds drain node-b               hand node-b's children over; it leaves",
                "  ds watch --config /etc/ds/zookeeper.properties",
                "  ds <command> --help           a command's options",
                "",
                "Exit codes: 0 done; 1 a node failed or refused the request; 2 bad usage;",
                "3 ZooKeeper unreachable; 4 the ACL refused the credentials; 5 no such",
                "supervisor, node or child; 6 refused (live members, no secret, not",
                "confirmed); 7 no answer in time."})
public final class Ds implements Runnable {
    static final int FAILED = 1;
    static final int USAGE = 2;
    static final int UNREACHABLE = 3;
    static final int NOT_AUTHORIZED = 4;
    static final int NOT_FOUND = 5;
    static final int REFUSED = 6;
    static final int TIMEOUT = 7;

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    final BufferedReader input;

    Ds(BufferedReader input) {
        this.input = input;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command (ds --help lists them)");
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true, StandardCharsets.UTF_8),
                new PrintWriter(System.err, true, StandardCharsets.UTF_8),
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))));
    }

    /** Runs {@code ds args}: what it prints goes to {@code out} and {@code err}; confirmations are read from {@code in}. */
    static int run(String[] args, PrintWriter out, PrintWriter err, BufferedReader in) {
        CommandLine cl = new CommandLine(new Ds(in));
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((e, command, parsed) -> {
            Throwable cause = e;
            if (cause instanceof InspectionException ie) {
                err.println("ds: " + ie.getMessage());
                return switch (ie.kind()) {
                    case UNREACHABLE -> UNREACHABLE;
                    case NOT_AUTHORIZED -> NOT_AUTHORIZED;
                    case NOT_FOUND -> NOT_FOUND;
                    case REFUSED -> REFUSED;
                    case TIMEOUT -> TIMEOUT;
                    case FAILED -> FAILED;
                };
            }
            if (cause instanceof IllegalArgumentException) {
                err.println("ds: " + cause.getMessage());
                return USAGE;
            }
            err.println("ds: " + cause);
            return FAILED;
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** The version of this jar, as its manifest says. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Ds.class.getPackage().getImplementationVersion();
            return new String[] {"ds (DistributedSupervisor) " + (v == null ? "development build" : v)};
        }
    }

    /** How to reach the cluster: the options every command takes. */
    static final class Connection {
        @Option(names = "--set", paramLabel = "NAME=VALUE", description = "A zookeeper backend setting, as for a node"
                + " (connectString, namespace, digestAcl, digestAclFile, saslAcl, secretFile, connectionTimeout, ...)."
                + " Prefer DS_CLUSTER_SECRET or secretFile to secret: a command line is visible to every user of the host.")
        Map<String, String> settings = new LinkedHashMap<>();

        @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "A properties file of those settings"
                + " (the setting configFile).")
        Path config;

        @Option(names = {"-z", "--zookeeper"}, paramLabel = "HOST:PORT,...", description = "ZooKeeper's connect string"
                + " (the setting connectString).")
        String connectString;

        @Option(names = "--namespace", paramLabel = "NAME", description = "The nodes' namespace (default"
                + " distributed-supervisor).")
        String namespace;

        ClusterInspector connect() {
            Map<String, String> all = new LinkedHashMap<>(settings);
            if (config != null) {
                all.put(ZooKeeperSettings.CONFIG_FILE, config.toString());
            }
            if (connectString != null) {
                all.put("connectString", connectString);
            }
            if (namespace != null) {
                all.put("namespace", namespace);
            }
            return ClusterInspector.connect(ZooKeeperSettings.builder(all));
        }
    }

    /** {@code --supervisor}, and the rule for when it is left out. */
    static final class Supervisor {
        @Option(names = {"-s", "--supervisor"}, paramLabel = "NAME", description = "The supervisor (default: the only"
                + " one in the namespace).")
        String name;

        /** The supervisor named, or the only one there is. */
        String resolve(ClusterInspector inspector) {
            if (name != null) {
                return name;
            }
            List<String> all = inspector.supervisors();
            if (all.size() == 1) {
                return all.get(0);
            }
            if (all.isEmpty()) {
                throw new InspectionException(InspectionException.Kind.NOT_FOUND, "no supervisor in namespace /"
                        + inspector.namespace() + " (check connectString and namespace)");
            }
            throw new IllegalArgumentException("namespace /" + inspector.namespace() + " holds several supervisors ("
                    + String.join(", ", all) + "): choose one with --supervisor");
        }
    }

    /** {@code --json}. */
    static final class Format {
        @Option(names = "--json", description = "JSON instead of a table, for scripts.")
        boolean json;
    }
}
