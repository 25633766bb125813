package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.spi.Owner;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One session's reads of owner entries straight from ZooKeeper, where its view may lag: after a
 * {@code sync} for a caller that must see every committed claim, at once for a claim's conflict,
 * and before a write of its own entry, which is then made at the version read. Each entry read
 * counts only if it verifies, and stands for whom its {@link Successions} say
 * ({@link SupervisorView#standing}). Called on the runtime's threads; owned by {@link OwnerZnodes}.
 */
final class OwnerReads {
    private static final Logger LOG = LoggerFactory.getLogger(OwnerReads.class);

    private final CuratorFramework client;
    /** The supervisor's paths as Curator's namespaced client spells them. */
    private final ZnodeLayout paths;
    private final String node;
    private final long sessionId;
    private final SupervisorView view;
    private final Duration connectionTimeout;

    OwnerReads(CuratorFramework client, ZnodeLayout paths, String node, long sessionId, SupervisorView view,
               Duration connectionTimeout) {
        this.client = client;
        this.paths = paths;
        this.node = node;
        this.sessionId = sessionId;
        this.view = view;
        this.connectionTimeout = connectionTimeout;
    }

    /**
     * Reads {@code owners/<key>} from ZooKeeper after a {@code sync}, so that it sees every claim
     * committed before the call, whichever server this client talks to. The view is left alone:
     * its watches bring the same change a few milliseconds later.
     */
    Optional<Owner> fresh(String key) {
        String path = paths.owner(key);
        try {
            CountDownLatch synced = new CountDownLatch(1);
            client.sync().inBackground((c, event) -> synced.countDown()).forPath(path);
            if (!synced.await(connectionTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return Optional.ofNullable(view.owner(key));
            }
            Stat stat = new Stat();
            byte[] data = client.getData().storingStatIn(stat).forPath(path);
            // An entry that does not verify is no owner (the view reports it once).
            Owner raw = view.verifiedOwner(key, data, stat);
            return Optional.ofNullable(raw == null ? null : view.standing(key, raw));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.ofNullable(view.owner(key));
        } catch (Exception e) {
            LOG.debug("node {}: could not read owners/{}: {}", node, key, e.toString());
            return Optional.ofNullable(view.owner(key));
        }
    }

    /**
     * The owner entry as ZooKeeper has it now (the view may lag a conflict just seen); null if
     * none or unreadable. An entry that does not verify still holds the key (no claim can be
     * made while it stands), so it is answered as a holder that is no member, named
     * {@code untrusted(<node it names>, session 0x…)}: the runtime then reports a stale claim.
     */
    Owner current(String key) {
        try {
            Stat stat = new Stat();
            byte[] data = client.getData().storingStatIn(stat).forPath(paths.owner(key));
            Owner raw = view.verifiedOwner(key, data, stat);
            if (raw == null) {
                return new Owner(untrustedHolder(data), stat.getCzxid(), 0, 0);
            }
            Owner o = view.standing(key, raw);
            // An entry without heir (no spec, its session succeeded) holds the key until its heir
            // deletes it: answered as a holder that is no member, so the start is tried again.
            return o != null ? o : new Owner("ended(" + raw.node() + ", session 0x" + Long.toHexString(raw.session())
                    + ")", raw.epoch(), 0, raw.session());
        } catch (Exception e) {
            return view.owner(key);
        }
    }

    private static String untrustedHolder(byte[] data) {
        String named = "?";
        if (data != null && data.length <= ZnodeData.MAX_ENTRY_BYTES) {
            String[] lines = new String(data, StandardCharsets.UTF_8).split("\n", 3);
            if (lines.length > 1 && !lines[1].isEmpty()) {
                named = ZnodeData.printable(lines[1]);
            }
        }
        return "untrusted(" + named + ")";
    }

    /**
     * The stat of {@code owners/<key>} if the entry standing for it is this session's (its own
     * claim, or one it holds by succession), else null: read, so that the write that follows is
     * made at the version read.
     */
    Stat ownStat(String key) throws Exception {
        Stat stat = new Stat();
        byte[] data;
        try {
            data = client.getData().storingStatIn(stat).forPath(paths.owner(key));
        } catch (KeeperException.NoNodeException e) {
            return null;
        }
        Owner raw = view.verifiedOwner(key, data, stat);
        Owner standing = raw == null ? null : view.standing(key, raw);
        return standing != null && standing.session() == sessionId ? stat : null;
    }
}
