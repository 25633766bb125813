package io.distributedsupervisor.zookeeper;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/**
 * Reads a cluster's znodes for {@link ClusterInspector}: folders, the entries of the bucketed
 * {@code children/} and {@code owners/}, many znodes at once; and turns a ZooKeeper failure into
 * the one-line {@link InspectionException} an operator acts on. Paths are Curator's, under the
 * namespace. Thread-safe.
 */
final class ZnodeReader {
    /** Reads in flight at once when reading many znodes. */
    private static final int READS_IN_FLIGHT = 1000;

    private final CuratorFramework client;
    private final String namespace;
    private final Duration timeout;
    private final String describeServer;

    ZnodeReader(CuratorFramework client, String namespace, Duration timeout, String describeServer) {
        this.client = client;
        this.namespace = namespace;
        this.timeout = timeout;
        this.describeServer = describeServer;
    }

    /** Whether the znode exists. */
    boolean exists(String path) {
        try {
            return client.checkExists().forPath(path) != null;
        } catch (Exception e) {
            throw failure(path, e);
        }
    }

    List<String> children(String folder) {
        try {
            return client.getChildren().forPath(folder);
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        } catch (Exception e) {
            throw failure(folder, e);
        }
    }

    /** The entries of {@code children/} ({@code specs}) or {@code owners/}: key to path, across the buckets. */
    Map<String, String> entries(ZnodeLayout layout, boolean specs) {
        String folder = specs ? layout.children() : layout.owners();
        Map<String, String> byKey = new TreeMap<>();
        for (String name : children(folder)) {
            if (ZnodeLayout.isBucket(name)) {
                for (String key : children(specs ? layout.childrenBucket(name) : layout.ownersBucket(name))) {
                    byKey.put(key, specs ? layout.spec(key) : layout.owner(key));
                }
            }
        }
        return byKey;
    }

    /**
     * The key of the entry at {@code below} (the names under {@code children/} or
     * {@code owners/}), or null for a bucket or anything else (an entry of the first release's
     * flat layout is no key: see {@link LayoutCheck}).
     */
    static String entryKey(List<String> below) {
        if (below.size() == 2 && ZnodeLayout.isBucket(below.get(0))) {
            return below.get(1);
        }
        return null;
    }

    record Read(byte[] data, Stat stat) {
    }

    Read readOne(String path) {
        return readAll(List.of(path)).get(path);
    }

    static Map<String, Read> byKey(Map<String, String> paths, Map<String, Read> reads) {
        Map<String, Read> out = new TreeMap<>();
        paths.forEach((key, path) -> {
            Read r = reads.get(path);
            if (r != null) {
                out.put(key, r);
            }
        });
        return out;
    }

    /**
     * Reads many znodes through ZooKeeper's asynchronous API, at most {@value #READS_IN_FLIGHT} at
     * once: a million sequential round trips would take minutes. Znodes gone meanwhile are left out.
     */
    Map<String, Read> readAll(List<String> paths) {
        if (paths.isEmpty()) {
            return Map.of();
        }
        ZooKeeper zk;
        try {
            zk = client.getZookeeperClient().getZooKeeper();
        } catch (Exception e) {
            throw failure("/", e);
        }
        String prefix = "/" + namespace;
        Map<String, Read> out = new ConcurrentHashMap<>();
        Map<String, KeeperException.Code> errors = new ConcurrentHashMap<>();
        Semaphore window = new Semaphore(READS_IN_FLIGHT);
        CountDownLatch done = new CountDownLatch(paths.size());
        try {
            for (String path : paths) {
                window.acquire();
                zk.getData(prefix + path, false, (rc, p, ctx, data, stat) -> {
                    KeeperException.Code code = KeeperException.Code.get(rc);
                    if (code == KeeperException.Code.OK) {
                        out.put(path, new Read(data, stat));
                    } else if (code != KeeperException.Code.NONODE) {
                        errors.put(path, code);
                    }
                    window.release();
                    done.countDown();
                }, null);
            }
            if (!done.await(Math.max(timeout.toMillis(), 10_000) + paths.size(), TimeUnit.MILLISECONDS)) {
                throw new InspectionException(InspectionException.Kind.TIMEOUT, "reading " + paths.size()
                        + " znodes from " + describeServer + " did not finish in time");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InspectionException(InspectionException.Kind.FAILED, "interrupted while reading ZooKeeper", e);
        }
        if (!errors.isEmpty()) {
            Map.Entry<String, KeeperException.Code> first = errors.entrySet().iterator().next();
            throw failure(first.getKey(), KeeperException.create(first.getValue(), prefix + first.getKey()));
        }
        return out;
    }

    /** A ZooKeeper failure as the one-line error an operator acts on. */
    InspectionException failure(String path, Exception e) {
        String where = "/" + namespace + (path.equals("/") ? "" : path);
        if (e instanceof InspectionException ie) {
            return ie;
        }
        if (e instanceof KeeperException.NoAuthException) {
            return new InspectionException(InspectionException.Kind.NOT_AUTHORIZED, "the ACL refused these credentials "
                    + "(NoAuth) for " + where + ": give the nodes' ZooKeeper credentials (the setting digestAcl or "
                    + "digestAclFile, DS_ZOOKEEPER_DIGEST_ACL, or saslAcl with its JAAS login)", e);
        }
        if (e instanceof KeeperException.ConnectionLossException || e instanceof KeeperException.SessionExpiredException
                || e instanceof KeeperException.OperationTimeoutException) {
            return new InspectionException(InspectionException.Kind.UNREACHABLE, "lost the connection to "
                    + describeServer + " while reading " + where + ": " + e.getMessage(), e);
        }
        return new InspectionException(InspectionException.Kind.FAILED, "ZooKeeper failed on " + where + ": " + e, e);
    }
}
