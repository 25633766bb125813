package io.distributedsupervisor.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.spi.ClaimConflictException;
import io.distributedsupervisor.spi.MessageHandler;
import io.distributedsupervisor.spi.NodeSession;
import io.distributedsupervisor.spi.Owner;
import io.distributedsupervisor.spi.SessionListener;
import io.distributedsupervisor.spi.SpecRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The view learns owner entries from the claims' events, and the specs and their placements from
 * what those transactions say ({@link SpecSignal}), without reading them and without watching the
 * specs: after many concurrent claims, releases, moves, restarts and spec removals by three
 * sessions, every session's view must equal what ZooKeeper holds, read directly with a plain client.
 */
class SupervisorViewTest {
    private static final String SUPERVISOR = "DS";
    private static final MessageHandler NO_MESSAGES = new MessageHandler() {
        @Override
        public void onRequest(String fromNode, byte[] message, io.distributedsupervisor.spi.Responder responder) {
        }

        @Override
        public void onMessage(String fromNode, byte[] message) {
        }
    };

    private EmbeddedZooKeeper server;
    private ZooKeeperBackend backend;
    private CuratorFramework plain;

    @BeforeEach
    void start() throws InterruptedException {
        server = new EmbeddedZooKeeper();
        backend = server.backend().namespace("view").build();
        plain = server.client(true);
    }

    @AfterEach
    void stop() {
        try {
            plain.close();
            backend.close();
        } finally {
            server.close();
        }
    }

    @Test
    void everyViewEqualsZooKeeperAfterConcurrentClaimsReleasesAndRestarts() throws Exception {
        List<NodeSession> sessions = new ArrayList<>();
        for (String n : List.of("a", "b", "c")) {
            sessions.add(backend.join(SUPERVISOR, n, new SessionListener() {
            }, NO_MESSAGES));
        }
        int keys = 300;
        inParallel(sessions.size(), i -> {
            NodeSession s = sessions.get(i);
            Random random = new Random(i);
            for (int step = 0; step < 1500; step++) {
                String key = "k" + random.nextInt(keys);
                try {
                    switch (random.nextInt(8)) {
                        case 0 -> s.claimNew(key, spec(key, random.nextBoolean() ? s.node() : null));
                        case 1 -> s.claimNew(key, null);
                        case 2 -> s.claimStored(key);
                        case 3 -> s.release(key);
                        case 4 -> s.owner(key).filter(o -> o.session() == s.sessionId())
                                .ifPresent(o -> s.updateOwner(key, o.restarted()));
                        case 5 -> s.releaseTo(key, sessions.get(random.nextInt(sessions.size())).node());
                        case 6 -> s.removeSpec(key);
                        default -> s.releaseAndRemoveSpec(key);
                    }
                } catch (ClaimConflictException e) {
                    // another session got there first: part of the game
                }
            }
        });

        Map<String, Owner> owners = ownersInZooKeeper();
        Map<String, Optional<String>> placements = placementsInZooKeeper();
        assertThat(owners).isNotEmpty();
        assertThat(placements.values()).as("some specs pinned, some placed by the ring")
                .contains(Optional.empty()).anyMatch(Optional::isPresent);
        for (NodeSession s : sessions) {
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                Map<String, Owner> seen = new HashMap<>();
                s.forEachOwner(seen::put);
                assertThat(seen).as("owners seen by %s", s.node()).isEqualTo(owners);
                List<String> specKeys = new ArrayList<>();
                s.forEachSpecKey(specKeys::add);
                assertThat(specKeys).as("specs seen by %s", s.node()).containsExactlyInAnyOrderElementsOf(placements.keySet());
            });
            assertThat(s.placements(placements.keySet())).as("placements seen by %s", s.node()).isEqualTo(placements);
            Map<String, SpecRecord> specs = s.specs(placements.keySet());
            specs.forEach((key, rec) -> assertThat(new String(rec.spec(), java.nio.charset.StandardCharsets.UTF_8))
                    .isEqualTo("spec of " + key));
            assertThat(specs).hasSameSizeAs(placements);
        }
    }

    @Test
    void concurrentClaimsOfOneNodeAreWrittenTogetherAndEachKeyIsWonOnce() throws Exception {
        NodeSession a = backend.join(SUPERVISOR, "a", new SessionListener() {
        }, NO_MESSAGES);
        NodeSession b = backend.join(SUPERVISOR, "b", new SessionListener() {
        }, NO_MESSAGES);
        int keys = 200;
        Map<String, List<Owner>> wins = new java.util.concurrent.ConcurrentHashMap<>();
        Map<String, List<Owner>> conflicts = new java.util.concurrent.ConcurrentHashMap<>();
        inParallel(64, t -> {
            NodeSession s = t % 4 == 0 ? b : a;
            for (int i = 0; i < keys; i++) {
                String key = "c" + ((i + t * 7) % keys);
                try {
                    Owner o = s.claimNew(key, spec(key, null));
                    wins.computeIfAbsent(key, k -> java.util.Collections.synchronizedList(new ArrayList<>())).add(o);
                } catch (ClaimConflictException e) {
                    conflicts.computeIfAbsent(key, k -> java.util.Collections.synchronizedList(new ArrayList<>()))
                            .add(e.existing().orElse(null));
                }
            }
        });

        Map<String, Owner> truth = ownersInZooKeeper();
        assertThat(truth).hasSize(keys);
        for (int i = 0; i < keys; i++) {
            String key = "c" + i;
            assertThat(wins.get(key)).as("winners of %s", key).containsExactly(truth.get(key));
            assertThat(conflicts.get(key)).as("losers of %s are told the winner", key).hasSize(63)
                    .allSatisfy(o -> assertThat(o).isEqualTo(truth.get(key)));
        }
        long epochs = truth.values().stream().mapToLong(Owner::epoch).distinct().count();
        assertThat(epochs).as("claims made at the same time share a transaction").isLessThan(keys);
    }

    @Test
    void aNewClaimIsReleasedWithoutAReadWhateverItsTransactionWroteToTellTheViews() throws Exception {
        NodeSession a = backend.join(SUPERVISOR, "a", new SessionListener() {
        }, NO_MESSAGES);
        Map<String, SpecRecord> kinds = new java.util.LinkedHashMap<>();
        kinds.put("ring", spec("ring", null));
        kinds.put("pinned", spec("pinned", "a")); // its entry is set in the claim, to pin the spec
        kinds.put("no-spec", null);
        for (Map.Entry<String, SpecRecord> k : kinds.entrySet()) {
            a.claimNew(k.getKey(), k.getValue());
        }
        assertThat(ownersInZooKeeper()).containsOnlyKeys(kinds.keySet());

        for (String key : kinds.keySet()) {
            assertThat(a.release(key)).as("%s released", key).isTrue();
        }
        assertThat(ownersInZooKeeper()).isEmpty();
        assertThat(placementsInZooKeeper()).containsOnlyKeys("ring", "pinned");
    }

    @Test
    void aNodeToldThatAnEntryMovedAwayFindsTheSpecsOldPlacementForgottenAlready() throws Exception {
        NodeSession a = backend.join(SUPERVISOR, "a", new SessionListener() {
        }, NO_MESSAGES);
        for (String key : List.of("placed", "pinned")) {
            a.claimNew(key, spec(key, key.equals("pinned") ? "a" : null));
        }
        // A view whose listener looks, when told an entry is gone, at what it holds of the spec's
        // placement then: what the runtime would place the orphan by.
        ZnodeLayout paths = ZnodeLayout.of(SUPERVISOR).withPrefix("/view");
        Map<String, SpecSlot> slotWhenToldGone = new java.util.concurrent.ConcurrentHashMap<>();
        SupervisorView[] view = new SupervisorView[1];
        view[0] = new SupervisorView(plain.getZookeeperClient().getZooKeeper(), "observer", -1, paths,
                new SessionListener() {
                    @Override
                    public void onOwnerRemoved(String key, Owner previous) {
                        slotWhenToldGone.put(key, (SpecSlot) view[0].specMark(key));
                    }
                }, Duration.ZERO, io.distributedsupervisor.Scheduler.system(), Duration.ofSeconds(10), Duration.ofSeconds(4),
                () -> false, trust(), org.apache.zookeeper.ZooDefs.Ids.OPEN_ACL_UNSAFE);
        view[0].start();
        try {
            a.claimNew("later", spec("later", "a")); // learnt from events: pinned to a
            await().until(() -> view[0].owner("later") != null);
            assertThat(view[0].placements(List.of("placed", "pinned", "later"))).containsOnly(
                    Map.entry("placed", Optional.empty()), Map.entry("pinned", Optional.of("a")),
                    Map.entry("later", Optional.of("a")));

            for (String key : List.of("placed", "pinned", "later")) {
                assertThat(a.releaseTo(key, "b")).isTrue();
            }

            await().until(() -> slotWhenToldGone.size() == 3);
            assertThat(slotWhenToldGone.values()).as("no placement from before the move, when told the entry is gone")
                    .allSatisfy(slot -> assertThat(slot.placed()).isFalse());
            assertThat(view[0].placements(List.of("placed", "pinned", "later"))).containsOnly(
                    Map.entry("placed", Optional.of("b")), Map.entry("pinned", Optional.of("b")),
                    Map.entry("later", Optional.of("b")));
        } finally {
            view[0].stop();
        }
    }

    @Test
    void eventsWithoutZxidAsOlderServersSendThemAreReadNotGuessedAndTheSpecsAreWatched() throws Exception {
        NodeSession a = backend.join(SUPERVISOR, "a", new SessionListener() {
        }, NO_MESSAGES);
        Owner pinned = a.claimNew("k", spec("k", "a"));
        Owner placed = a.claimNew("r", spec("r", null));
        // A view that gets only the events handed to it here, as a server before 3.9 sends them.
        ZnodeLayout paths = ZnodeLayout.of(SUPERVISOR).withPrefix("/view");
        SupervisorView view = new SupervisorView(plain.getZookeeperClient().getZooKeeper(), "observer", -1,
                paths, new SessionListener() {
                }, Duration.ZERO, io.distributedsupervisor.Scheduler.system(), Duration.ofSeconds(10), Duration.ofSeconds(4),
                () -> false, trust(), org.apache.zookeeper.ZooDefs.Ids.OPEN_ACL_UNSAFE);
        view.process(event(org.apache.zookeeper.Watcher.Event.EventType.NodeCreated, paths.member("a")));
        await().until(() -> view.members().containsKey("a"));
        for (String key : List.of("k", "r")) {
            // what a claim's transaction brings: member touch, spec created, owner created (and
            // set, when the spec is pinned); the spec's event only once the view watches specs
            view.process(event(org.apache.zookeeper.Watcher.Event.EventType.NodeDataChanged, paths.member("a")));
            view.process(event(org.apache.zookeeper.Watcher.Event.EventType.NodeCreated, paths.spec(key)));
            view.process(event(org.apache.zookeeper.Watcher.Event.EventType.NodeCreated, paths.owner(key)));
            if (key.equals("k")) {
                view.process(event(org.apache.zookeeper.Watcher.Event.EventType.NodeDataChanged, paths.owner("k")));
            }
        }

        await().untilAsserted(() -> {
            assertThat(view.owner("k")).isEqualTo(pinned);
            assertThat(view.owner("r")).isEqualTo(placed);
        });
        assertThat(view.placements(List.of("k", "r"))).containsOnly(Map.entry("k", Optional.of("a")),
                Map.entry("r", Optional.empty()));

        // Having met an event without a zxid, the view watches the specs itself: a spec stored
        // and one removed later are seen without an event handed to it.
        a.claimNew("later", spec("later", null));
        a.releaseAndRemoveSpec("k");
        await().untilAsserted(() -> {
            assertThat(view.hasSpec("later")).isTrue();
            assertThat(view.hasSpec("k")).isFalse();
        });
        view.stop();
    }

    /** What the tests' nodes believe: proofs of the tests' secret, learning owners from events as a closed ACL allows. */
    private static SupervisorView.Trust trust() {
        return new SupervisorView.Trust(proofs(), new UntrustedEntries("observer", new SessionListener() {
        }, () -> false), true, () -> {
        });
    }

    private static MemberProofs proofs() {
        return MemberProofs.of(EmbeddedZooKeeper.TEST_SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                "view/" + SUPERVISOR, SUPERVISOR);
    }

    private static org.apache.zookeeper.WatchedEvent event(org.apache.zookeeper.Watcher.Event.EventType type,
                                                          String path) {
        return new org.apache.zookeeper.WatchedEvent(type, org.apache.zookeeper.Watcher.Event.KeeperState.SyncConnected,
                path);
    }

    /** Runs {@code body(0 .. threads-1)} on as many virtual threads at once; fails if one of them fails. */
    private static void inParallel(int threads, java.util.function.IntConsumer body) throws InterruptedException {
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            int index = t;
            Thread.startVirtualThread(() -> {
                try {
                    body.accept(index);
                } catch (Throwable x) {
                    failures.add(x);
                } finally {
                    done.countDown();
                }
            });
        }
        assertThat(done.await(120, TimeUnit.SECONDS)).as("all threads done").isTrue();
        assertThat(failures).isEmpty();
    }

    private static SpecRecord spec(String key, String node) {
        return new SpecRecord(("spec of " + key).getBytes(java.nio.charset.StandardCharsets.UTF_8), node);
    }

    /** Owner entries as ZooKeeper holds them: node and restarts from the data, epoch and session from the stat. */
    private Map<String, Owner> ownersInZooKeeper() throws Exception {
        Map<String, Owner> result = new HashMap<>();
        ZnodeLayout paths = ZnodeLayout.of(SUPERVISOR).withPrefix("/view");
        for (String key : keys(paths.owners())) {
            Stat stat = new Stat();
            byte[] data = plain.getData().storingStatIn(stat).forPath(paths.owner(key));
            result.put(key, proofs().verifiedOwner(key, data, stat));
        }
        return result;
    }

    private Map<String, Optional<String>> placementsInZooKeeper() throws Exception {
        Map<String, Optional<String>> result = new HashMap<>();
        ZnodeLayout paths = ZnodeLayout.of(SUPERVISOR).withPrefix("/view");
        for (String key : keys(paths.children())) {
            byte[] data = plain.getData().forPath(paths.spec(key));
            result.put(key, Optional.ofNullable(ZnodeData.specNode(key, data)));
        }
        return result;
    }

    /** The keys in the buckets of {@code folder}. */
    private List<String> keys(String folder) throws Exception {
        List<String> keys = new ArrayList<>();
        for (String bucket : plain.getChildren().forPath(folder)) {
            keys.addAll(plain.getChildren().forPath(folder + "/" + bucket));
        }
        return keys;
    }
}
