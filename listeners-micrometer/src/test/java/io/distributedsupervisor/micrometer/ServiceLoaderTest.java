package io.distributedsupervisor.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.SupervisorOptions;
import io.distributedsupervisor.inmemory.InMemoryCluster;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** With this module on the path, ServiceLoader attaches the listener to every supervisor, on Micrometer's global registry. */
class ServiceLoaderTest {
    private final InMemoryCluster cluster = new InMemoryCluster();
    private final SimpleMeterRegistry global = new SimpleMeterRegistry();
    private final String name = "Found-" + UUID.randomUUID();

    ServiceLoaderTest() {
        Metrics.addRegistry(global);
    }

    @AfterEach
    void close() {
        try {
            cluster.close();
        } finally {
            Metrics.removeRegistry(global);
            global.close();
        }
    }

    private SupervisorOptions.Builder options() {
        return SupervisorOptions.builder(name).nodeName("n1").allowList(List.of("io.distributedsupervisor.micrometer.*"));
    }

    @Test
    void foundByServiceLoaderItPublishesOnTheGlobalRegistry() {
        DistributedSupervisor ds = cluster.start(options());
        ds.startChild(ChildSpec.of(TestChildren.Counter.class).withId("c"));
        assertThat(ds.<Integer>call("c", "inc")).isEqualTo(1);

        await().untilAsserted(() -> assertThat(global.get("distributed.supervisor.starts").tag("supervisor", name)
                .counter().count()).isEqualTo(1));
        assertThat(global.get("distributed.supervisor.call.duration").tags("supervisor", name, "location", "local", "outcome", "ok")
                .timer().count()).isEqualTo(1);
        assertThat(global.get("distributed.supervisor.children.local").tag("supervisor", name).gauge().value()).isEqualTo(1);
    }

    @Test
    void oneGivenByHandReplacesTheDiscoveredOne() {
        SimpleMeterRegistry own = new SimpleMeterRegistry();
        DistributedSupervisor ds = cluster.start(options().listeners(List.of(new MicrometerListener(own))));
        ds.startChild(ChildSpec.of(TestChildren.Counter.class).withId("c"));

        await().untilAsserted(() -> assertThat(own.get("distributed.supervisor.starts").tag("supervisor", name)
                .counter().count()).isEqualTo(1));
        assertThat(global.find("distributed.supervisor.starts").tag("supervisor", name).counters()).isEmpty();
        own.close();
    }

    @Test
    void serviceLoaderListenersFalseLeavesItOut() {
        DistributedSupervisor ds = cluster.start(options().serviceLoaderListeners(false));
        ds.startChild(ChildSpec.of(TestChildren.Counter.class).withId("c"));
        assertThat(ds.<Integer>call("c", "inc")).isEqualTo(1);
        assertThat(global.getMeters()).noneMatch(m -> name.equals(m.getId().getTag("supervisor")));
    }
}
