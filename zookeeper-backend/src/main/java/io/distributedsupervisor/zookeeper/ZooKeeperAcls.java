package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.spi.BackendException;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ZooKeeper ACL of a backend's znodes, and the check of the folders that exist already.
 *
 * <p>Creating a folder with our ACL protects nothing when it exists already: ZooKeeper keeps the
 * ACL of whoever made it. A world-writable {@code members/} made beforehand (by an earlier run in
 * open mode, or by an attacker waiting for the cluster) would stay writable by anyone. So every
 * start reads the ACL of the namespace's znode, the supervisor's root and its three folders:
 * one that differs from ours is set to ours when this client may (ZooKeeper's ADMIN permission,
 * which a world-writable folder grants to all), and otherwise the start is refused. The parents
 * of a namespace of several parts are left alone: they may belong to others, and nothing under
 * the namespace's own znode can be reached through them.
 *
 * <p>When a folder of entries ({@code members/}, {@code children/}, {@code owners/}) had to be
 * fixed, its entries were writable by anyone until now, so each entry's ACL is set to ours too
 * where this client may; the others are only logged (member and owner entries are verified
 * anyway, see {@link MemberProofs}; a stored spec is decoded under the codec's allow-list).
 */
final class ZooKeeperAcls {
    private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperAcls.class);

    private ZooKeeperAcls() {
    }

    /** The ACL of every znode the backend creates: all permissions to its identities only, or to anyone with openAcl. */
    static List<ACL> of(ZooKeeperBackend.Builder config) {
        // ZooKeeper asks acl.contains(null), which List.of answers with an NPE: plain lists.
        if (config.openAcl) {
            return new ArrayList<>(ZooDefs.Ids.OPEN_ACL_UNSAFE);
        }
        List<ACL> acl = new ArrayList<>();
        if (config.digestUser != null) {
            try {
                acl.add(new ACL(ZooDefs.Perms.ALL, new Id("digest",
                        DigestAuthenticationProvider.generateDigest(config.digestUser + ":" + config.digestPassword))));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA1 is missing from this JVM", e);
            }
        }
        for (String principal : config.saslPrincipals) {
            acl.add(new ACL(ZooDefs.Perms.ALL, new Id("sasl", principal)));
        }
        return acl;
    }

    /** The digest credentials this client authenticates with, or null. */
    static byte[] digestAuth(ZooKeeperBackend.Builder config) {
        return config.digestUser == null ? null
                : (config.digestUser + ":" + config.digestPassword).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Checks (and fixes where it may) the ACL of {@code folder}, a Curator path under the
     * namespace ({@code "/"}: the namespace's own znode); {@code withEntries}: the entries under
     * it are fixed too when the folder was. Folders are checked from the top down, each before
     * the one under it is created, so that nothing is created under a folder of someone else's.
     *
     * @throws BackendException naming the folder and its ACL when it differs from ours and
     *                          cannot be set
     */
    static void check(CuratorFramework client, List<ACL> ours, String folder, boolean withEntries, String node)
            throws Exception {
        if (fix(client, ours, folder, node) && withEntries) {
            fixEntries(client, ours, folder, node);
        }
    }

    /** Returns whether the folder's ACL had to be set. */
    private static boolean fix(CuratorFramework client, List<ACL> ours, String folder, String node) throws Exception {
        String path = fullPath(client, folder);
        List<ACL> current;
        try {
            current = client.getACL().forPath(folder);
        } catch (KeeperException.NoAuthException e) {
            throw new BackendException("ZooKeeper folder " + path + " exists and its ACL does not let this client read "
                    + "it (NoAuth), so it was made with other credentials: start with the credentials of its "
                    + "cluster (digestAcl, saslAcl), or use another namespace");
        }
        if (same(current, ours)) {
            return false;
        }
        try {
            client.setACL().withACL(ours).forPath(folder);
        } catch (KeeperException.NoAuthException e) {
            throw new BackendException("ZooKeeper folder " + path + " has the ACL " + describe(current)
                    + " instead of this backend's " + describe(ours) + ", and this client may not change it (it has no "
                    + "ADMIN permission there): set its ACL as its owner or ZooKeeper's super user (zkCli.sh setAcl), "
                    + "delete the folder, or use another namespace");
        }
        List<ACL> now = client.getACL().forPath(folder);
        if (!same(now, ours)) {
            throw new BackendException("ZooKeeper folder " + path + " still has the ACL " + describe(now)
                    + " after this node set it to " + describe(ours) + ": another client changes it");
        }
        LOG.warn("node {}: ZooKeeper folder {} had the ACL {}: set to this backend's {}", node, path, describe(current),
                describe(ours));
        return true;
    }

    private static void fixEntries(CuratorFramework client, List<ACL> ours, String folder, String node) throws Exception {
        int fixed = 0;
        List<String> left = new ArrayList<>();
        for (String name : client.getChildren().forPath(folder)) {
            String entry = ZKPaths.makePath(folder, name);
            try {
                if (!same(client.getACL().forPath(entry), ours)) {
                    client.setACL().withACL(ours).forPath(entry);
                    fixed++;
                }
            } catch (KeeperException.NoNodeException e) {
                // Gone meanwhile.
            } catch (KeeperException.NoAuthException e) {
                left.add(name);
            }
            if (ZnodeLayout.isBucket(name)) {
                // The entries of children/ and owners/ are in their buckets.
                fixEntries(client, ours, entry, node);
            }
        }
        if (fixed > 0 || !left.isEmpty()) {
            LOG.warn("node {}: {} entries under {} had another ACL and now have this backend's; {} could not be "
                    + "changed by this client{}", node, fixed, fullPath(client, folder), left.size(),
                    left.isEmpty() ? "" : " (" + left.stream().limit(10).map(ZnodeData::printable)
                            .collect(Collectors.joining(", ")) + (left.size() > 10 ? ", …" : "") + ")");
        }
    }

    private static boolean same(List<ACL> a, List<ACL> b) {
        return new HashSet<>(a).equals(new HashSet<>(b));
    }

    private static String fullPath(CuratorFramework client, String folder) {
        return ZKPaths.fixForNamespace(client.getNamespace(), folder);
    }

    /** An ACL as zkCli.sh shows it, without the password hashes of digest ids. */
    static String describe(List<ACL> acl) {
        return acl.stream().map(a -> {
            String id = a.getId().getId();
            if ("digest".equals(a.getId().getScheme()) && id.indexOf(':') >= 0) {
                id = id.substring(0, id.indexOf(':')) + ":…";
            }
            return a.getId().getScheme() + ":" + id + ":" + perms(a.getPerms());
        }).collect(Collectors.joining(", ", "[", "]"));
    }

    private static String perms(int p) {
        StringBuilder s = new StringBuilder();
        if ((p & ZooDefs.Perms.CREATE) != 0) {
            s.append('c');
        }
        if ((p & ZooDefs.Perms.DELETE) != 0) {
            s.append('d');
        }
        if ((p & ZooDefs.Perms.READ) != 0) {
            s.append('r');
        }
        if ((p & ZooDefs.Perms.WRITE) != 0) {
            s.append('w');
        }
        if ((p & ZooDefs.Perms.ADMIN) != 0) {
            s.append('a');
        }
        return s.toString();
    }
}
