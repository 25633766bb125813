package io.distributedsupervisor.internal;

import static io.distributedsupervisor.tck.supervisor.TestChildren.GATES;
import static io.distributedsupervisor.tck.supervisor.TestChildren.inits;
import static io.distributedsupervisor.tck.supervisor.TestChildren.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.Health;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.Restart;
import io.distributedsupervisor.Scheduler;
import io.distributedsupervisor.SupervisorOptions;
import io.distributedsupervisor.Ticker;
import io.distributedsupervisor.protocol.WireFormat;
import io.distributedsupervisor.spi.CodecException;
import io.distributedsupervisor.spi.Listener;
import io.distributedsupervisor.spi.SpecRecord;
import io.distributedsupervisor.tck.supervisor.Nodes;
import io.distributedsupervisor.tck.supervisor.TestChildren.Counter;
import io.distributedsupervisor.tck.supervisor.TestChildren.GatedInit;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the runtime does with owner entries a backend says this node inherited by succession
 * ({@code SessionListener.onInherited}), and when it tells its session that the settle time is
 * over ({@code NodeSession.settled}), on a {@link OneNodeBackend} whose writes it records.
 */
class InheritedStartsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final OneNodeBackend backend = new OneNodeBackend();
    private final List<DistributedSupervisor> nodes = new ArrayList<>();
    /** The {@code children} of each {@code onFailover}, in order. */
    private final List<Integer> failovers = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() {
        nodes.forEach(DistributedSupervisor::close);
        backend.close();
    }

    private SupervisorOptions options(UnaryOperator<SupervisorOptions.Builder> custom) {
        Listener failoverLog = new Listener() {
            @Override
            public void onFailover(String supervisor, List<String> lostNodes, int children, Duration took) {
                failovers.add(children);
            }
        };
        return custom.apply(Nodes.options("n1").backend(backend).shutdownHook(false).settleTime(Duration.ZERO)
                .reconcileInterval(Duration.ofMillis(100)).listeners(List.of(failoverLog))).build();
    }

    private DistributedSupervisor start(SupervisorOptions options) {
        DistributedSupervisor n = DistributedSupervisor.start(options);
        nodes.add(n);
        return n;
    }

    /**
     * {@code spec} as its node stores it, with the same codec, under its key: for
     * {@link OneNodeBackend#inheritWithSpecs}, which stores a spec with its entry, so that no full
     * scan takes it for an orphan in between.
     */
    private static Map<String, SpecRecord> encoded(SupervisorOptions options, ChildSpec spec) throws CodecException {
        byte[] bytes = new WireFormat(options.name(), options.codec()).encodeSpec(spec);
        return Map.of(ChildKey.encode(spec.id()), new SpecRecord(bytes, null));
    }

    private static List<String> keys(List<?> ids) {
        return ids.stream().map(ChildKey::encode).toList();
    }

    /** Waits until the node has run at least {@code n} more full scans. */
    private void awaitFullScans(int n) {
        int from = backend.specKeyScans.get();
        await().atMost(WAIT).until(() -> backend.specKeyScans.get() >= from + n);
    }

    @Test
    void startsWhatItInheritsFromTheStoredSpecsUnderTheEntriesTheBackendGivesWithoutClaimingThem() throws Exception {
        SupervisorOptions options = options(b -> b);
        DistributedSupervisor n1 = start(options);
        String own = uniqueId("own");
        Pid ownPid = n1.startChild(ChildSpec.of(Counter.class).withId(own)).pid();

        List<String> heirs = List.of(uniqueId("heir"), uniqueId("heir"), uniqueId("heir"));
        Map<String, SpecRecord> stored = new java.util.LinkedHashMap<>();
        for (String id : heirs) {
            stored.putAll(encoded(options, ChildSpec.of(Counter.class, 10).withId(id)));
        }
        String temporary = uniqueId("temporary");
        stored.putAll(encoded(options, ChildSpec.of(Counter.class).withId(temporary).withRestart(Restart.TEMPORARY)));
        String unreadable = uniqueId("unreadable");
        stored.put(ChildKey.encode(unreadable), new SpecRecord("not a spec".getBytes(StandardCharsets.UTF_8), null));
        String noSpec = uniqueId("no-spec");
        List<String> notRun = List.of(temporary, unreadable, noSpec);

        long epoch = backend.inheritWithSpecs(stored);
        backend.inherit(keys(List.of(noSpec)));

        await().atMost(WAIT).untilAsserted(() -> assertThat(n1.localChildren()).extracting(Pid::id)
                .containsExactlyInAnyOrder(own, heirs.get(0), heirs.get(1), heirs.get(2)));
        Map<String, Pid> heirPids = new HashMap<>();
        for (String id : heirs) {
            Pid pid = n1.whereis(id).orElseThrow();
            assertThat(pid.node()).isEqualTo("n1");
            assertThat(pid.incarnation().epoch()).as("the entry the backend gave, not a claim's").isEqualTo(epoch);
            assertThat(n1.<Integer>call(id, "get")).as("started from the stored spec").isEqualTo(10);
            heirPids.put(id, pid);
        }
        assertThat(backend.claimedStored).as("no claim of an inherited key").isEmpty();
        assertThat(backend.claimedNew).containsExactly(ChildKey.encode(own));
        await().atMost(WAIT).untilAsserted(() -> assertThat(backend.released)
                .containsExactlyInAnyOrderElementsOf(keys(notRun)));
        for (String id : notRun) {
            assertThat(backend.owner(ChildKey.encode(id))).as("%s given back", id).isEmpty();
            assertThat(inits(id)).as("%s never ran", id).isZero();
        }

        await().atMost(WAIT).until(() -> !failovers.isEmpty());
        assertThat(failovers).as("the inherited children, counted as taken over").containsExactly(3);
        Health.Failover last = n1.health().lastFailover().orElseThrow();
        assertThat(last.children()).isEqualTo(3);
        assertThat(n1.health().failoverInProgress()).isFalse();

        // Told again (a reload), with one key more: what runs here is left alone.
        String later = uniqueId("later");
        backend.inheritWithSpecs(encoded(options, ChildSpec.of(Counter.class, 20).withId(later)));
        List<String> again = new ArrayList<>(heirs);
        again.add(own);
        backend.tellInherited(keys(again));
        await().atMost(WAIT).until(() -> n1.whereis(later).isPresent() && n1.localChildren().size() == 5);
        assertThat(n1.<Integer>call(later, "get")).isEqualTo(20);
        await().atMost(WAIT).until(() -> failovers.size() == 2);
        assertThat(failovers).containsExactly(3, 1);
        for (String id : heirs) {
            assertThat(n1.whereis(id)).contains(heirPids.get(id));
            assertThat(inits(id)).as("%s started once", id).isEqualTo(1);
        }
        assertThat(n1.whereis(own)).contains(ownPid);
        assertThat(inits(own)).isEqualTo(1);

        // Full scans neither take an inherited key for an orphan nor drop its child as fenced.
        awaitFullScans(3);
        assertThat(n1.localChildren()).extracting(Pid::id)
                .containsExactlyInAnyOrder(own, later, heirs.get(0), heirs.get(1), heirs.get(2));
        for (String id : heirs) {
            assertThat(n1.whereis(id)).contains(heirPids.get(id));
        }
        assertThat(backend.claimedStored).isEmpty();
        assertThat(backend.released).containsExactlyInAnyOrderElementsOf(keys(notRun));
    }

    @Test
    void specsThatCannotBeReadAreReadAgainOnALaterPass() throws Exception {
        SupervisorOptions options = options(b -> b);
        DistributedSupervisor n1 = start(options);
        String id = uniqueId("retried");
        backend.failingSpecReads.set(2);

        backend.inheritWithSpecs(encoded(options, ChildSpec.of(Counter.class, 5).withId(id)));

        await().atMost(WAIT).until(() -> n1.whereis(id).isPresent());
        assertThat(n1.<Integer>call(id, "get")).isEqualTo(5);
        assertThat(backend.specReads.get()).as("two failed reads, then one that worked").isGreaterThanOrEqualTo(3);
        assertThat(backend.claimedStored).isEmpty();
        assertThat(backend.released).isEmpty();
    }

    @Test
    void whatASessionIsToldItInheritsBeforeItsJoinReturnsStartsWithoutWaitingForARetry() throws Exception {
        // The ticker stands still: a read that failed would be tried again never.
        AtomicLong now = new AtomicLong();
        SupervisorOptions options = options(b -> b.ticker(now::get));
        String atJoin = uniqueId("at-join");
        backend.inheritedAtJoin.putAll(encoded(options, ChildSpec.of(Counter.class, 7).withId(atJoin)));
        CountDownLatch firstJoinReturns = new CountDownLatch(1);
        backend.joinReturns = firstJoinReturns;

        java.util.concurrent.CompletableFuture<DistributedSupervisor> starting =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> start(options));
        await().atMost(WAIT).until(() -> backend.sessions().size() == 1);
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> backend.specReads.get() == 0);
        firstJoinReturns.countDown();
        DistributedSupervisor n1 = starting.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);

        // Its entry names this node from the start: the child runs once it is in the local table.
        await().atMost(WAIT).until(() -> n1.localChildren().stream().anyMatch(p -> p.id().equals(atJoin)));
        assertThat(n1.<Integer>call(atJoin, "get")).isEqualTo(7);
        assertThat(backend.claimedStored).as("started under the entry it inherited").isEmpty();

        // A session after a lost one is told while its join has not returned: the lost session is
        // still the node's then, and reads nothing.
        String atRejoin = uniqueId("at-rejoin");
        backend.inheritedAtJoin.putAll(encoded(options, ChildSpec.of(Counter.class, 8).withId(atRejoin)));
        CountDownLatch joinReturns = new CountDownLatch(1);
        backend.joinReturns = joinReturns;
        OneNodeBackend.Session lost = backend.current();
        String rejoinKey = ChildKey.encode(atRejoin);
        backend.expire();

        // (A pass may still look for orphans through the lost session meanwhile: its reads fail.)
        await().atMost(WAIT).until(() -> backend.sessions().size() == 2);
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> !lost.specKeysRead.contains(rejoinKey));
        joinReturns.countDown();

        await().atMost(WAIT).until(() -> n1.localChildren().stream().anyMatch(p -> p.id().equals(atRejoin)));
        assertThat(n1.<Integer>call(atRejoin, "get")).isEqualTo(8);
        assertThat(lost.specKeysRead).as("its spec not read through the lost session").doesNotContain(rejoinKey);
        assertThat(backend.claimedStored).as("only the child the lost session ran is claimed again")
                .containsExactly(ChildKey.encode(atJoin));
    }

    @Test
    void aLargeShareIsReadInChunksAndAChunkThatCannotBeReadIsReadAgainWhileTheOthersStart() throws Exception {
        SupervisorOptions options = options(b -> b);
        DistributedSupervisor n1 = start(options);
        int n = 2 * InheritedStarts.READ_CHUNK + 1;
        Map<String, SpecRecord> share = new java.util.LinkedHashMap<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = uniqueId("share");
            share.putAll(encoded(options, ChildSpec.of(Counter.class, i).withId(id)));
            ids.add(id);
        }
        int readsBefore = backend.specReads.get();
        backend.failingSpecReads.set(1);

        backend.inheritWithSpecs(share);

        await().atMost(WAIT).until(() -> n1.localChildren().size() == n);
        assertThat(backend.specReads.get() - readsBefore).as("three chunks, one of them read again")
                .isGreaterThanOrEqualTo(4);
        assertThat(n1.<Integer>call(ids.get(0), "get")).isZero();
        assertThat(n1.<Integer>call(ids.get(n - 1), "get")).isEqualTo(n - 1);
        assertThat(backend.claimedStored).as("no claim of an inherited key").isEmpty();
        assertThat(backend.released).as("nothing given back").isEmpty();
        await().atMost(WAIT).until(() -> failovers.stream().mapToInt(Integer::intValue).sum() == n);
    }

    @Test
    void anHeirReadsAFewChunksAheadOfItsStartsNotItsWholeShareAtOnce() throws Exception {
        SupervisorOptions options = options(b -> b);
        DistributedSupervisor n1 = start(options);
        int chunks = InheritedStarts.READS_AHEAD + 2;
        int n = chunks * InheritedStarts.READ_CHUNK;
        Map<String, SpecRecord> share = new java.util.LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            share.putAll(encoded(options, ChildSpec.of(Counter.class, i).withId(uniqueId("share"))));
        }
        int readsBefore = backend.specReads.get();
        CountDownLatch readsReturn = new CountDownLatch(1);
        backend.specReadsReturn = readsReturn;

        backend.inheritWithSpecs(share);

        // While the storage does not answer: the chunk a pass waits for, and so many ahead of it.
        int asked = InheritedStarts.READS_AHEAD + 1;
        await().atMost(WAIT).until(() -> backend.specReads.get() - readsBefore == asked);
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> backend.specReads.get() - readsBefore == asked);
        readsReturn.countDown();

        await().atMost(WAIT).until(() -> n1.localChildren().size() == n);
        assertThat(backend.specReads.get() - readsBefore).as("each chunk read once").isEqualTo(chunks);
        assertThat(backend.claimedStored).as("no claim of an inherited key").isEmpty();
        await().atMost(WAIT).until(() -> failovers.stream().mapToInt(Integer::intValue).sum() == n);
    }

    /** {@code n} Counter specs under fresh ids, as their node stored them. */
    private static Map<String, SpecRecord> share(SupervisorOptions options, String prefix, int n) throws CodecException {
        Map<String, SpecRecord> share = new java.util.LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            share.putAll(encoded(options, ChildSpec.of(Counter.class, i).withId(uniqueId(prefix))));
        }
        return share;
    }

    @Test
    void aSuccessionToldInPartsIsReportedAsOneFailoverOnceItsLastPartHasStarted() throws Exception {
        // A reconcile interval long enough that the wait for the last part cannot run out meanwhile.
        SupervisorOptions options = options(b -> b.reconcileInterval(Duration.ofSeconds(3)));
        DistributedSupervisor n1 = start(options);
        Map<String, SpecRecord> first = share(options, "part-1", 5);
        Map<String, SpecRecord> last = share(options, "part-2", 3);
        Map<String, SpecRecord> both = new java.util.LinkedHashMap<>(first);
        both.putAll(last);
        backend.store(both);

        backend.tellInherited(first.keySet(), true);

        await().atMost(WAIT).until(() -> n1.localChildren().size() == first.size());
        await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> failovers.isEmpty());
        assertThat(n1.health().failoverInProgress()).as("more parts follow").isTrue();
        assertThat(n1.health().lastFailover()).isEmpty();

        backend.tellInherited(last.keySet(), false);

        await().atMost(WAIT).until(() -> !failovers.isEmpty());
        assertThat(n1.localChildren()).hasSize(both.size());
        assertThat(failovers).as("one failover of both parts").containsExactly(both.size());
        assertThat(n1.health().lastFailover().orElseThrow().children()).isEqualTo(both.size());
        assertThat(n1.health().failoverInProgress()).isFalse();
    }

    @Test
    void aLastPartThatNeverComesHoldsTheFailoversReportAReconcileIntervalAfterThePartBeforeAtMost() throws Exception {
        Duration interval = Duration.ofSeconds(2);
        SupervisorOptions options = options(b -> b.reconcileInterval(interval));
        DistributedSupervisor n1 = start(options);
        Map<String, SpecRecord> first = share(options, "part-1", 4);
        backend.store(first);

        long toldAt = System.nanoTime();
        backend.tellInherited(first.keySet(), true);

        await().atMost(WAIT).until(() -> !failovers.isEmpty());
        assertThat(System.nanoTime() - toldAt).as("held for the last part, as long as an interval")
                .isGreaterThanOrEqualTo(interval.toNanos());
        assertThat(failovers).as("the parts told").containsExactly(first.size());
        assertThat(n1.health().failoverInProgress()).isFalse();
    }

    @Test
    void aChildWhoseClaimAnotherSessionTookWithoutAWordIsDroppedByTheTimersFullPass() throws Exception {
        DistributedSupervisor n1 = start(options(b -> b));
        String kept = uniqueId("kept");
        String taken = uniqueId("taken");
        n1.startChild(ChildSpec.of(Counter.class).withId(kept));
        Pid takenPid = n1.startChild(ChildSpec.of(Counter.class).withId(taken)).pid();

        backend.takeSilently(ChildKey.encode(taken));

        await().atMost(WAIT).until(() -> n1.localChildren().stream().noneMatch(p -> p.equals(takenPid)));
        assertThat(n1.localChildren()).extracting(Pid::id).containsExactly(kept);
        assertThat(backend.released).as("another session's entry is not this node's to give back")
                .doesNotContain(ChildKey.encode(taken));
    }

    /** A reconciliation timer held for {@link #fire}: its task, and the handle the node may cancel. */
    private record HeldTimer(Runnable task, CompletableFuture<Void> handle) {
    }

    /** Runs the one reconciliation timer the node holds, and waits until its full pass is over. */
    private void fire(List<HeldTimer> timers, DistributedSupervisor node) {
        await().atMost(WAIT).until(() -> timers.stream().anyMatch(t -> !t.handle().isCancelled()));
        HeldTimer due = timers.stream().filter(t -> !t.handle().isCancelled()).findFirst().orElseThrow();
        timers.remove(due);
        int from = backend.specKeyScans.get();
        due.task().run();
        await().atMost(WAIT).until(() -> backend.specKeyScans.get() > from && !node.health().reconciling());
    }

    @Test
    void aTimersCheckOfEveryClaimThatFallsInThisNodesFailoverWaitsForTheNextTimersPassAtMost() throws Exception {
        // The reconciliation timer (an hour) is held and fired by hand; every other delay runs as usual.
        Duration interval = Duration.ofHours(1);
        List<HeldTimer> timers = new CopyOnWriteArrayList<>();
        Scheduler scheduler = (task, delay, unit) -> {
            if (unit.toNanos(delay) != interval.toNanos()) {
                return Scheduler.system().schedule(task, delay, unit);
            }
            HeldTimer held = new HeldTimer(task, new CompletableFuture<>());
            timers.add(held);
            return held.handle();
        };
        SupervisorOptions options = options(b -> b.reconcileInterval(interval).scheduler(scheduler));
        DistributedSupervisor n1 = start(options);
        String first = uniqueId("taken");
        Pid firstPid = n1.startChild(ChildSpec.of(Counter.class).withId(first)).pid();
        String second = uniqueId("taken");
        Pid secondPid = n1.startChild(ChildSpec.of(Counter.class).withId(second)).pid();
        String inherited = uniqueId("inherited");
        CountDownLatch initGate = new CountDownLatch(1);
        GATES.put(inherited, initGate);
        try {
            backend.inheritWithSpecs(encoded(options, ChildSpec.of(GatedInit.class).withId(inherited)));
            await().atMost(WAIT).until(() -> n1.health().failoverInProgress());
            backend.takeSilently(ChildKey.encode(first));

            fire(timers, n1);
            assertThat(n1.localChildren()).as("not checked while the inherited child's init runs").contains(firstPid);

            fire(timers, n1);
            assertThat(n1.health().failoverInProgress()).isTrue();
            assertThat(n1.localChildren()).as("checked in the next timer's pass, failover or not")
                    .doesNotContain(firstPid).contains(secondPid);
            assertThat(failovers).as("reported once the inherited child has run init").isEmpty();
        } finally {
            initGate.countDown();
            GATES.remove(inherited);
        }
        await().atMost(WAIT).until(() -> !n1.health().failoverInProgress());
        await().atMost(WAIT).until(() -> !failovers.isEmpty());
        assertThat(failovers).containsExactly(1);

        backend.takeSilently(ChildKey.encode(second));
        fire(timers, n1);
        assertThat(n1.localChildren()).extracting(Pid::id).containsExactly(inherited);
        assertThat(backend.released).as("another session's entry is not this node's to give back")
                .doesNotContain(ChildKey.encode(first), ChildKey.encode(second));
    }

    @Test
    void withoutASettleTimeTheSessionIsToldOnceAtItsStart() {
        start(options(b -> b));
        OneNodeBackend.Session session = backend.current();

        await().atMost(WAIT).until(() -> session.settled.get() == 1);
        awaitFullScans(3);
        assertThat(session.settled.get()).as("once per session").isEqualTo(1);
    }

    @Test
    void theSessionIsToldOnceTheSettleTimeIsOverOnTheTicker() {
        Duration settle = Duration.ofHours(1);
        AtomicLong now = new AtomicLong();
        Ticker ticker = now::get;
        start(options(b -> b.settleTime(settle).ticker(ticker)));
        OneNodeBackend.Session session = backend.current();

        awaitFullScans(3);
        assertThat(session.settled.get()).as("not within the settle time").isZero();

        now.addAndGet(settle.toNanos());
        await().atMost(WAIT).until(() -> session.settled.get() == 1);
        awaitFullScans(3);
        assertThat(session.settled.get()).as("once per session").isEqualTo(1);
    }

    @Test
    void aNewSessionAfterALostOneIsToldAtOnce() {
        DistributedSupervisor n1 = start(options(b -> b));
        OneNodeBackend.Session first = backend.current();
        await().atMost(WAIT).until(() -> first.settled.get() == 1);

        backend.expire();

        await().atMost(WAIT).until(() -> backend.sessions().size() == 2 && backend.current().settled.get() == 1);
        assertThat(n1.health().sessionId()).isEqualTo(backend.current().sessionId());
        assertThat(first.settled.get()).isEqualTo(1);
    }
}
