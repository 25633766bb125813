package io.distributedsupervisor.zookeeper;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;

/**
 * Makes the bucket folders of {@link ZnodeLayout} the first time a key needs them: a claim
 * creates {@code children/<bucket>/<key>} and {@code owners/<bucket>/<key>} in one multi-op,
 * which fails whole if a folder is missing. A bucket the view has seen in both trees costs
 * nothing; otherwise both folders are created (asynchronously, an existing one is fine) before
 * the claim is written. Buckets are never deleted, so once made a bucket stays ready.
 */
final class Buckets {
    private static final CompletableFuture<Void> READY = CompletableFuture.completedFuture(null);

    private final ZooKeeper zk;
    private final ZnodeLayout raw;
    private final List<ACL> acl;
    /** Whether the view has seen a bucket in both trees. */
    private final Predicate<String> seen;
    private final ConcurrentHashMap<String, CompletableFuture<Void>> made = new ConcurrentHashMap<>();

    /** @param raw the layout as the raw handle spells paths */
    Buckets(ZooKeeper zk, ZnodeLayout raw, List<ACL> acl, Predicate<String> seen) {
        this.zk = zk;
        this.raw = raw;
        this.acl = acl;
        this.seen = seen;
    }

    /** Completes once the bucket folders of {@code key} exist; fails with the KeeperException that prevented it. */
    CompletableFuture<Void> ready(String key) {
        String bucket = ZnodeLayout.bucketOf(key);
        CompletableFuture<Void> known = made.get(bucket);
        if (known != null) {
            return known;
        }
        if (seen.test(bucket)) {
            return READY;
        }
        return made.computeIfAbsent(bucket, b -> {
            CompletableFuture<Void> both = CompletableFuture.allOf(create(raw.childrenBucket(b)),
                    create(raw.ownersBucket(b)));
            // A failure (a connection loss) is not remembered: the next claim tries again.
            both.whenComplete((v, e) -> {
                if (e != null) {
                    made.remove(b, both);
                }
            });
            return both;
        });
    }

    private CompletableFuture<Void> create(String path) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        zk.create(path, new byte[0], acl, CreateMode.PERSISTENT, (rc, p, ctx, name) -> {
            KeeperException.Code code = KeeperException.Code.get(rc);
            if (code == KeeperException.Code.OK || code == KeeperException.Code.NODEEXISTS) {
                done.complete(null);
            } else {
                done.completeExceptionally(KeeperException.create(code, p));
            }
        }, null);
        return done;
    }
}
