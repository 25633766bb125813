package io.distributedsupervisor.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.Child;
import io.distributedsupervisor.ChildContext;
import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.zookeeper.EmbeddedZooKeeper;
import io.distributedsupervisor.zookeeper.ZooKeeperBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Two Spring Boot application contexts as two nodes of one supervisor on a real ZooKeeper
 * server (curator-test, with digest ACLs and a cluster secret), auto-configured from
 * properties: a child gets a bean of the context it runs in; the graceful close of one context
 * drains its children, with their state, to the other.
 */
class TwoNodeSpringBootTest {

    /** An application service a child gets injected: counts the calls that reach it. */
    public static final class Greeter {
        final String node;
        final AtomicInteger calls = new AtomicInteger();

        Greeter(String node) {
            this.node = node;
        }

        String greet(String who) {
            calls.incrementAndGet();
            return "hello " + who + " from " + node;
        }
    }

    /** A child with an injected bean (constructor injection) and state it hands over on a planned move. */
    public static final class GreetingChild implements Child {
        private final Greeter greeter;
        private int greeted;

        public GreetingChild(Greeter greeter) {
            this.greeter = greeter;
        }

        @Override
        public void init(ChildContext ctx) {
            greeted = ctx.handoffState().map(s -> (Integer) s).orElse(0);
        }

        @Override
        public Object handleCall(Object request, ChildContext ctx) {
            if ("count".equals(request)) {
                return greeted;
            }
            greeted++;
            return greeter.greet(ctx.arg() + ":" + request);
        }

        @Override
        public Object handoff(ChildContext ctx) {
            return greeted;
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
        @Bean
        Greeter greeter(Environment env) {
            return new Greeter(env.getRequiredProperty("distributed-supervisor.node-name"));
        }

        /** A backend the test made (to expire its session), when it registered one. */
        @Bean
        SupervisorOptionsCustomizer backendOfTheTest(ObjectProvider<ZooKeeperBackend> backend) {
            return b -> backend.ifAvailable(b::backend);
        }
    }

    private EmbeddedZooKeeper zookeeper;
    private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();
    private final List<ZooKeeperBackend> backends = new ArrayList<>();

    @BeforeEach
    void startZooKeeper() {
        org.awaitility.Awaitility.setDefaultTimeout(Duration.ofSeconds(30));
        org.awaitility.Awaitility.setDefaultPollInterval(Duration.ofMillis(20));
        zookeeper = new EmbeddedZooKeeper();
    }

    @AfterEach
    void closeAll() {
        try {
            for (ConfigurableApplicationContext c : contexts) {
                c.close();
            }
            for (ZooKeeperBackend b : backends) {
                b.close();
            }
        } finally {
            zookeeper.close();
        }
    }

    private ConfigurableApplicationContext node(String name) {
        return node(name, null);
    }

    /** A node whose backend is {@code backend} when not null (else made from the properties). */
    private ConfigurableApplicationContext node(String name, ZooKeeperBackend backend) {
        ConfigurableApplicationContext c = new SpringApplicationBuilder(App.class)
                .initializers(ctx -> {
                    if (backend != null) {
                        ctx.getBeanFactory().registerSingleton("zooKeeperBackendOfTheTest", backend);
                    }
                })
                .web(WebApplicationType.NONE)
                .properties(Map.of(
                        "distributed-supervisor.name", "spring-it",
                        "distributed-supervisor.node-name", name,
                        "distributed-supervisor.backend", "zookeeper",
                        "distributed-supervisor.allow-list", "io.distributedsupervisor.spring.**",
                        "distributed-supervisor.settle-time", "0s",
                        "distributed-supervisor.zookeeper.connect-string", zookeeper.connectString(),
                        "distributed-supervisor.zookeeper.secret", EmbeddedZooKeeper.TEST_SECRET,
                        "distributed-supervisor.zookeeper.digest-acl",
                        EmbeddedZooKeeper.TEST_USER + ":" + EmbeddedZooKeeper.TEST_PASSWORD,
                        "distributed-supervisor.zookeeper.session-timeout-ms", "4000"))
                .run();
        contexts.add(c);
        return c;
    }

    @Test
    void childrenAreBeansOfTheNodeTheyRunOnAndMoveWithTheirStateWhenAContextCloses() {
        ConfigurableApplicationContext a = node("a");
        ConfigurableApplicationContext b = node("b");
        DistributedSupervisor onA = a.getBean(DistributedSupervisor.class);
        DistributedSupervisor onB = b.getBean(DistributedSupervisor.class);
        await().until(() -> onA.nodes().containsAll(List.of("a", "b")) && onB.nodes().containsAll(List.of("a", "b")));

        // A child started from a, on b: built by b's context, with b's Greeter.
        onA.startChild(ChildSpec.injected(GreetingChild.class, "arg").withId("greeting"), "b");
        assertThat(onA.<String>call("greeting", "x")).isEqualTo("hello arg:x from b");
        assertThat(onB.<String>call("greeting", "y")).isEqualTo("hello arg:y from b");
        assertThat(b.getBean(Greeter.class).calls).hasValue(2);
        assertThat(a.getBean(Greeter.class).calls).hasValue(0);

        HealthIndicator healthOfB = b.getBean("distributedSupervisorHealthIndicator", HealthIndicator.class);
        assertThat(healthOfB.health().getStatus()).isEqualTo(Status.UP);

        // Graceful close of b's context: the lifecycle drains it; the child moves to a with its state.
        DistributedSupervisorLifecycle lifecycleOfB = b.getBean(DistributedSupervisorLifecycle.class);
        b.close();
        assertThat(lifecycleOfB.lastDrain()).isNotNull();
        assertThat(lifecycleOfB.lastDrain().handedOver()).isEqualTo(1);
        assertThat(lifecycleOfB.lastDrain().leftToFailover()).isEmpty();
        assertThat(healthOfB.health().getStatus()).isEqualTo(Status.DOWN);

        await().until(() -> onA.nodes().equals(List.of("a")));
        assertThat(onA.whereis("greeting")).hasValueSatisfying(p -> assertThat(p.node()).isEqualTo("a"));
        assertThat(onA.<Integer>call("greeting", "count")).as("the state handed over").isEqualTo(2);
        assertThat(onA.<String>call("greeting", "z")).isEqualTo("hello arg:z from a");
        assertThat(a.getBean(Greeter.class).calls).hasValue(1);
    }

    @Test
    void whenANodeCrashesItsChildrenStartAfreshOnTheOtherWithItsBeans() throws Exception {
        ZooKeeperBackend crashable = ZooKeeperBackend.builder(zookeeper.connectString()).secret(EmbeddedZooKeeper.TEST_SECRET)
                .digestAcl(EmbeddedZooKeeper.TEST_USER, EmbeddedZooKeeper.TEST_PASSWORD)
                .sessionTimeout(Duration.ofSeconds(4)).build();
        backends.add(crashable);
        ConfigurableApplicationContext a = node("a");
        ConfigurableApplicationContext c = node("c", crashable);
        DistributedSupervisor onA = a.getBean(DistributedSupervisor.class);
        await().until(() -> onA.nodes().containsAll(List.of("a", "c")));

        onA.startChild(ChildSpec.injected(GreetingChild.class, "arg").withId("greeting"), "c");
        assertThat(onA.<String>call("greeting", "x")).isEqualTo("hello arg:x from c");
        assertThat(c.getBean(Greeter.class).calls).hasValue(1);

        // c's ZooKeeper session ends at once, as when its JVM dies: no drain, no handoff. Its runtime
        // sees the session closed and does not join again, as a dead process would not. (After an
        // expiry alone it would join again, and whether its pinned child came back to it or went
        // to a would depend on which of them saw the other first.)
        crashable.close();

        await().until(() -> onA.whereis("greeting").filter(p -> p.node().equals("a")).isPresent());
        assertThat(onA.<Integer>call("greeting", "count")).as("a crash hands no state over").isZero();
        assertThat(onA.<String>call("greeting", "y")).isEqualTo("hello arg:y from a");
        assertThat(a.getBean(Greeter.class).calls).hasValue(1);
    }

    @Test
    void aSingletonBeanOfAChildClassIsRefused() {
        ConfigurableApplicationContext a = node("a");
        a.getBeanFactory().registerSingleton("sharedChild", new GreetingChild(new Greeter("shared")));
        DistributedSupervisor onA = a.getBean(DistributedSupervisor.class);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> onA.startChild(
                        ChildSpec.injected(GreetingChild.class).withId("shared").withRestart(io.distributedsupervisor.Restart.TEMPORARY)))
                .isInstanceOf(io.distributedsupervisor.ChildCrashedException.class)
                .hasMessageContaining("not of prototype scope");
    }

    @Test
    void theSupervisorBeanRefusesUseAfterTheContextClosed() {
        ConfigurableApplicationContext a = node("a");
        DistributedSupervisor onA = a.getBean(DistributedSupervisor.class);
        assertThat(onA.node()).isEqualTo("a");
        a.close();
        org.assertj.core.api.Assertions.assertThatThrownBy(onA::nodes)
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("is not running");
    }
}
