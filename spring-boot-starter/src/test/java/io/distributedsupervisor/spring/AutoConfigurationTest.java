package io.distributedsupervisor.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.distributedsupervisor.Child;
import io.distributedsupervisor.ChildContext;
import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.Rebalance;
import io.distributedsupervisor.SupervisorOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Scope;

/** The auto-configuration on the in-memory backend: properties to options, prototype child beans, lifecycle, health. */
class AutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DistributedSupervisorAutoConfiguration.class))
            .withPropertyValues("distributed-supervisor.backend=inmemory",
                    "distributed-supervisor.settle-time=0s",
                    "distributed-supervisor.allow-list=io.distributedsupervisor.spring.**");

    /** A prototype bean child: a new instance, with the context's counter, per incarnation. */
    public static final class Counted implements Child {
        private final AtomicInteger built;

        public Counted(AtomicInteger built) {
            this.built = built;
            built.incrementAndGet();
        }

        @Override
        public Object handleCall(Object request, ChildContext ctx) {
            return ctx.arg() + "/" + built.get();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Beans {
        @Bean
        AtomicInteger built() {
            return new AtomicInteger();
        }

        @Bean
        @Scope("prototype")
        Counted counted(AtomicInteger built) {
            return new Counted(built);
        }
    }

    @Test
    void propertiesBecomeOptions() {
        runner.withPropertyValues("distributed-supervisor.name=orders", "distributed-supervisor.node-name=n1",
                        "distributed-supervisor.inmemory.cluster=props", "distributed-supervisor.call-timeout=2s",
                        "distributed-supervisor.monitor-nodes=true", "distributed-supervisor.rebalance=active",
                        "distributed-supervisor.mailbox-limit=7", "distributed-supervisor.drain-timeout=9s")
                .run(ctx -> {
                    SupervisorOptions o = ctx.getBean(SupervisorOptions.class);
                    assertThat(o.name()).isEqualTo("orders");
                    assertThat(o.nodeName()).isEqualTo("n1");
                    assertThat(o.backendName()).contains("inmemory");
                    assertThat(o.backendConfig()).containsEntry("cluster", "props");
                    assertThat(o.callTimeout()).isEqualTo(Duration.ofSeconds(2));
                    assertThat(o.rebalance()).isEqualTo(Rebalance.ACTIVE);
                    assertThat(o.mailboxLimit()).isEqualTo(7);
                    assertThat(o.drainTimeout()).isEqualTo(Duration.ofSeconds(9));
                    assertThat(o.shutdownHook()).as("the context's close drains it").isFalse();
                    assertThat(o.childInstantiator()).isInstanceOf(SpringChildInstantiator.class);
                });
    }

    @Test
    void kebabCaseBackendSettingsBecomeCamelCase() {
        assertThat(DistributedSupervisorAutoConfiguration.camelCaseKeys(java.util.Map.of("connect-string", "x",
                "sessionTimeoutMs", "1", "digest-acl", "u:p")))
                .containsOnlyKeys("connectString", "sessionTimeoutMs", "digestAcl");
    }

    @Test
    void aPrototypeBeanChildIsBuiltAnewForEachIncarnationAndTheSupervisorRunsWithTheContext() {
        runner.withUserConfiguration(Beans.class)
                .withPropertyValues("distributed-supervisor.node-name=solo", "distributed-supervisor.inmemory.cluster=proto")
                .run(ctx -> {
                    DistributedSupervisor s = ctx.getBean(DistributedSupervisor.class);
                    assertThat(s.nodes()).isEqualTo(List.of("solo"));
                    s.startChild(ChildSpec.injected(Counted.class, "a").withId("c"));
                    assertThat(s.<String>call("c", "x")).isEqualTo("a/1");
                    s.terminateChild((Object) "c");
                    s.startChild(ChildSpec.injected(Counted.class, "b").withId("c"));
                    assertThat(s.<String>call("c", "x")).isEqualTo("b/2");

                    HealthIndicator health = ctx.getBean("distributedSupervisorHealthIndicator", HealthIndicator.class);
                    assertThat(health.health().getStatus()).isEqualTo(Status.UP);
                    assertThat(health.health().getDetails()).containsEntry("node", "solo").containsEntry("localChildren", 1)
                            .containsEntry("connection", "CONNECTED");
                });
    }

    @Test
    void theSupervisorsGaugesAndCountersReachAMicrometerRegistry() {
        runner.withUserConfiguration(Beans.class)
                .withPropertyValues("distributed-supervisor.node-name=metered", "distributed-supervisor.inmemory.cluster=metrics")
                .run(ctx -> {
                    io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
                            new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
                    ctx.getBean("distributedSupervisorMetrics", io.micrometer.core.instrument.binder.MeterBinder.class)
                            .bindTo(registry);
                    DistributedSupervisor s = ctx.getBean(DistributedSupervisor.class);
                    s.startChild(ChildSpec.injected(Counted.class, "a").withId("m1"));
                    s.startChild(ChildSpec.injected(Counted.class, "b").withId("m2"));
                    s.terminateChild((Object) "m2");

                    org.awaitility.Awaitility.await().untilAsserted(() -> {
                        assertThat(registry.get("distributed.supervisor.children.local").tag("node", "metered").gauge().value())
                                .isEqualTo(1.0);
                        assertThat(registry.get("distributed.supervisor.members").gauge().value()).isEqualTo(1.0);
                        assertThat(registry.get("distributed.supervisor.starts").tag("reason", "started").counter().count())
                                .isEqualTo(2.0);
                        assertThat(registry.get("distributed.supervisor.stops").counter().count()).isEqualTo(1.0);
                    });
                    assertThat(s.<String>call("m1", "x")).startsWith("a/");
                    assertThat(registry.get("distributed.supervisor.call.duration").tags("location", "local", "outcome", "ok")
                            .timer().count()).isEqualTo(1);
                    assertThat(registry.get("distributed.supervisor.start.duration").tags("outcome", "ok").timer().count())
                            .isEqualTo(2);
                });
    }

    @Test
    void offWhenDisabled() {
        runner.withPropertyValues("distributed-supervisor.enabled=false")
                .run(ctx -> assertThat(ctx).doesNotHaveBean(DistributedSupervisor.class));
    }
}
