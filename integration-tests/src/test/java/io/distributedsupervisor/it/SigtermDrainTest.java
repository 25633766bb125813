package io.distributedsupervisor.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.zookeeper.EmbeddedZooKeeper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code kill -TERM} to one of three node JVMs, with 1,000 children and a steady call load from
 * the other two: the node's shutdown hook drains it. No call fails; afterwards every child runs
 * exactly once, on the node the ring names; every count survived the move (the sum of the
 * children's counts is the number of calls answered: none lost, none processed twice); and the
 * witness outside the JVMs saw no older incarnation process a message once a newer one started.
 */
class SigtermDrainTest {
    private static final String P = "t";
    private static final int N = 1000;
    private static final Duration SESSION = Duration.ofSeconds(15);

    private ZooKeeperEnsemble ensemble;
    private ProcessCluster cluster;

    @BeforeEach
    void start() throws Exception {
        ensemble = new ZooKeeperEnsemble();
        Path logs = Path.of("target", "it-logs", getClass().getSimpleName());
        EmbeddedZooKeeper.deleteTree(logs);
        // The default session timeout: without the shutdown hook, the children would be gone for 15 s.
        cluster = new ProcessCluster(ensemble.connectString(), "it", SESSION, logs);
    }

    @AfterEach
    void stop() throws Exception {
        try {
            cluster.close();
        } finally {
            ensemble.close();
        }
    }

    private ProcessCluster.Snapshot awaitSettled() {
        return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> cluster.snapshot(P, N), s -> s.problems().isEmpty());
    }

    private long status(String node, String key) {
        return Long.parseLong(cluster.node(node).status().get(key));
    }

    @Test
    void sigtermDrainsTheNodeWithoutAFailedCallOrALostCount() {
        cluster.start(List.of("n1", "n2", "n3"));
        cluster.startChildren(P, N);
        awaitSettled();
        for (String n : List.of("n1", "n2")) {
            cluster.node(n).request("load " + P + " 0 " + N, Duration.ofSeconds(10));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> status("n1", "loadOk") + status("n2", "loadOk") > 2 * N);

        cluster.terminate("n3");

        long okThen = status("n1", "loadOk") + status("n2", "loadOk");
        await().atMost(Duration.ofSeconds(30)).until(() -> status("n1", "loadOk") + status("n2", "loadOk") > okThen + N);
        for (String n : List.of("n1", "n2")) {
            cluster.node(n).request("load off", Duration.ofSeconds(10));
        }
        assertThat(status("n1", "loadFailed") + status("n2", "loadFailed")).as("calls that failed; n1: %s, n2: %s",
                cluster.node("n1").status(), cluster.node("n2").status()).isZero();
        ProcessCluster.Snapshot after = awaitSettled();
        assertThat(after.problems()).isEmpty();
        long answered = status("n1", "loadOk") + status("n2", "loadOk");
        String sum = cluster.node("n1").request("sum " + P + " 0 " + N, Duration.ofSeconds(60));
        assertThat(sum).as("the children's counts against the calls answered").isEqualTo("sum=" + answered);
        assertThat(cluster.witness().violations()).as("older incarnations that processed a message").isEmpty();
    }
}
