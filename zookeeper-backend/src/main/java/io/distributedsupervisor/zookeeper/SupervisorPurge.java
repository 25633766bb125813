package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.zookeeper.ClusterInspector.PurgeResult;
import java.util.List;
import java.util.TreeSet;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

/**
 * The deletion of a supervisor's whole tree for {@link ClusterInspector#purge}: refused while
 * members live (unless forced), then depth first, retried (ten times at most) while znodes are
 * added meanwhile.
 */
final class SupervisorPurge {
    private final CuratorFramework client;
    private final ZnodeReader reader;

    SupervisorPurge(CuratorFramework client, ZnodeReader reader) {
        this.client = client;
        this.reader = reader;
    }

    /**
     * Deletes everything under {@code supervisor}'s znode (at {@code layout}) and the znode itself.
     *
     * @throws InspectionException REFUSED while members live without {@code force}
     */
    PurgeResult purge(String supervisor, ZnodeLayout layout, boolean force) {
        List<String> members = reader.children(layout.members());
        if (!members.isEmpty() && !force) {
            throw new InspectionException(InspectionException.Kind.REFUSED, "supervisor " + supervisor + " has "
                    + members.size() + " live member" + (members.size() == 1 ? "" : "s") + " ("
                    + String.join(", ", new TreeSet<>(members)) + "): stop them first, or force the purge");
        }
        int specs = reader.entries(layout, true).size();
        int deleted = 0;
        for (int attempt = 0; ; attempt++) {
            try {
                deleted += deleteTree(layout.supervisor());
                return new PurgeResult(supervisor, specs, deleted);
            } catch (KeeperException.NotEmptyException e) {
                if (attempt == 10) {
                    throw new InspectionException(InspectionException.Kind.FAILED, "supervisor " + supervisor
                            + " keeps getting new znodes while being purged: stop its nodes first");
                }
            } catch (Exception e) {
                throw reader.failure(layout.supervisor(), e);
            }
        }
    }

    private int deleteTree(String path) throws Exception {
        int deleted = 0;
        List<String> kids;
        try {
            kids = client.getChildren().forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return 0;
        }
        for (String k : kids) {
            deleted += deleteTree(path + "/" + k);
        }
        try {
            client.delete().forPath(path);
            deleted++;
        } catch (KeeperException.NoNodeException e) {
            // Gone meanwhile (an ephemeral one's session ended).
        }
        return deleted;
    }
}
