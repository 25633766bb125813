package io.distributedsupervisor.inmemory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.ChildCrashedException;
import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.Ticker;
import io.distributedsupervisor.tck.ThreadCount;
import io.distributedsupervisor.tck.supervisor.Nodes;
import io.distributedsupervisor.tck.supervisor.TestChildren.Counter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The runtime's time comes from the injected ticker, and a paused child waits without a thread. */
class TimeSeamTest {
    private final InMemoryCluster cluster = new InMemoryCluster();

    @AfterEach
    void close() {
        cluster.close();
    }

    /** A clock that moves only when told to. */
    private static final class ManualTicker implements Ticker {
        private final AtomicLong now = new AtomicLong();

        @Override
        public long read() {
            return now.get();
        }

        void advance(Duration d) {
            now.addAndGet(d.toNanos());
        }
    }

    private static void crash(DistributedSupervisor ds, String id) {
        assertThatThrownBy(() -> ds.call(id, "crash")).isInstanceOf(ChildCrashedException.class);
        await().until(() -> ds.whereis(id).isEmpty() || ds.<Integer>call(id, "get") == 0);
    }

    @Test
    void theRestartWindowIsMeasuredOnTheInjectedTicker() {
        ManualTicker ticker = new ManualTicker();
        DistributedSupervisor n1 = cluster.start(Nodes.options("n1").maxRestarts(2)
                .maxRestartWindow(Duration.ofSeconds(1)).ticker(ticker));
        n1.startChild(ChildSpec.of(Counter.class).withId("c"));

        crash(n1, "c");
        crash(n1, "c");
        ticker.advance(Duration.ofSeconds(2)); // both restarts leave the window: no real time passes
        crash(n1, "c");
        crash(n1, "c");
        assertThat(n1.whereis("c")).as("two restarts within the window").isPresent();

        assertThatThrownBy(() -> n1.call("c", "crash")).isInstanceOf(ChildCrashedException.class);
        await().until(() -> n1.whereis("c").isEmpty());
    }

    @Test
    void pausedChildrenHoldNoThreadAndGoOnWhenTheLeaseReturns() {
        DistributedSupervisor n1 = cluster.start(Nodes.options("n1"));
        int children = 1_000;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < children; i++) {
            ids.add("paused-" + i);
            n1.startChild(ChildSpec.of(Counter.class).withId(ids.get(i)));
        }
        int before = ThreadCount.now();
        cluster.suspend("n1");
        ids.forEach(id -> n1.cast(id, "inc"));
        // Each child woke for its cast, found no lease and gave its thread back, holding the cast.
        await().until(() -> ThreadCount.now() - before < children / 20);
        assertThat(n1.localChildren()).as("a node without a lease claims no children").isEmpty();

        cluster.resume("n1");
        await().untilAsserted(() -> {
            for (String id : ids) {
                assertThat(n1.<Integer>call(id, "get")).isEqualTo(1);
            }
        });
    }
}
