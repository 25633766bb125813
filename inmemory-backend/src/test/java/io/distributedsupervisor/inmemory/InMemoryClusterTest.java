package io.distributedsupervisor.inmemory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.spi.Backend;
import io.distributedsupervisor.spi.BackendException;
import io.distributedsupervisor.spi.BackendProvider;
import io.distributedsupervisor.spi.Delivery;
import io.distributedsupervisor.spi.MessageHandler;
import io.distributedsupervisor.spi.NodeSession;
import io.distributedsupervisor.spi.Responder;
import io.distributedsupervisor.spi.Owner;
import io.distributedsupervisor.spi.SessionListener;
import io.distributedsupervisor.spi.SessionState;
import io.distributedsupervisor.spi.SpecRecord;
import io.distributedsupervisor.tck.RecordingHandler;
import io.distributedsupervisor.tck.RecordingListener;
import io.distributedsupervisor.tck.RecordingListener.OwnerRemoved;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What {@link InMemoryCluster} offers beyond the TCK: failure injection, the provider, its own guarantees. */
class InMemoryClusterTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final InMemoryCluster cluster = new InMemoryCluster();
    private final Backend backend = cluster.backend();

    @AfterEach
    void close() {
        cluster.close();
    }

    private record Node(NodeSession session, RecordingListener events, RecordingHandler inbox) {
    }

    private Node join(String supervisor, String node) {
        return join(backend, supervisor, node);
    }

    private static Node join(Backend backend, String supervisor, String node) {
        RecordingListener events = new RecordingListener();
        RecordingHandler inbox = new RecordingHandler(node);
        return new Node(backend.join(supervisor, node, events, inbox), events, inbox);
    }

    private static ConditionFactory eventually() {
        return await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2));
    }

    private static SpecRecord spec(String id) {
        return new SpecRecord(bytes("spec of " + id), null);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String replyText(CompletableFuture<Delivery> request) throws Exception {
        Delivery d = request.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(d).isInstanceOf(Delivery.Replied.class);
        return new String(((Delivery.Replied) d).reply(), StandardCharsets.UTF_8);
    }

    // ---- failure injection ----

    @Test
    void suspendDropsTheLeaseAndRefusesWritesUntilResume() {
        Node a = join("DS", "a");
        Node b = join("DS", "b");
        Owner owner = a.session().claimNew("k", null);

        cluster.suspend("a");
        cluster.suspend("a"); // already suspended: no second event

        assertThat(a.session().holdsLease()).isFalse();
        assertThat(b.session().holdsLease()).isTrue();
        eventually().untilAsserted(() -> assertThat(a.events().states()).containsExactly(SessionState.SUSPENDED));
        assertThatThrownBy(() -> a.session().claimNew("k2", null))
                .isInstanceOf(BackendException.class).hasMessageContaining("suspended").hasMessageContaining("a");
        // nobody else notices a connection loss that keeps the session
        assertThat(b.session().members()).containsOnlyKeys("a", "b");
        assertThat(b.session().owner("k")).contains(owner);
        assertThat(b.events().states()).isEmpty();

        cluster.resume("a");
        cluster.resume("a");

        assertThat(a.session().holdsLease()).isTrue();
        eventually().untilAsserted(() -> assertThat(a.events().states())
                .containsExactly(SessionState.SUSPENDED, SessionState.RECONNECTED));
        assertThat(a.session().owner("k")).contains(owner);
        assertThat(a.session().release("k")).isTrue();
    }

    @Test
    void failureInjectionOnAnUnknownNodeNamesIt() {
        join("DS", "a");
        assertThatThrownBy(() -> cluster.crash("ghost")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ghost");
        assertThatThrownBy(() -> cluster.stop("ghost")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ghost");
        assertThatThrownBy(() -> cluster.suspend("ghost")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ghost");
        assertThatThrownBy(() -> cluster.resume("ghost")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ghost");

        cluster.crash("a");
        assertThatThrownBy(() -> cluster.crash("a")).as("a crashed node is gone")
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a");
    }

    @Test
    void crashTakesTheNodeDownInEveryGroupAndEndsWithClosed() {
        Node a1 = join("DS1", "a");
        Node a2 = join("DS2", "a");
        Node b1 = join("DS1", "b");
        Node b2 = join("DS2", "b");
        Owner o1 = a1.session().claimNew("k", spec("k"));
        Owner o2 = a2.session().claimNew("k", null);
        assertThat(cluster.nodes()).containsExactly("a", "b");

        cluster.crash("a");

        assertThat(cluster.nodes()).containsExactly("b");
        assertThat(a1.session().holdsLease()).isFalse();
        assertThat(a2.session().holdsLease()).isFalse();
        assertThat(b1.session().members()).containsOnlyKeys("b");
        assertThat(b2.session().members()).containsOnlyKeys("b");
        assertThat(b1.session().owner("k")).isEmpty();
        assertThat(b1.session().spec("k")).contains(spec("k"));
        eventually().untilAsserted(() -> {
            assertThat(a1.events().states()).containsExactly(SessionState.CLOSED);
            assertThat(a2.events().states()).containsExactly(SessionState.CLOSED);
            assertThat(b1.events().ownersRemoved()).containsExactly(new OwnerRemoved("k", o1));
            assertThat(b2.events().ownersRemoved()).containsExactly(new OwnerRemoved("k", o2));
        });
        // the crashed node hears nothing of its own loss but CLOSED
        assertThat(a1.events().ownersRemoved()).isEmpty();
        // and once its last event ran, the cluster holds on to nothing of it
        eventually().untilAsserted(() -> assertThat(cluster.trackedSessions()).isEqualTo(2));
    }

    @Test
    void stopClosesADirectlyJoinedNodeGracefully() {
        Node a = join("DS", "a");
        Node b = join("DS", "b");
        Owner owner = a.session().claimNew("k", spec("k"));

        cluster.stop("a");

        assertThat(cluster.nodes()).containsExactly("b");
        assertThat(b.session().members()).containsOnlyKeys("b");
        assertThat(b.session().spec("k")).contains(spec("k"));
        // close waits for the node's listener to finish, so its last event has run
        assertThat(a.events().states()).containsExactly(SessionState.CLOSED);
        eventually().untilAsserted(() -> assertThat(b.events().ownersRemoved()).containsExactly(new OwnerRemoved("k", owner)));
        assertThatThrownBy(() -> cluster.stop("a")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void claimsRacingACrashNeverOutliveIt() throws Exception {
        for (int round = 0; round < 20; round++) {
            try (InMemoryCluster c = new InMemoryCluster()) {
                NodeSession a = join(c.backend(), "DS", "a").session();
                // a listener that costs nothing: the crash may remove a great many entries
                NodeSession b = c.backend().join("DS", "b", new SessionListener() {
                }, new RecordingHandler("b"));
                int threads = 4;
                CountDownLatch started = new CountDownLatch(threads);
                AtomicInteger claimed = new AtomicInteger();
                ExecutorService pool = Executors.newFixedThreadPool(threads);
                try {
                    List<Future<?>> done = new ArrayList<>();
                    for (int t = 0; t < threads; t++) {
                        int thread = t;
                        done.add(pool.submit(() -> {
                            started.countDown();
                            for (int i = 0; ; i++) {
                                try {
                                    a.claimNew("t" + thread + "-" + i, null);
                                    claimed.incrementAndGet();
                                } catch (BackendException e) {
                                    return null; // the crash reached this claimer
                                }
                            }
                        }));
                    }
                    started.await();
                    eventually().until(() -> claimed.get() > 100);
                    c.crash("a");
                    for (Future<?> f : done) {
                        f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                    }
                } finally {
                    pool.shutdownNow();
                    assertThat(pool.awaitTermination(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
                }
                List<String> leaked = new ArrayList<>();
                b.forEachOwner((key, owner) -> leaked.add(key));
                assertThat(leaked).as("owner entries of the crashed session, round " + round).isEmpty();
            }
        }
    }

    // ---- events ----

    @Test
    void eachSessionGetsItsEventsInOrderAndAThrowingListenerGetsTheRest() {
        AtomicInteger calls = new AtomicInteger();
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        SessionListener flaky = new SessionListener() {
            @Override
            public void onOwnerRemoved(String key, Owner previous) {
                seen.add(key);
                if (calls.incrementAndGet() % 50 == 1) { // a few failures, among events that must still come
                    throw new IllegalStateException("listener failure on purpose");
                }
            }
        };
        NodeSession b = backend.join("DS", "b", flaky, new RecordingHandler("b"));
        Node a = join("DS", "a");
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            keys.add("k" + i);
            a.session().claimNew("k" + i, null);
        }
        for (String key : keys) {
            a.session().release(key);
        }
        eventually().untilAsserted(() -> assertThat(seen).isEqualTo(keys));
        eventually().untilAsserted(() -> assertThat(a.events().ownersRemoved()).extracting(OwnerRemoved::key).isEqualTo(keys));
        assertThat(b.holdsLease()).isTrue();
    }

    // ---- transport ----

    @Test
    void aNodeThatLeftIsStillReachableUntilItCloses() throws Exception {
        Node a = join("DS", "a");
        Node b = join("DS", "b");
        a.session().leave();
        assertThat(b.session().members()).containsOnlyKeys("b");

        assertThat(replyText(b.session().request("a", bytes("hand-over")))).isEqualTo(RecordingHandler.reply("a", "b", "hand-over"));
        assertThat(b.session().send("a", bytes("late"))).isEqualTo(Delivery.SENT);
        assertThat(a.inbox().received()).containsExactly("hand-over", "late");

        a.session().close();
        assertThat(b.session().send("a", bytes("too late"))).isInstanceOf(Delivery.NotSent.class);
    }

    @Test
    void repliesOwedByANodeThatCrashesMayHaveBeenDelivered() throws Exception {
        NodeSession a = backend.join("DS", "a", new RecordingListener(), new MessageHandler() {
            @Override
            public void onRequest(String fromNode, byte[] message, Responder responder) {
                // never answers
            }

            @Override
            public void onMessage(String fromNode, byte[] message) {
            }
        });
        Node b = join("DS", "b");
        CompletableFuture<Delivery> reply = b.session().request("a", bytes("slow"));
        assertThat(reply).isNotDone();

        cluster.crash("a");

        assertThat(reply.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isInstanceOfSatisfying(Delivery.MaybeDelivered.class,
                m -> assertThat(m.reason()).contains("a"));
        assertThat(a.holdsLease()).isFalse();
    }

    @Test
    void aFailingHandlerRefusesTheRequestAndAOneWayMessageIsDeliveredAnyway() throws Exception {
        IllegalStateException boom = new IllegalStateException("handler failure on purpose");
        backend.join("DS", "a", new RecordingListener(), new MessageHandler() {
            @Override
            public void onRequest(String fromNode, byte[] message, Responder responder) {
                throw boom;
            }

            @Override
            public void onMessage(String fromNode, byte[] message) {
                throw boom;
            }
        });
        Node b = join("DS", "b");

        assertThat(b.session().request("a", bytes("x")).get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOfSatisfying(Delivery.Refused.class, r -> {
                    assertThat(r.node()).isEqualTo("a");
                    assertThat(r.reason()).contains(boom.getMessage());
                });
        assertThat(b.session().send("a", bytes("x"))).as("delivered, whatever the receiver made of it")
                .isEqualTo(Delivery.SENT);
    }

    @Test
    void arraysAreHandedOverUncopied() {
        List<byte[]> got = new ArrayList<>();
        backend.join("DS", "a", new RecordingListener(), new MessageHandler() {
            @Override
            public void onRequest(String fromNode, byte[] message, Responder responder) {
            }

            @Override
            public void onMessage(String fromNode, byte[] message) {
                got.add(message);
            }
        });
        byte[] message = bytes("by reference");
        assertThat(join("DS", "c").session().send("a", message)).isEqualTo(Delivery.SENT);
        assertThat(got.get(0)).isSameAs(message);
    }

    @Test
    void theCodecIsOnUnlessTheClusterIsMadeWithoutIt() {
        assertThat(cluster.passesByReference()).isFalse();
        assertThat(join("DS", "a").session().passesByReference()).isFalse();
        try (InMemoryCluster byReference = InMemoryCluster.withoutCodec()) {
            assertThat(byReference.passesByReference()).isTrue();
            assertThat(join(byReference.backend(), "DS", "a").session().passesByReference()).isTrue();
        }
    }

    // ---- store rules ----

    @Test
    void keysAndOwnerUpdatesAreChecked() {
        NodeSession a = join("DS", "a").session();
        NodeSession b = join("DS", "b").session();
        assertThatThrownBy(() -> a.claimNew("", null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> a.claimNew("x/y", null)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x/y");

        Owner owner = a.claimNew("k", null);
        assertThatThrownBy(() -> a.updateOwner("k", new Owner("a", owner.epoch(), 1, b.sessionId())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an entry of this session");
        assertThatThrownBy(() -> a.updateOwner("k", new Owner("a", owner.epoch() + 1, 1, a.sessionId())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("epoch");
        assertThat(a.owner("k")).contains(owner);
    }

    // ---- backends, the provider, named clusters, close ----

    @Test
    void closingABackendClosesOnlyItsOwnSessions() {
        Backend other = cluster.backend();
        Node a = join(other, "DS", "a");
        Node b = join("DS", "b");

        other.close();

        assertThat(a.session().holdsLease()).isFalse();
        assertThat(b.session().holdsLease()).isTrue();
        assertThat(cluster.nodes()).containsExactly("b");
        assertThatThrownBy(() -> join(other, "DS", "c")).isInstanceOf(BackendException.class).hasMessageContaining("closed");
        assertThat(join("DS", "c").session().members()).containsOnlyKeys("b", "c");
    }

    @Test
    void theProviderIsFoundByNameAndSharesNamedClusters() throws Exception {
        // On the module path this test runs inside module io.distributedsupervisor.inmemory, which
        // provides BackendProvider but does not declare `uses` it (only the api module looks
        // providers up): the test declares its use here (a no-op on the class path).
        getClass().getModule().addUses(BackendProvider.class);
        BackendProvider provider = ServiceLoader.load(BackendProvider.class).stream()
                .map(ServiceLoader.Provider::get).filter(p -> p.name().equals("inmemory")).findFirst().orElseThrow();
        assertThat(provider).isInstanceOf(InMemoryBackendProvider.class);
        String name = "provider-test-" + UUID.randomUUID();
        InMemoryCluster named = InMemoryCluster.named(name);
        try (Backend viaProvider = provider.create(Map.of("cluster", name)); Backend direct = named.backend()) {
            assertThat(InMemoryCluster.named(name)).isSameAs(named);
            Node a = join(viaProvider, "DS", "a");
            Node b = join(direct, "DS", "b");
            assertThat(a.session().members()).containsOnlyKeys("a", "b");
            assertThat(replyText(b.session().request("a", bytes("hi")))).isEqualTo(RecordingHandler.reply("a", "b", "hi"));
        } finally {
            named.close();
        }
        assertThat(InMemoryCluster.named(name)).as("a closed name starts afresh").isNotSameAs(named);
        InMemoryCluster.named(name).close();

        assertThatThrownBy(() -> provider.create(Map.of("clustr", "x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("clustr");
        assertThatThrownBy(() -> provider.create(Map.of("cluster", " ")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cluster");
    }

    @Test
    void theDefaultClusterIsNamedDefault() {
        InMemoryCluster named = InMemoryCluster.named(InMemoryBackendProvider.DEFAULT_CLUSTER);
        try (Backend viaProvider = new InMemoryBackendProvider().create(Map.of())) {
            Node a = join(viaProvider, "DS-default-test", "a");
            assertThat(named.nodes()).contains("a");
            assertThat(a.session().members()).containsOnlyKeys("a");
        } finally {
            named.close();
        }
    }

    @Test
    void closeEndsEverySessionAndStopsEveryThread() {
        Node a = join("DS", "a");
        Node b = join("DS", "b");
        join("DS", "c");
        cluster.crash("c");
        assertThat(cluster.anyListenerThreadAlive()).isTrue();

        cluster.close();
        cluster.close();

        assertThat(cluster.anyListenerThreadAlive()).isFalse();
        assertThat(cluster.nodes()).isEmpty();
        assertThat(a.session().holdsLease()).isFalse();
        assertThat(b.events().states()).containsExactly(SessionState.CLOSED);
        assertThatThrownBy(() -> join("DS", "d")).isInstanceOf(BackendException.class).hasMessageContaining("closed");
    }

    @Test
    void theTckCrashHookRefusesForeignSessions() {
        try (InMemoryCluster other = new InMemoryCluster()) {
            NodeSession foreign = join(other.backend(), "DS", "a").session();
            assertThatThrownBy(() -> cluster.crash(foreign)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(cluster.name());
        }
    }
}
