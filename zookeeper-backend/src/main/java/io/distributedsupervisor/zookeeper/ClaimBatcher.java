package io.distributedsupervisor.zookeeper;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.ZooKeeper;

/**
 * Writes the claims that one node makes at the same time together: while {@value #IN_FLIGHT}
 * multi-ops are under way, new claims wait, and the next multi-op carries all of them (up to
 * {@value #MAX_CLAIMS}, and about {@value #MAX_BATCH_BYTES} bytes), behind one touch of the
 * node's member znode. Under load that is one
 * transaction, one answer and one member event per batch instead of per claim; alone, a claim
 * goes at once. New children's claims and a failover's thousands of claims take this one path.
 *
 * <p>A multi-op fails whole when one of its claims fails (a key owned already, a spec stored
 * already, a spec gone), and its error does not say which: then each claim of that batch is
 * written again alone, and fails or succeeds on its own. Claims written together share their
 * epoch (the transaction's zxid), which is unique per key all the same.
 *
 * <p>How many times a batch touches the member znode says what its claims are, to every view
 * (which watches owner entries, not specs: see {@link ClaimEvents}): once, new children whose
 * specs the batch stores; twice, claims without a stored spec; three times, claims of specs stored
 * before ({@link SpecSignal}).
 *
 * <p>A batcher made without a member touch writes releases the same way (a release needs no
 * epoch, and says nothing of the spec): its futures complete with 0.
 *
 * <p>Callbacks run on ZooKeeper's event thread and only hand results over.
 */
final class ClaimBatcher {
    static final int IN_FLIGHT = 1;
    static final int MAX_CLAIMS = 500;
    /**
     * What one multi-op may carry, estimated from its paths and data: a server refuses a request
     * larger than its {@code jute.maxbuffer} (1 MiB by default), and specs can be large.
     */
    static final int MAX_BATCH_BYTES = 512 * 1024;

    /** One claim's operations (without the member touch), their estimated size, and its epoch once written. */
    private record Claim(List<Op> ops, int bytes, CompletableFuture<Long> epoch) {
    }

    private static int bytes(List<Op> ops) {
        int n = 0;
        for (Op op : ops) {
            n += 32 + op.getPath().length();
            if (op.toRequestRecord() instanceof org.apache.zookeeper.proto.CreateRequest c && c.getData() != null) {
                n += c.getData().length;
            } else if (op.toRequestRecord() instanceof org.apache.zookeeper.proto.SetDataRequest d && d.getData() != null) {
                n += d.getData().length;
            }
        }
        return n;
    }

    private final ZooKeeper zk;
    /** The member touches ahead of each batch: none for releases. */
    private final List<Op> touches;
    private final int maxPerBatch;
    private final ConcurrentLinkedQueue<Claim> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicInteger inFlight = new AtomicInteger();

    /** A batcher of claims of one kind: {@code touchMember} as many times as {@code kind} says, ahead of each batch. */
    ClaimBatcher(ZooKeeper zk, SpecSignal kind, Op touchMember) {
        this(zk, java.util.Collections.nCopies(kind.touches, touchMember), MAX_CLAIMS);
    }

    /** A batcher of releases: no member touch; {@code maxPerBatch} writes per multi-op (a delete of a short path is far smaller than a claim). */
    ClaimBatcher(ZooKeeper zk, int maxPerBatch) {
        this(zk, List.of(), maxPerBatch);
    }

    private ClaimBatcher(ZooKeeper zk, List<Op> touches, int maxPerBatch) {
        this.zk = zk;
        this.touches = touches;
        this.maxPerBatch = maxPerBatch;
    }

    /** Queues one claim's operations; the future gets its epoch, or the KeeperException that failed it. */
    CompletableFuture<Long> submit(List<Op> ops) {
        Claim c = new Claim(ops, bytes(ops), new CompletableFuture<>());
        waiting.add(c);
        drain();
        return c.epoch();
    }

    private void drain() {
        while (!waiting.isEmpty()) {
            int n = inFlight.get();
            if (n >= IN_FLIGHT) {
                return; // the answer of a batch under way drains again
            }
            if (!inFlight.compareAndSet(n, n + 1)) {
                continue;
            }
            // Only the drainer that won the slot polls, so a peek and the poll after it agree.
            List<Claim> batch = new ArrayList<>();
            int bytes = 0;
            for (Claim c; batch.size() < maxPerBatch && (c = waiting.peek()) != null
                    && (batch.isEmpty() || bytes + c.bytes() <= MAX_BATCH_BYTES); ) {
                batch.add(waiting.poll());
                bytes += c.bytes();
            }
            if (batch.isEmpty()) {
                inFlight.decrementAndGet();
                continue;
            }
            write(batch, true);
        }
    }

    private void write(List<Claim> batch, boolean counted) {
        List<Op> ops = new ArrayList<>(touches);
        batch.forEach(c -> ops.addAll(c.ops()));
        zk.multi(ops, (rc, path, ctx, results) -> {
            try {
                KeeperException.Code code = KeeperException.Code.get(rc);
                if (code == KeeperException.Code.OK && results != null && touches.isEmpty()) {
                    batch.forEach(c -> c.epoch().complete(0L));
                } else if (code == KeeperException.Code.OK && results != null
                        && results.get(0) instanceof OpResult.SetDataResult touched) {
                    long epoch = touched.getStat().getMzxid();
                    batch.forEach(c -> c.epoch().complete(epoch));
                } else if (batch.size() == 1 || results == null) {
                    // Alone, or no answer at all (connection loss): the code is this claim's fate.
                    KeeperException failure = KeeperException.create(code == KeeperException.Code.OK
                            ? KeeperException.Code.SYSTEMERROR : code);
                    batch.forEach(c -> c.epoch().completeExceptionally(failure));
                } else {
                    batch.forEach(c -> write(List.of(c), false));
                }
            } finally {
                if (counted) {
                    inFlight.decrementAndGet();
                    drain();
                }
            }
        }, null);
    }
}
