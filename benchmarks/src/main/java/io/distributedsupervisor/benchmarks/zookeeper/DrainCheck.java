package io.distributedsupervisor.benchmarks.zookeeper;

import io.distributedsupervisor.ChildStatus;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.Pid;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What {@link DrainBenchmark} checks after the load stops: where the drained and the fresh
 * {@link DrainCounter} children run, and whether the drained children's counts add up to the calls
 * answered.
 */
record DrainCheck(int children, int placed, int onceInJvm, int duplicates, int fresh, int freshPlaced,
                  long countSum, long answered, long handedIn) {
    boolean ok() {
        return placed == children && onceInJvm == children && duplicates == 0 && freshPlaced == fresh
                && countSum == answered;
    }

    /**
     * After the load: each drained child runs exactly once in this JVM, on the node the ring of
     * the two names, and both nodes see it there; its count (handed over, then counted on) summed
     * over all children equals the calls answered. The fresh children are checked for placement.
     */
    static DrainCheck of(List<DistributedSupervisor> staying, List<String> ids, List<String> fresh, long answered,
                         long handedIn) throws Exception {
        Map<Object, String> local = new HashMap<>();
        int duplicates = 0;
        for (DistributedSupervisor d : staying) {
            for (ChildStatus st : d.localChildStatuses()) {
                if (local.put(st.id(), d.node()) != null) {
                    duplicates++;
                }
            }
        }
        int placed = 0;
        int onceInJvm = 0;
        for (String id : ids) {
            String ring = staying.get(0).nodeFor(id);
            Optional<Pid> a = staying.get(0).whereis(id);
            Optional<Pid> b = staying.get(1).whereis(id);
            if (ring.equals(local.get(id)) && a.isPresent() && a.equals(b) && a.get().node().equals(ring)) {
                placed++;
            }
            AtomicInteger live = DrainCounter.LIVE.get(id);
            if (live != null && live.get() == 1) {
                onceInJvm++;
            }
        }
        int freshPlaced = 0;
        for (String id : fresh) {
            AtomicInteger live = DrainCounter.LIVE.get(id);
            if (staying.get(0).nodeFor(id).equals(local.get(id)) && live != null && live.get() == 1) {
                freshPlaced++;
            }
        }
        // Each child's count, read through n1 (from 256 at a time).
        Semaphore window = new Semaphore(DrainBenchmark.STARTERS);
        List<CompletableFuture<Object>> counts = new ArrayList<>(ids.size());
        for (String id : ids) {
            window.acquire();
            CompletableFuture<Object> f = staying.get(0).callAsync(id, "get", Duration.ofSeconds(30));
            f.whenComplete((v, e) -> window.release());
            counts.add(f);
        }
        long sum = 0;
        for (CompletableFuture<Object> f : counts) {
            sum += ((Number) f.get()).longValue();
        }
        return new DrainCheck(ids.size(), placed, onceInJvm, duplicates, fresh.size(), freshPlaced, sum, answered, handedIn);
    }
}
