package io.distributedsupervisor.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.spi.BackendException;
import io.distributedsupervisor.spi.ClaimConflictException;
import io.distributedsupervisor.spi.Delivery;
import io.distributedsupervisor.spi.NodeSession;
import io.distributedsupervisor.spi.Owner;
import io.distributedsupervisor.spi.SessionState;
import io.distributedsupervisor.spi.SpecRecord;
import io.distributedsupervisor.tck.RecordingListener.OwnerRemoved;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link io.distributedsupervisor.spi.Backend} must have, as a user of the
 * SPI (the node runtime) relies on it. A backend's test extends this class and implements
 * {@link #newCluster()}; each test gets a fresh cluster, closed after it even when it fails.
 *
 * <p>Reads may answer from a local cache, so anything one session wrote is awaited on the others;
 * what the writer's own call returns or throws is checked at once.
 */
public abstract class BackendTck {
    /** The supervisor group every test uses. */
    protected static final String DS = "DS";
    /** How long a change may take to reach every session. */
    protected static final Duration WAIT = Duration.ofSeconds(20);

    private TckCluster cluster;
    private final Map<NodeSession, RecordingListener> listeners = new ConcurrentHashMap<>();
    private final Map<NodeSession, RecordingHandler> handlers = new ConcurrentHashMap<>();

    /** A new, empty cluster of the backend under test. */
    protected abstract TckCluster newCluster() throws Exception;

    @BeforeEach
    void startCluster() throws Exception {
        cluster = newCluster();
    }

    @AfterEach
    void closeCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    // ---- membership ----

    @Test
    void joinedNodesAreLiveMembersOnEverySession() {
        NodeSession a = join("a");
        NodeSession b = join("b");
        int aToldBefore = events(a).membersChanged();
        NodeSession c = join("c");

        for (NodeSession s : List.of(a, b, c)) {
            eventually().untilAsserted(() -> assertThat(s.members()).containsOnlyKeys("a", "b", "c"));
            assertThat(s.members().get("b").node()).isEqualTo("b");
            assertThat(s.node()).isIn("a", "b", "c");
        }
        assertThat(List.of(a.sessionId(), b.sessionId(), c.sessionId())).doesNotHaveDuplicates();
        eventually().untilAsserted(() -> assertThat(events(a).membersChanged()).isGreaterThan(aToldBefore));
    }

    @Test
    void aLiveNodeNameCannotJoinTwice() {
        NodeSession a = join("a");
        eventually().untilAsserted(() -> assertThat(a.members()).containsKey("a"));

        assertThatThrownBy(() -> join("a")).isInstanceOf(BackendException.class).hasMessageContaining("a");
        assertThat(a.holdsLease()).isTrue();
        assertThat(a.members()).containsKey("a");

        long firstSession = a.sessionId();
        a.close();
        NodeSession again = join("a");
        assertThat(again.sessionId()).isNotEqualTo(firstSession);
        eventually().untilAsserted(() -> assertThat(again.members()).containsKey("a"));
    }

    @Test
    void leaveRemovesTheMemberButKeepsOwnersAndOutgoingTransport() throws Exception {
        NodeSession a = join("a");
        NodeSession b = join("b");
        Owner owner = a.claimNew("k1", null);
        eventually().untilAsserted(() -> assertThat(b.members()).containsOnlyKeys("a", "b"));
        int bToldBefore = events(b).membersChanged();

        a.leave();
        a.leave(); // idempotent

        eventually().untilAsserted(() -> {
            assertThat(b.members()).containsOnlyKeys("b");
            assertThat(a.members()).containsOnlyKeys("b");
            assertThat(events(b).membersChanged()).isGreaterThan(bToldBefore);
        });
        assertThat(b.owner("k1")).contains(owner);
        assertThat(ask(a, "b", "still here")).isEqualTo(RecordingHandler.reply("b", "a", "still here"));
        assertThat(a.release("k1")).isTrue();
    }

    @Test
    void closeRemovesTheMemberAndItsOwnersAndTellsTheOthers() {
        NodeSession a = join("a");
        NodeSession b = join("b");
        Owner k1 = a.claimNew("k1", spec("k1"));
        Owner k2 = a.claimNew("k2", null);
        eventually().untilAsserted(() -> {
            assertThat(b.members()).containsOnlyKeys("a", "b");
            assertThat(b.owner("k2")).contains(k2);
        });
        int bToldBefore = events(b).membersChanged();

        a.close();
        a.close(); // idempotent

        assertThat(a.holdsLease()).isFalse();
        assertThatThrownBy(() -> a.claimNew("k3", null)).isInstanceOf(BackendException.class);
        eventually().untilAsserted(() -> {
            assertThat(b.members()).containsOnlyKeys("b");
            assertThat(events(b).membersChanged()).isGreaterThan(bToldBefore);
            assertThat(b.owner("k1")).isEmpty();
            assertThat(b.owner("k2")).isEmpty();
            assertThat(events(b).ownersRemoved())
                    .contains(new OwnerRemoved("k1", k1), new OwnerRemoved("k2", k2));
        });
        assertThat(b.spec("k1")).contains(spec("k1"));
    }

    /**
     * A crashed session's entries: one without a stored spec is removed and told so everywhere; one
     * with a spec is either removed (told everywhere) or handed on, without a claim, to one live
     * member (a succession: every session sees that member's entry, with a newer epoch, and that
     * member is told it inherited the key). Either way exactly one answer, the same on every node.
     */
    @Test
    void crashRemovesTheMemberAndHandsOnOrRemovesItsOwnersAndKeepsSpecs() throws Exception {
        NodeSession a = join("a");
        NodeSession b = join("b");
        NodeSession c = join("c");
        Owner k1 = a.claimNew("k1", spec("k1"));
        Owner k2 = a.claimNew("k2", null);
        Owner k3 = a.claimNew("k3", spec("k3"));
        Owner other = b.claimNew("other", spec("other"));
        for (NodeSession s : List.of(b, c)) {
            eventually().untilAsserted(() -> {
                assertThat(s.members()).containsOnlyKeys("a", "b", "c");
                assertThat(s.owner("k3")).contains(k3);
            });
        }

        cluster.crash(a);

        Map<String, NodeSession> live = Map.of("b", b, "c", c);
        for (NodeSession s : live.values()) {
            eventually().untilAsserted(() -> {
                assertThat(s.members()).containsOnlyKeys("b", "c");
                assertThat(s.owner("k2")).isEmpty();
                assertThat(events(s).ownersRemoved()).contains(new OwnerRemoved("k2", k2));
            });
            assertThat(s.spec("k1")).contains(spec("k1"));
            assertThat(s.spec("k3")).contains(spec("k3"));
            assertThat(s.owner("other")).contains(other);
            assertThat(events(s).ownersRemoved()).extracting(OwnerRemoved::key).doesNotContain("other");
        }
        for (Map.Entry<String, Owner> crashed : Map.of("k1", k1, "k3", k3).entrySet()) {
            String key = crashed.getKey();
            eventually().untilAsserted(() -> {
                Optional<Owner> seen = b.owner(key);
                assertThat(c.owner(key)).as("%s: the same answer on every node", key).isEqualTo(seen);
                if (seen.isEmpty()) {
                    for (NodeSession s : live.values()) {
                        assertThat(events(s).ownersRemoved()).contains(new OwnerRemoved(key, crashed.getValue()));
                    }
                } else {
                    NodeSession heir = live.get(seen.get().node());
                    assertThat(heir).as("%s handed on to a live member: %s", key, seen.get()).isNotNull();
                    assertThat(seen.get().session()).isEqualTo(heir.sessionId());
                    assertThat(seen.get().epoch()).isGreaterThan(crashed.getValue().epoch());
                    assertThat(events(heir).inherited()).contains(key);
                    assertThat(events(heir).inheritedPartsFollow()).as("the succession's last part told").isFalse();
                    for (NodeSession s : live.values()) {
                        if (s != heir) {
                            assertThat(events(s).inherited()).doesNotContain(key);
                        }
                    }
                }
            });
        }
    }

    @Test
    void aCrashedSessionIsToldItEndedAndRefusesWritesAndTransport() throws Exception {
        NodeSession a = join("a");
        NodeSession b = join("b");
        a.claimNew("k", spec("k"));
        assertThat(a.holdsLease()).isTrue();

        cluster.crash(a);

        eventually().untilAsserted(() -> assertThat(events(a).states())
                .as("a crashed session ends: LOST or CLOSED").containsAnyOf(SessionState.LOST, SessionState.CLOSED));
        assertThat(a.holdsLease()).isFalse();
        assertThatThrownBy(() -> a.claimNew("k2", null)).isInstanceOf(BackendException.class);
        assertThatThrownBy(() -> a.claimStored("k")).isInstanceOf(BackendException.class);
        assertThatThrownBy(() -> a.release("k")).isInstanceOf(BackendException.class);
        assertThatThrownBy(() -> a.releaseAndRemoveSpec("k")).isInstanceOf(BackendException.class);
        assertThatThrownBy(() -> a.removeSpec("k")).isInstanceOf(BackendException.class);
        assertNotSent(a.request("b", bytes("from the dead")));
        assertThat(a.send("b", bytes("from the dead"))).isInstanceOf(Delivery.NotSent.class);
        assertThat(handler(b).received()).isEmpty();
    }

    // ---- owner registry ----

    @Test
    void claimNewIsAtomicUnderConcurrentClaimers() throws Exception {
        int nodes = 8;
        int keys = 500;
        List<NodeSession> sessions = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            sessions.add(join("n" + i));
        }
        Map<String, NodeSession> winners = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> wins = new ConcurrentHashMap<>();
        List<String> wrongConflicts = Collections.synchronizedList(new ArrayList<>());
        Map<String, List<Owner>> conflictOwners = new ConcurrentHashMap<>();
        AtomicInteger conflicts = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(nodes);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int n = 0; n < nodes; n++) {
                NodeSession s = sessions.get(n);
                List<String> order = new ArrayList<>();
                for (int k = 0; k < keys; k++) {
                    order.add("key" + k);
                }
                Collections.shuffle(order, new Random(n));
                done.add(pool.submit(() -> {
                    go.await();
                    for (String key : order) {
                        try {
                            Owner owner = s.claimNew(key, null);
                            if (owner.session() != s.sessionId() || !owner.node().equals(s.node())) {
                                wrongConflicts.add(key + ": won but got " + owner);
                            }
                            winners.put(key, s);
                            wins.computeIfAbsent(key, x -> new AtomicInteger()).incrementAndGet();
                        } catch (ClaimConflictException e) {
                            conflicts.incrementAndGet();
                            e.existing().ifPresent(o -> conflictOwners
                                    .computeIfAbsent(key, x -> Collections.synchronizedList(new ArrayList<>())).add(o));
                            if (e.existing().filter(o -> o.session() == s.sessionId()).isPresent()) {
                                wrongConflicts.add(key + ": " + s.node() + " lost to itself");
                            }
                        }
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(WAIT.toSeconds() * 3, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        }

        assertThat(wrongConflicts).isEmpty();
        assertThat(wins).hasSize(keys);
        assertThat(wins.values()).allSatisfy(w -> assertThat(w.get()).isEqualTo(1));
        assertThat(conflicts.get()).isEqualTo(keys * (nodes - 1));
        conflictOwners.forEach((key, owners) -> assertThat(owners)
                .allSatisfy(o -> assertThat(o.session()).as("owner named in a conflict on " + key)
                        .isEqualTo(winners.get(key).sessionId())));
        for (NodeSession s : sessions) {
            eventually().untilAsserted(() -> {
                Map<String, Owner> seen = new HashMap<>();
                s.forEachOwner(seen::put);
                assertThat(seen).hasSize(keys);
                seen.forEach((key, owner) -> {
                    NodeSession winner = winners.get(key);
                    assertThat(owner.node()).isEqualTo(winner.node());
                    assertThat(owner.session()).isEqualTo(winner.sessionId());
                });
            });
        }
    }

    @Test
    void claimNewConflictsWithAnOwnerOrWithAStoredSpec() {
        NodeSession a = join("a");
        NodeSession b = join("b");
        Owner first = a.claimNew("k", spec("k", "first"));

        assertThatThrownBy(() -> b.claimNew("k", null)).isInstanceOfSatisfying(ClaimConflictException.class,
                e -> assertThat(e.existing()).contains(first));
        assertThatThrownBy(() -> b.claimNew("k", spec("k", "second"))).isInstanceOf(ClaimConflictException.class);

        assertThat(a.release("k")).isTrue();
        // no owner now, but the spec is stored: a new child with a spec may not overwrite it
        assertThatThrownBy(() -> b.claimNew("k", spec("k", "second"))).isInstanceOf(ClaimConflictException.class);
        eventually().untilAsserted(() -> assertThat(b.spec("k")).contains(spec("k", "first")));

        Owner second = b.claimNew("k", null);
        assertThat(second.node()).isEqualTo("b");
        assertThat(second.session()).isEqualTo(b.sessionId());
        eventually().untilAsserted(() -> assertThat(a.owner("k")).contains(second));
        assertThat(a.spec("k")).contains(spec("k", "first"));
    }

    @Test
    void freshOwnerSeesAClaimOfAnotherSessionAtOnceAndItsRelease() {
        NodeSession a = join("a");
        NodeSession b = join("b");
        Owner owner = a.claimNew("k", spec("k"));
        // no waiting: the miss path of a call through b right after a start through a
        assertThat(b.freshOwner("k")).contains(owner);
        assertThat(b.freshOwner("nobody")).isEmpty();
        assertThat(a.releaseAndRemoveSpec("k")).isTrue();
        assertThat(b.freshOwner("k")).isEmpty();
    }

    @Test
    void claimStoredNeedsAStoredSpecAndNoOwner() {
        NodeSession a = join("a");
        NodeSession b = join("b");

        assertThat(b.claimStored("nothing")).isEmpty();
        assertThat(b.owner("nothing")).isEmpty();

        Owner first = a.claimNew("k", spec("k"));
        assertThatThrownBy(() -> b.claimStored("k")).isInstanceOfSatisfying(ClaimConflictException.class,
                e -> assertThat(e.existing()).contains(first));

        assertThat(a.release("k")).isTrue();
        Optional<Owner> second = b.claimStored("k");
        assertThat(second).isPresent();
        assertThat(second.get().node()).isEqualTo("b");
        assertThat(second.get().session()).isEqualTo(b.sessionId());
        assertThat(second.get().epoch()).isGreaterThan(first.epoch());
        eventually().untilAsserted(() -> assertThat(a.owner("k")).isEqualTo(second));

        assertThat(b.releaseAndRemoveSpec("k")).isTrue();
        assertThat(a.claimStored("k")).isEmpty();
        assertThat(a.owner("k")).isEmpty();
    }

    @Test
    void claimingManyStoredSpecsTakesTheFreeOnesAndLeavesOutTheRest() {
        NodeSession a = join("a");
        NodeSession b = join("b");
        List<String> free = new ArrayList<>();
        for (int i = 0; i < 450; i++) {
            String key = "free-" + i;
            a.claimNew(key, spec(key));
            assertThat(a.release(key)).isTrue();
            free.add(key);
        }
        Owner taken = a.claimNew("taken", spec("taken"));
        List<String> keys = new ArrayList<>(free);
        keys.add(17, "taken");
        keys.add(301, "no-spec");

        Map<String, Owner> claimed = b.claimStored(keys);

        assertThat(claimed).containsOnlyKeys(free);
        assertThat(claimed.values()).allSatisfy(o -> {
            assertThat(o.node()).isEqualTo("b");
            assertThat(o.session()).isEqualTo(b.sessionId());
            assertThat(o.epoch()).isGreaterThan(taken.epoch());
        });
        assertThat(b.owner("taken")).as("an owned key stays its owner's").contains(taken);
        assertThat(b.owner("no-spec")).isEmpty();
        for (NodeSession s : List.of(a, b)) {
            eventually().untilAsserted(() -> {
                for (String key : free) {
                    assertThat(s.owner(key)).as("%s on %s", key, s.node()).contains(claimed.get(key));
                }
            });
        }
        assertThat(b.claimStored(free)).as("claimed already").isEmpty();
    }

    @Test
    void epochsStrictlyGrowAcrossClaims() {
        NodeSession a = join("a");
        NodeSession b = join("b");
        List<Long> epochs = new ArrayList<>();

        epochs.add(a.claimNew("k1", null).epoch());
        epochs.add(b.claimNew("k2", spec("k2")).epoch());
        assertThat(a.release("k1")).isTrue();
        epochs.add(b.claimNew("k1", null).epoch());
        assertThat(b.release("k2")).isTrue();
        epochs.add(a.claimStored("k2").orElseThrow().epoch());
        epochs.add(a.claimNew("k3", spec("k3")).epoch());
        Owner k3 = a.owner("k3").orElseThrow();
        assertThat(a.updateOwner("k3", k3.restarted())).isTrue();
        epochs.add(b.claimNew("k4", null).epoch());

        for (int i = 1; i < epochs.size(); i++) {
            assertThat(epochs.get(i)).as("epoch of claim " + i + " in " + epochs).isGreaterThan(epochs.get(i - 1));
        }
    }

    @Test
    void onlyTheOwningSessionMayUpdateOrReleaseAnEntry() {
        NodeSession a = join("a");
        NodeSession b = join("b");
        Owner owner = a.claimNew("k", spec("k"));
        eventually().untilAsserted(() -> assertThat(b.owner("k")).contains(owner));

        assertThat(b.release("k")).isFalse();
        assertThat(b.updateOwner("k", new Owner("b", owner.epoch(), 1, b.sessionId()))).isFalse();
        assertThat(b.releaseAndRemoveSpec("k")).isFalse();
        assertThat(b.release("unowned")).isFalse();
        assertThat(a.release("unowned")).isFalse();

        assertThat(a.owner("k")).contains(owner);
        assertThat(b.owner("k")).contains(owner);
        assertThat(a.spec("k")).contains(spec("k"));
        assertThat(events(a).ownersRemoved()).isEmpty();
    }

    @Test
    void theOwnerRecordsRestartsAndReleasesWithItsSpec() {
        NodeSession a = join("a");
        NodeSession b = join("b");
        Owner owner = a.claimNew("k", spec("k"));

        Owner restarted = owner.restarted();
        assertThat(a.updateOwner("k", restarted)).isTrue();
        eventually().untilAsserted(() -> assertThat(b.owner("k")).contains(restarted));
        assertThat(b.owner("k").orElseThrow().epoch()).isEqualTo(owner.epoch());

        assertThat(a.releaseAndRemoveSpec("k")).isTrue();
        assertThat(a.release("k")).isFalse();
        for (NodeSession s : List.of(a, b)) {
            eventually().untilAsserted(() -> {
                assertThat(s.owner("k")).isEmpty();
                assertThat(s.spec("k")).isEmpty();
                assertThat(events(s).ownersRemoved()).contains(new OwnerRemoved("k", restarted));
                assertThat(events(s).specsRemoved()).contains("k");
            });
        }
    }

    @Test
    void releaseKeepsTheSpecAndEverySessionIsTold() {
        NodeSession a = join("a");
        NodeSession b = join("b");
        Owner owner = a.claimNew("k", spec("k"));

        assertThat(a.release("k")).isTrue();

        for (NodeSession s : List.of(a, b)) {
            eventually().untilAsserted(() -> {
                assertThat(s.owner("k")).isEmpty();
                assertThat(events(s).ownersRemoved()).as("told on " + s.node()).contains(new OwnerRemoved("k", owner));
            });
            assertThat(s.spec("k")).contains(spec("k"));
            assertThat(events(s).specsRemoved()).isEmpty();
        }
    }

    @Test
    void listenersRunOutsideTheWritersCall() {
        NodeSession a = join("a");
        join("b");
        a.claimNew("k", null);
        a.release("k");

        eventually().untilAsserted(() -> assertThat(events(a).ownersRemoved()).isNotEmpty());
        assertThat(events(a).threads()).doesNotContain(Thread.currentThread());
    }

    // ---- child store ----

    @Test
    void theSpecStoreIsSharedAndRemovalsAreAnnounced() {
        NodeSession a = join("a");
        NodeSession b = join("b");
        NodeSession c = join("c");
        Owner owner = a.claimNew("k", spec("k"));

        for (NodeSession s : List.of(a, b, c)) {
            eventually().untilAsserted(() -> {
                assertThat(s.hasSpec("k")).isTrue();
                assertThat(s.spec("k")).contains(spec("k"));
                List<String> keys = new ArrayList<>();
                s.forEachSpecKey(keys::add);
                assertThat(keys).containsExactly("k");
                assertThat(s.specs(List.of("k", "never-stored"))).containsExactly(Map.entry("k", spec("k")));
            });
        }

        assertThat(c.removeSpec("k")).isTrue();
        assertThat(c.removeSpec("k")).isFalse();

        for (NodeSession s : List.of(a, b, c)) {
            eventually().untilAsserted(() -> {
                assertThat(s.hasSpec("k")).isFalse();
                assertThat(s.spec("k")).isEmpty();
                assertThat(events(s).specsRemoved()).as("told on " + s.node()).containsExactly("k");
            });
            assertThat(s.owner("k")).as("the owner entry is independent of the spec").contains(owner);
        }
    }

    @Test
    void theKeysWithoutOwnerAreTheStoredSpecsThatNoEntryHolds() {
        NodeSession a = join("a");
        NodeSession b = join("b");
        a.claimNew("held", spec("held"));
        a.claimNew("released", spec("released"));
        a.claimNew("no-spec", null);
        assertThat(a.release("released")).isTrue();

        for (NodeSession s : List.of(a, b)) {
            eventually().untilAsserted(() -> {
                assertThat(s.owner("released")).isEmpty();
                assertThat(s.owner("no-spec")).isPresent();
                List<String> keys = new ArrayList<>();
                s.forEachSpecKeyWithoutOwner(keys::add);
                assertThat(keys).as("orphans seen by %s", s.node()).containsExactly("released");
            });
        }
    }

    // ---- transport ----

    @Test
    void requestsGetRepliesBothWays() throws Exception {
        NodeSession a = join("a");
        NodeSession b = join("b");
        eventually().untilAsserted(() -> assertThat(a.members()).containsKeys("a", "b"));
        eventually().untilAsserted(() -> assertThat(b.members()).containsKeys("a", "b"));

        assertThat(ask(a, "b", "ping")).isEqualTo(RecordingHandler.reply("b", "a", "ping"));
        assertThat(ask(b, "a", "pong")).isEqualTo(RecordingHandler.reply("a", "b", "pong"));
        assertThat(b.send("a", bytes("one-way"))).isEqualTo(Delivery.SENT);
        eventually().untilAsserted(() -> assertThat(handler(a).received()).containsExactly("pong", "one-way"));
        assertThat(handler(b).received()).containsExactly("ping");
    }

    @Test
    void messagesFromOneSenderArriveInTheOrderSent() throws Exception {
        NodeSession a = join("a");
        NodeSession b = join("b");
        eventually().untilAsserted(() -> assertThat(a.members()).containsKeys("a", "b"));
        int count = 10_000;
        List<CompletableFuture<Delivery>> replies = new ArrayList<>();
        List<String> expected = new ArrayList<>();

        for (int i = 0; i < count; i++) {
            expected.add(Integer.toString(i));
            if (i % 3 == 0) {
                replies.add(a.request("b", bytes(Integer.toString(i))));
            } else {
                assertThat(a.send("b", bytes(Integer.toString(i)))).as("send " + i).isEqualTo(Delivery.SENT);
            }
        }

        eventually().untilAsserted(() -> assertThat(handler(b).count()).isEqualTo(count));
        assertThat(handler(b).received()).isEqualTo(expected);
        CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(text(replies.get(1).get())).isEqualTo(RecordingHandler.reply("b", "a", "3"));
    }

    @Test
    void anUnknownOrCrashedNodeIsNotSentTo() throws Exception {
        NodeSession a = join("a");
        NodeSession b = join("b");
        eventually().untilAsserted(() -> assertThat(a.members()).containsKeys("a", "b"));

        assertNotSent(a.request("nobody", bytes("hello")));
        assertThat(a.send("nobody", bytes("hello"))).isInstanceOf(Delivery.NotSent.class);

        cluster.crash(b);
        eventually().untilAsserted(() -> assertThat(a.members()).doesNotContainKey("b"));

        assertNotSent(a.request("b", bytes("hello")));
        assertThat(a.send("b", bytes("hello"))).isInstanceOf(Delivery.NotSent.class);
        assertThat(handler(b).received()).isEmpty();
    }

    @Test
    void aRequestPendingWhenItsNodeClosesMayHaveBeenDelivered() throws Exception {
        NodeSession a = join("a");
        NodeSession b = join("b");
        eventually().untilAsserted(() -> assertThat(a.members()).containsKeys("a", "b"));

        CompletableFuture<Delivery> held = a.request("b", bytes(RecordingHandler.HOLD));
        eventually().untilAsserted(() -> assertThat(handler(b).received()).contains(RecordingHandler.HOLD));
        b.close();

        assertThat(held.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isInstanceOf(Delivery.MaybeDelivered.class);
    }

    @Test
    void aHandlerThatThrowsIsARefusalByThatNode() throws Exception {
        NodeSession a = join("a");
        NodeSession b = join("b");
        eventually().untilAsserted(() -> assertThat(a.members()).containsKeys("a", "b"));

        Delivery d = a.request("b", bytes(RecordingHandler.THROW)).get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(d).isInstanceOfSatisfying(Delivery.Refused.class, r -> assertThat(r.node()).isEqualTo("b"));
        assertThat(ask(a, "b", "still answering")).isEqualTo(RecordingHandler.reply("b", "a", "still answering"));
    }

    @Test
    void theLeaseHoldsWhileConnected() {
        NodeSession a = join("a");
        assertThat(a.holdsLease()).isTrue();
        a.claimNew("k", null);
        assertThat(a.holdsLease()).isTrue();
        a.close();
        assertThat(a.holdsLease()).isFalse();
    }

    // ---- helpers for subclasses and the tests above ----

    /** Joins {@code node} to {@link #DS} with a {@link RecordingListener} and a {@link RecordingHandler}. */
    protected NodeSession join(String node) {
        RecordingListener listener = new RecordingListener();
        RecordingHandler handler = new RecordingHandler(node);
        NodeSession session = cluster.join(DS, node, listener, handler);
        listeners.put(session, listener);
        handlers.put(session, handler);
        return session;
    }

    protected TckCluster cluster() {
        return cluster;
    }

    protected RecordingListener events(NodeSession session) {
        return listeners.get(session);
    }

    protected RecordingHandler handler(NodeSession session) {
        return handlers.get(session);
    }

    /** A stored spec for the child with id {@code id}: bytes the backend keeps and gives back, never reads. */
    protected static SpecRecord spec(String id) {
        return spec(id, "arg");
    }

    protected static SpecRecord spec(String id, String arg) {
        return new SpecRecord(bytes("spec of " + id + ": " + arg), null);
    }

    protected static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    protected static String text(Delivery delivery) {
        assertThat(delivery).isInstanceOf(Delivery.Replied.class);
        return new String(((Delivery.Replied) delivery).reply(), StandardCharsets.UTF_8);
    }

    /** Sends {@code message} from {@code from} to {@code to} and returns the reply's text. */
    protected static String ask(NodeSession from, String to, String message) throws Exception {
        return text(from.request(to, bytes(message)).get(WAIT.toSeconds(), TimeUnit.SECONDS));
    }

    protected static ConditionFactory eventually() {
        return await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5));
    }

    /** The request was not sent, and that was known promptly (well within {@link #WAIT}). */
    protected static void assertNotSent(CompletableFuture<Delivery> future) throws Exception {
        assertThat(future.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isInstanceOf(Delivery.NotSent.class);
    }
}
