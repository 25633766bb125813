package io.distributedsupervisor.tck.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.SupervisorOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/** Starts n1..nN on a cluster and waits until every node's ring has all of them. */
public final class Nodes {
    public static final String NAME = "DS";

    static {
        // The suite waits for many conditions that hold within milliseconds: poll often, start at once.
        org.awaitility.Awaitility.setDefaultPollInterval(Duration.ofMillis(10));
        org.awaitility.Awaitility.setDefaultPollDelay(Duration.ZERO);
    }

    private Nodes() {
    }

    public static List<DistributedSupervisor> start(ClusterHarness harness, int n) {
        return start(harness, n, (name, b) -> b);
    }

    public static List<DistributedSupervisor> start(ClusterHarness harness, int n,
                                             BiFunction<String, SupervisorOptions.Builder, SupervisorOptions.Builder> custom) {
        List<DistributedSupervisor> nodes = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            names.add("n" + i);
        }
        for (String name : names) {
            nodes.add(harness.start(custom.apply(name, options(name))));
        }
        awaitRing(nodes, names);
        return nodes;
    }

    /** The classes the suite's children and messages are made of: what its nodes' codec must allow. */
    public static final List<String> ALLOW_LIST = List.of("io.distributedsupervisor.tck.*", "io.distributedsupervisor.tck.supervisor.*");

    public static SupervisorOptions.Builder options(String node) {
        return SupervisorOptions.builder(NAME).nodeName(node).serviceLoaderListeners(false)
                .callTimeout(Duration.ofSeconds(3)).allowList(ALLOW_LIST);
    }

    /**
     * Waits until every node's own view ({@code whereis}, {@code whois}, {@code children}: read
     * from the node's copy of the registry, touching no network) shows {@code pid} for its id.
     * On a networked backend that copy follows a start made through another node within
     * milliseconds, not at once; a user who reads it on another node right after a start waits
     * likewise. Calls, casts and sends need no such wait.
     */
    public static void awaitSeenEverywhere(List<DistributedSupervisor> nodes, Pid pid) {
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            for (DistributedSupervisor n : nodes) {
                assertThat(n.whereis(pid.id())).as("whereis(%s) on %s", pid.id(), n.node()).contains(pid);
            }
        });
    }

    public static void awaitRing(List<DistributedSupervisor> nodes, List<String> expected) {
        await().atMost(Duration.ofSeconds(10)).until(() -> nodes.stream().allMatch(d -> d.nodes().equals(expected)));
    }
}
