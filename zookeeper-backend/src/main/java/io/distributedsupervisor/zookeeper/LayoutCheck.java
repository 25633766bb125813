package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.spi.BackendException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure a supervisor's znodes are in {@link ZnodeLayout}'s bucketed layout before a node
 * joins, and says clearly when they cannot be.
 *
 * <ul>
 *   <li>A {@code layout} znode with {@link ZnodeLayout#VERSION}: nothing to do. With
 *       {@link ZnodeLayout#PREVIOUS_VERSION} (views watched the specs) or
 *       {@link ZnodeLayout#EPHEMERAL_OWNERS_VERSION} (ephemeral owner entries): taken over once no
 *       node of that release runs, refused while one does. With another version: refused
 *       (written by a release this one cannot read).</li>
 *   <li>No {@code layout} znode: the supervisor is new, or of the first release, whose
 *       {@code children/} and {@code owners/} were flat. Flat owner entries are ephemeral: they
 *       belong to running nodes of that release, and a cluster cannot mix the two layouts, so
 *       the start is refused until those nodes are stopped. Flat specs are persistent: they are
 *       moved into their buckets (each by a multi-op that creates the new znode and deletes the
 *       old one, so that two nodes migrating at once never lose or double a spec), then the
 *       {@code layout} znode is written.</li>
 * </ul>
 * A flat folder of many specs lists in one answer larger than ZooKeeper's default client
 * buffer (the first release raised it to 48 MiB): the migration lists it through a client of its
 * own with that buffer, made only when there is something to migrate.
 */
final class LayoutCheck {
    private static final Logger LOG = LoggerFactory.getLogger(LayoutCheck.class);
    /** The client buffer of the first release, for listing its flat folders. */
    static final int FLAT_LISTING_BUFFER = 48 << 20;
    /** What a view reports of an entry of the flat layout that it meets beside the buckets. */
    static final String FLAT_ENTRY_IGNORED = "an entry of the flat layout of an earlier release (a node of that release"
            + " is running beside this one): ignored";

    private LayoutCheck() {
    }

    /**
     * @param client          the node's client (namespaced)
     * @param migrationClient makes a started client like {@code client} whose {@code jute.maxbuffer}
     *                        is {@link #FLAT_LISTING_BUFFER}; closed here
     */
    static void run(CuratorFramework client, ZnodeLayout paths, List<ACL> acl, String node,
                    Supplier<CuratorFramework> migrationClient) throws Exception {
        String supervisor = org.apache.curator.utils.ZKPaths.fixForNamespace(client.getNamespace(), paths.supervisor());
        String marker = read(client, paths.layoutMarker());
        if (ZnodeLayout.PREVIOUS_VERSION.equals(marker)) {
            fromEarlierRelease(client, paths, node, supervisor, marker, "views that watch the specs");
            return;
        }
        if (ZnodeLayout.EPHEMERAL_OWNERS_VERSION.equals(marker)) {
            fromEarlierRelease(client, paths, node, supervisor, marker, "ephemeral owner entries");
            return;
        }
        if (marker != null) {
            if (!marker.equals(ZnodeLayout.VERSION)) {
                throw new BackendException("the znodes of " + supervisor + " have the layout '"
                        + ZnodeData.printable(marker) + "', which this release cannot read (it reads '"
                        + ZnodeLayout.VERSION + "'): start the release that wrote them, or purge the supervisor");
            }
            return;
        }
        Stat owners = client.checkExists().forPath(paths.owners());
        Stat children = client.checkExists().forPath(paths.children());
        boolean maybeFlat = owners != null && owners.getNumChildren() > 0
                || children != null && children.getNumChildren() > 0;
        if (maybeFlat) {
            try (CuratorFramework big = migrationClient.get()) {
                List<String> flatOwners = flat(big.getChildren().forPath(paths.owners()));
                if (!flatOwners.isEmpty()) {
                    throw new BackendException(flatOwners.size() + " children of " + supervisor
                            + " are owned by running nodes of a release with the flat layout (owners/<key>, e.g. "
                            + ZnodeData.printable(flatOwners.get(0)) + "): stop every node of that release first "
                            + "(their entries go with their sessions); then this release moves the stored specs "
                            + "into buckets and starts them");
                }
                List<String> flatSpecs = flat(big.getChildren().forPath(paths.children()));
                if (!flatSpecs.isEmpty()) {
                    migrate(big, paths, acl, node, flatSpecs);
                }
            }
        }
        try {
            client.create().withMode(CreateMode.PERSISTENT).forPath(paths.layoutMarker(),
                    ZnodeLayout.VERSION.getBytes(StandardCharsets.UTF_8));
        } catch (KeeperException.NodeExistsException e) {
            // Another node of this release wrote it meanwhile.
            run(client, paths, acl, node, migrationClient);
        }
    }

    /**
     * The layouts of the two releases before this one hold the same specs, and their nodes cannot
     * run beside this release's: {@link ZnodeLayout#PREVIOUS_VERSION} has the same znodes, whose
     * writers did not tell views what they did to the specs; in
     * {@link ZnodeLayout#EPHEMERAL_OWNERS_VERSION} owner entries were ephemeral, so once no node
     * of that release runs there are none. So the marker is rewritten once no member runs; while
     * members of that release run, the start is refused.
     *
     * @param what what sets that release apart, for the message
     */
    private static void fromEarlierRelease(CuratorFramework client, ZnodeLayout paths, String node,
                                           String supervisor, String earlier, String what) throws Exception {
        Stat marker = new Stat();
        byte[] now = client.getData().storingStatIn(marker).forPath(paths.layoutMarker());
        if (ZnodeLayout.VERSION.equals(new String(now, StandardCharsets.UTF_8))) {
            return; // another node of this release took it over meanwhile (and may have joined)
        }
        List<String> running = client.getChildren().forPath(paths.members());
        if (!running.isEmpty()) {
            throw new BackendException(running.size() + " nodes of a release with the layout '"
                    + earlier + "' (" + what + ") run in " + supervisor + " (e.g. "
                    + ZnodeData.printable(running.get(0)) + "): stop every node of that release first; then this "
                    + "release takes over the layout and starts their stored children");
        }
        try {
            client.setData().withVersion(marker.getVersion()).forPath(paths.layoutMarker(),
                    ZnodeLayout.VERSION.getBytes(StandardCharsets.UTF_8));
            LOG.warn("node {}: took over the znodes of {} from the layout '{}' (no node of that release runs; its "
                    + "stored specs are kept)", node, supervisor, earlier);
        } catch (KeeperException.BadVersionException e) {
            // Another node of this release took it over meanwhile.
        }
    }

    private static String read(CuratorFramework client, String path) throws Exception {
        try {
            return new String(client.getData().forPath(path), StandardCharsets.UTF_8);
        } catch (KeeperException.NoNodeException e) {
            return null;
        }
    }

    private static List<String> flat(List<String> names) {
        List<String> keys = new ArrayList<>();
        for (String name : names) {
            if (!ZnodeLayout.isBucket(name)) {
                keys.add(name);
            }
        }
        return keys;
    }

    /**
     * A flat spec as this layout stores it: one over {@link ZnodeData#MAX_INLINE_SPEC_BYTES} keeps
     * its codec bytes apart. One that does not parse is moved as it is (every node reports it).
     */
    private static ZnodeData.StoredSpec stored(String key, byte[] data) {
        try {
            return ZnodeData.storedSpec(ZnodeData.specNode(key, data),
                    java.util.Arrays.copyOfRange(data, ZnodeData.specPayloadOffset(key, data), data.length));
        } catch (IllegalArgumentException malformed) {
            return new ZnodeData.StoredSpec(data, null);
        }
    }

    private static void migrate(CuratorFramework client, ZnodeLayout paths, List<ACL> acl, String node,
                                List<String> keys) throws Exception {
        int moved = 0;
        for (String key : keys) {
            String old = paths.children() + "/" + key;
            for (String folder : List.of(paths.childrenBucket(ZnodeLayout.bucketOf(key)),
                    paths.ownersBucket(ZnodeLayout.bucketOf(key)))) {
                try {
                    client.create().withMode(CreateMode.PERSISTENT).withACL(acl).forPath(folder);
                } catch (KeeperException.NodeExistsException e) {
                    // Made before.
                }
            }
            try {
                Stat stat = new Stat();
                byte[] data = client.getData().storingStatIn(stat).forPath(old);
                List<CuratorOp> ops = new ArrayList<>(3);
                ZnodeData.StoredSpec stored = stored(key, data);
                ops.add(client.transactionOp().create().withMode(CreateMode.PERSISTENT).withACL(acl)
                        .forPath(paths.spec(key), stored.znode()));
                if (stored.payload() != null) {
                    ops.add(client.transactionOp().create().withMode(CreateMode.PERSISTENT).withACL(acl)
                            .forPath(paths.specPayload(key), stored.payload()));
                }
                ops.add(client.transactionOp().delete().withVersion(stat.getVersion()).forPath(old));
                client.transaction().forOperations(ops);
                moved++;
            } catch (KeeperException.NoNodeException | KeeperException.NodeExistsException
                     | KeeperException.BadVersionException e) {
                // Moved (or removed) by another node meanwhile.
            }
        }
        LOG.warn("node {}: moved {} specs of {} from the flat layout of the first release into buckets", node, moved,
                org.apache.curator.utils.ZKPaths.fixForNamespace(client.getNamespace(), paths.supervisor()));
    }
}
