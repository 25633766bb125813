package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.spi.BackendException;
import java.util.List;
import java.util.function.Supplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.ACL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prepares the folders of one supervisor's znodes at each join, before the node's member znode:
 * the namespace, the supervisor's root and its {@code members/}, {@code leaving/},
 * {@code children/}, {@code owners/} and {@code successions/}, each made if missing with the backend's ACL, and each checked for that ACL
 * ({@link ZooKeeperAcls#check}, folders that exist already included); then the layout
 * ({@link LayoutCheck}). Runs on the joining caller's thread; stateless.
 */
final class SupervisorFolders {
    private static final Logger LOG = LoggerFactory.getLogger(SupervisorFolders.class);

    private SupervisorFolders() {
    }

    /**
     * @param client          the node's client (namespaced)
     * @param paths           the supervisor's paths as {@code client} spells them
     * @param migrationClient for {@link LayoutCheck#run}
     */
    static void prepare(CuratorFramework client, ZooKeeperBackend.Builder config, ZnodeLayout paths, List<ACL> acl,
                        String supervisor, String node, Supplier<CuratorFramework> migrationClient) {
        if (config.openAcl) {
            LOG.warn("node {} of supervisor {}: openAcl is set: the znodes under /{} are readable and writable by any "
                    + "ZooKeeper client, which can delete the cluster's state; for trusted networks and tests only "
                    + "(set digestAcl or saslAcl instead)", node, supervisor, config.namespace);
        }
        try {
            // Made here rather than left to Curator, which makes it on first use but only logs a failure.
            ensurePath(client.usingNamespace(null), "/" + config.namespace, config, acl);
            ZooKeeperAcls.check(client, acl, "/", false, node);
            ensurePath(client, "/" + supervisor, config, acl);
            ZooKeeperAcls.check(client, acl, "/" + supervisor, false, node);
            for (String p : List.of(paths.members(), paths.leaving(), paths.children(), paths.owners(), paths.successions())) {
                ensurePath(client, p, config, acl);
                ZooKeeperAcls.check(client, acl, p, true, node);
            }
            LayoutCheck.run(client, paths, acl, node, migrationClient);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendException("interrupted while preparing the znodes of supervisor " + supervisor, e);
        } catch (BackendException e) {
            throw e;
        } catch (Exception e) {
            throw ZooKeeperBackend.wrap("could not prepare the znodes of supervisor " + supervisor + " at "
                    + config.connectString, e);
        }
    }

    private static void ensurePath(CuratorFramework through, String path, ZooKeeperBackend.Builder config,
                                   List<ACL> acl) {
        try {
            through.create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT).forPath(path);
        } catch (KeeperException.NodeExistsException e) {
            // Made before (by another node, or by anyone): its ACL is checked next.
        } catch (KeeperException.InvalidACLException e) {
            throw new BackendException("the ZooKeeper server refuses the ACL " + ZooKeeperAcls.describe(acl) + " for "
                    + path + (config.saslPrincipals.isEmpty() ? "" : ": a sasl ACL needs the server's SASL "
                    + "authentication provider (zookeeper.authProvider.sasl="
                    + "org.apache.zookeeper.server.auth.SASLAuthenticationProvider) and a client authenticated by SASL"));
        } catch (Exception e) {
            throw ZooKeeperBackend.wrap("could not create " + path, e);
        }
    }
}
