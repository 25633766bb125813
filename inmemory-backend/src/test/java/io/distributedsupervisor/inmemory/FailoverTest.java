package io.distributedsupervisor.inmemory;

import static io.distributedsupervisor.tck.supervisor.TestChildren.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.tck.supervisor.ClusterHarness;
import io.distributedsupervisor.tck.supervisor.FailoverContract;
import io.distributedsupervisor.tck.supervisor.TestChildren.Counter;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The supervisor TCK's {@link FailoverContract} on the in-memory backend, plus what needs {@link InMemoryCluster#suspend}. */
class FailoverTest extends FailoverContract {
    @Override
    protected ClusterHarness newHarness() {
        return new InMemoryHarness();
    }

    private InMemoryCluster cluster() {
        return ((InMemoryHarness) harness).cluster();
    }

    @Test
    void aSuspendedNodeProcessesNothingUntilItResumes() throws Exception {
        startNodes(3, (name, b) -> b);
        String id = uniqueId("suspended");
        nodes.get(0).startChild(ChildSpec.of(Counter.class).withId(id), "n2");
        cluster().suspend("n2");
        nodes.get(0).cast(id, "inc");
        CompletableFuture<Integer> pending = nodes.get(0).callAsync(id, "inc", Duration.ofSeconds(10));
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !pending.isDone());
        cluster().resume("n2");
        assertThat(pending.get(5, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(nodes.get(2).<Integer>call(id, "get")).isEqualTo(2);
        assertThat(nodes.get(0).whereis(id).orElseThrow().node()).isEqualTo("n2");
    }
}
