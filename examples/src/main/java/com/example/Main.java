package com.example;

import io.distributedsupervisor.ChildCrashedException;
import io.distributedsupervisor.ChildRef;
import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.StartReason;
import io.distributedsupervisor.StartResult;
import io.distributedsupervisor.SupervisorOptions;
import io.distributedsupervisor.inmemory.InMemoryCluster;
import io.distributedsupervisor.spi.Listener;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

public class Main {
    public static void main(String[] args) throws InterruptedException {
        // Restarts and failovers happen in the background; a listener tells when one has started.
        BlockingQueue<Pid> started = new LinkedBlockingQueue<>();
        Listener starts = new Listener() {
            @Override public void onProcessStart(String supervisor, Object id, Pid pid, StartReason reason) {
                started.add(pid);                    // on the node where the incarnation runs
            }
        };
        try (InMemoryCluster cluster = new InMemoryCluster()) {
            // One DistributedSupervisor per node, all with the same name and allow-list.
            List<String> mine = List.of("com.example.**");
            DistributedSupervisor n1 = cluster.start(node("n1", mine, starts));
            DistributedSupervisor n2 = cluster.start(node("n2", mine, starts));
            DistributedSupervisor n3 = cluster.start(node("n3", mine, starts));
            Map<String, DistributedSupervisor> nodes = Map.of("n1", n1, "n2", n2, "n3", n3);

            StartResult r = n1.startChild(ChildSpec.of(Counter.class, 10L).withId("MGS")); // placed by the ring
            n1.startChild(ChildSpec.of(Counter.class, 0L).withId("pinned"), "n2");      // on a named node
            StartResult anon = n1.startChild(ChildSpec.of(Counter.class, 0L));          // id generated: anon.id()

            n2.cast("MGS", 5L);                      // from any node
            long v = n2.call("MGS", "get");          // 15: what one sender sends through one node stays in order
            assert v == 15;
            n1.send("MGS", "reset");                 // -> handleInfo; false if no such child
            Optional<Pid> where = n3.whereis("MGS"); // the same answer on every node
            ChildRef ref = n3.viaName("MGS");        // resolved at each use: survives restarts and moves

            try { n1.call("MGS", "crash"); } catch (ChildCrashedException e) { /* e.getCause(): boom */ }
            // PERMANENT (the default): restarted in place, in the background, with fresh state
            // and a newer incarnation. Wait for it rather than assume it happened already:
            Pid restarted = awaitNewer(started, r.pid());
            long fresh = ref.call("get");            // 10: from the spec's argument again
            assert fresh == 10;

            String home = restarted.node();
            cluster.crash(home);                     // abrupt, as a killed JVM: no terminate callbacks
            // The survivors start it again where their ring says, exactly once, with a newer incarnation.
            Pid movedTo = awaitNewer(started, restarted);
            assert !movedTo.node().equals(home);
            DistributedSupervisor survivor = nodes.get(movedTo.node());
            long afterFailover = survivor.call("MGS", "get");   // 10: a fresh incarnation
            System.out.printf("MGS ran on %s, then on %s after %s crashed; count %d%n",
                    where.map(Pid::node).orElse("?"), movedTo.node(), home, afterFailover);

            survivor.terminateChild("MGS");          // stopped for good, spec removed cluster-wide
        }
    }

    static SupervisorOptions.Builder node(String name, List<String> allowList, Listener listener) {
        return SupervisorOptions.builder("DS").nodeName(name).allowList(allowList).listeners(List.of(listener));
    }

    /** The next incarnation of {@code old.id()} newer than {@code old} to start, anywhere. */
    static Pid awaitNewer(BlockingQueue<Pid> started, Pid old) throws InterruptedException {
        while (true) {
            Pid p = started.poll(10, TimeUnit.SECONDS);
            if (p == null) {
                throw new IllegalStateException("no newer incarnation of " + old.id() + " within 10 s");
            }
            if (p.id().equals(old.id()) && p.incarnation().isNewerThan(old.incarnation())) {
                return p;
            }
        }
    }
}
