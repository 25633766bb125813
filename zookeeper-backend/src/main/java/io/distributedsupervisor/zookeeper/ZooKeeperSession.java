package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.spi.BackendException;
import io.distributedsupervisor.spi.Delivery;
import io.distributedsupervisor.spi.Member;
import io.distributedsupervisor.spi.MessageHandler;
import io.distributedsupervisor.spi.NodeSession;
import io.distributedsupervisor.spi.Owner;
import io.distributedsupervisor.spi.SessionListener;
import io.distributedsupervisor.spi.SessionState;
import io.distributedsupervisor.spi.SpecRecord;
import io.distributedsupervisor.zookeeper.transport.NodeTransport;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's membership in one supervisor's group: its member znode, a {@link SupervisorView}
 * of the supervisor's three trees (read locally, so reads touch no network), its claims and
 * releases. The ZooKeeper session, the lease and the transport are the node's
 * {@link SharedConnection}'s, shared with every other supervisor this JVM runs as that node.
 *
 * <p>Connection states (Curator's), as each supervisor on the connection gets them:
 * <ul>
 *   <li>{@code SUSPENDED} (and {@code READ_ONLY}): the lease ends at once, so no child processes
 *       a message; the runtime is told {@link SessionState#SUSPENDED}.</li>
 *   <li>{@code RECONNECTED} with the same ZooKeeper session: the lease is renewed by a round
 *       trip, the view is read again, then {@link SessionState#RECONNECTED}. With another session
 *       (the old one expired while we were away): {@link SessionState#LOST}.</li>
 *   <li>{@code LOST}: {@link SessionState#LOST}; the runtime closes this session and joins again
 *       (on a fresh connection: a lost one takes no new joins).</li>
 * </ul>
 * ZooKeeper's own {@code Disconnected} and {@code Expired} events end the lease too, on
 * ZooKeeper's event thread and before Curator sees them: Curator answers {@code Expired} by
 * closing the handle, and when the expiry was injected (curator-test's {@code KillSession})
 * while the handle was still connected, that close ends the session on the server at once
 * (CURATOR-561 describes the same race in the injection), so survivors may claim within
 * milliseconds; this node must have stopped processing before that.
 *
 * <p>The lease: after each confirmed round trip that started at {@code t}, the node may process
 * messages until {@code t + leaseFraction × negotiated session timeout}. ZooKeeper expires a
 * session no sooner than the session timeout after the client's last contact, so a node that
 * was frozen (GC, SIGSTOP) stops processing before survivors may start its children.
 *
 * <p>Fencing is per ZooKeeper session, and the session is shared: every supervisor of this JVM
 * that runs as this node with the same settings is suspended, fenced and lost together.
 *
 * <p>Since the session outlives one supervisor's close when others share it, {@link #close()}
 * deletes this supervisor's member znode and owner entries itself (what closing the client did
 * when every supervisor had a session of its own).
 *
 * <p>Its parts, each with one job: {@link SupervisorFolders} prepares the folders at the join
 * (with the backend's ACL), {@link MemberZnode} keeps the member znode, {@link OwnerZnodes} writes
 * the claims and releases; with a cluster secret the member and owner znodes carry proofs of it
 * that every view checks ({@link MemberProofs}).
 */
final class ZooKeeperSession implements NodeSession {
    private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperSession.class);
    static final String VERSION = "0.1";

    private final ZooKeeperBackend.Builder config;
    private final String supervisor;
    private final String node;
    private final SessionListener listener;
    private final MessageHandler handler;
    private final Consumer<ZooKeeperSession> onClose;
    /** The supervisor's name as messages for it are routed ({@link SupervisorRoutes#route}). */
    private final byte[] route;
    /** The supervisor's paths as Curator's namespaced client spells them. */
    private final ZnodeLayout paths;
    private final MemberProofs proofs;
    private final UntrustedEntries untrusted;

    /** The node's ZooKeeper session and transport, shared with the other supervisors it runs. */
    private SharedConnection connection;
    private boolean attached;
    /** This node's {@code members/<node>}, which every claim sets again (see {@link OwnerZnodes}). */
    private MemberZnode member;
    private CuratorFramework client;
    /** The ACL of the znodes this node creates through the raw handle (Curator's for the rest). */
    private final List<ACL> acl;
    private NodeTransport transport;
    /** This supervisor's messages on the transport; made with the view. */
    private SupervisorTransport messages;
    private volatile SupervisorView view;
    /** This session's claims, restarts and releases, and owner entries read from ZooKeeper; made with the view. */
    private OwnerZnodes owners;
    /** The operators' requests to this node (the ds tool). */
    private OperatorRequests requests;
    private long sessionId;
    private volatile boolean lost;
    private volatile boolean closed;

    private ZooKeeperSession(ZooKeeperBackend.Builder config, String supervisor, String node, SessionListener listener,
                             MessageHandler handler, Consumer<ZooKeeperSession> onClose) {
        this.config = config;
        this.supervisor = supervisor;
        this.node = node;
        this.listener = listener;
        this.handler = handler;
        this.onClose = onClose;
        this.route = SupervisorRoutes.name(supervisor);
        this.paths = ZnodeLayout.of(supervisor);
        this.acl = ZooKeeperAcls.of(config);
        this.proofs = MemberProofs.of(config, supervisor);
        this.untrusted = new UntrustedEntries(node, listener, () -> closed);
    }

    static ZooKeeperSession open(ZooKeeperBackend.Builder config, String supervisor, String node,
                                 SessionListener listener, MessageHandler handler, Consumer<ZooKeeperSession> onClose) {
        ZooKeeperSession s = new ZooKeeperSession(config, supervisor, node, listener, handler, onClose);
        try {
            s.connect();
            return s;
        } catch (RuntimeException e) {
            s.release();
            throw e;
        }
    }

    private void connect() {
        connection = SharedConnection.acquire(config, node);
        client = connection.client();
        ZooKeeper zk = connection.zooKeeper();
        sessionId = connection.sessionId();
        transport = connection.transport();
        connection.attach(supervisor, this);
        attached = true;
        SupervisorFolders.prepare(client, config, paths, acl, supervisor, node, connection::flatListingClient);

        long startedAt = System.currentTimeMillis();
        byte[] memberData = proofs.memberData(node, transport.address(), startedAt, VERSION, sessionId);
        member = new MemberZnode(client, supervisor, node, paths.member(node), memberData, sessionId,
                config.sessionTimeout, () -> closed || lost, paths.leaving(node), proofs.leavingData(node, sessionId));
        member.create();

        try {
            String namespace = client.getNamespace();
            ZnodeLayout rawPaths = paths.withPrefix(namespace == null || namespace.isEmpty() ? ""
                    : ZKPaths.makePath(namespace, null));
            // Owners learnt from claim events trust whoever set a member znode; with open ACLs that
            // may be anyone, so then (with a secret to check against) every new owner entry is read.
            boolean ownersFromEvents = !config.openAcl || !proofs.verifies();
            view = new SupervisorView(zk, node, sessionId, rawPaths, listener,
                    config.failoverMargin, config.scheduler, config.connectionTimeout, config.sessionTimeout,
                    () -> closed, new SupervisorView.Trust(proofs, untrusted, ownersFromEvents, member::joinAgain), acl);
            // Made before the view loads, as the claim batchers were: a close after a load that
            // failed still deletes the entries of this session that the view holds.
            Buckets buckets = new Buckets(zk, rawPaths, acl, view::hasBucket);
            owners = new OwnerZnodes(client, zk, paths, rawPaths, node, sessionId, memberData, proofs, acl,
                    config.connectionTimeout, view, buckets, this::requireOpen);
            messages = new SupervisorTransport(transport, view, route, node, supervisor, () -> closed, () -> lost);
            view.start();
            requests = new OperatorRequests(client, supervisor, node, proofs, listener, untrusted, acl);
            requests.start();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendException("interrupted while loading the view of supervisor " + supervisor, e);
        } catch (BackendException e) {
            throw e;
        } catch (Exception e) {
            throw ZooKeeperBackend.wrap("could not load the view of supervisor " + supervisor, e);
        }
        LOG.info("node {} joined supervisor {} on ZooKeeper {} (session 0x{}, transport {})", node, supervisor,
                config.connectString, Long.toHexString(sessionId), transport.address());
    }

    // ---- connection state and lease, as the shared connection tells them ----

    void suspended() {
        if (!closed) {
            listener.onSessionState(SessionState.SUSPENDED);
        }
    }

    void reconnected() {
        if (closed || lost) {
            return;
        }
        SupervisorView v = view;
        if (v != null) {
            // Watches may have missed changes while disconnected.
            v.reload().exceptionally(e -> {
                LOG.warn("node {}: reloading the view of supervisor {} after a reconnection failed: {}", node, supervisor,
                        e.toString());
                return null;
            });
        }
        listener.onSessionState(SessionState.RECONNECTED);
    }

    void lost() {
        if (lost) {
            return;
        }
        lost = true;
        if (!closed) {
            LOG.warn("node {}: ZooKeeper session 0x{} of supervisor {} is lost", node, Long.toHexString(sessionId),
                    supervisor);
            listener.onSessionState(SessionState.LOST);
        }
    }

    void leaseRestored() {
        if (!closed && !lost) {
            listener.onLeaseRestored();
        }
    }

    /** What peers send this supervisor on this node. */
    MessageHandler handler() {
        return handler;
    }

    @Override
    public boolean holdsLease() {
        return !closed && !lost && connection.holdsLease();
    }

    @Override
    public Optional<java.time.Duration> leaseRemaining() {
        return Optional.of(closed || lost ? java.time.Duration.ZERO : connection.leaseRemaining());
    }

    // ---- NodeSession ----

    @Override
    public String node() {
        return node;
    }

    @Override
    public long sessionId() {
        return sessionId;
    }

    @Override
    public Map<String, Member> members() {
        return view.members();
    }

    @Override
    public void leave() {
        member.leave(view);
    }

    @Override
    public void settled() {
        SupervisorView v = view;
        if (v != null && !closed && !lost) {
            v.settled();
        }
    }

    /**
     * The verified transport address of {@code node}, for the transport to check that a peer is
     * the node it claims to be: a live member whose znode carries a valid proof of the cluster
     * secret, or one that has left and whose session still holds owner entries. Empty for any
     * other name, and before the view is loaded. In open mode (no secret) nothing is verified:
     * every live member counts.
     */
    Optional<String> verifiedMember(String node) {
        SupervisorView v = view;
        return v == null ? Optional.empty() : v.verifiedMember(node);
    }

    @Override
    public boolean hasSpec(String key) {
        return view.hasSpec(key);
    }

    @Override
    public void forEachSpecKey(Consumer<String> action) {
        view.forEachSpecKey(action);
    }

    @Override
    public void forEachSpecKeyWithoutOwner(Consumer<String> action) {
        view.forEachSpecKeyWithoutOwner(action);
    }

    @Override
    public Optional<SpecRecord> spec(String key) {
        return Optional.ofNullable(specs(List.of(key)).get(key));
    }

    @Override
    public Map<String, SpecRecord> specs(Collection<String> keys) {
        requireOpen();
        return view.specs(keys);
    }

    @Override
    public Map<String, Optional<String>> placements(Collection<String> keys) {
        requireOpen();
        return view.placements(keys);
    }

    @Override
    public boolean removeSpec(String key) {
        requireOpen();
        return owners.removeSpec(key);
    }

    @Override
    public Optional<Owner> owner(String key) {
        return Optional.ofNullable(view.owner(key));
    }

    /** The view's entry without a lease (or once closed or lost); else ZooKeeper's ({@link OwnerZnodes#freshOwner}). */
    @Override
    public Optional<Owner> freshOwner(String key) {
        if (closed || lost || !holdsLease()) {
            return owner(key);
        }
        return owners.freshOwner(key);
    }

    @Override
    public void forEachOwner(BiConsumer<String, Owner> action) {
        view.forEachOwner(action);
    }

    @Override
    public Owner claimNew(String key, SpecRecord spec) {
        return owners.claimNew(key, spec);
    }

    @Override
    public CompletableFuture<Owner> claimNewAsync(String key, SpecRecord spec) {
        return owners.claimNewAsync(key, spec);
    }

    @Override
    public Optional<Owner> claimStored(String key) {
        return owners.claimStored(key);
    }

    @Override
    public Map<String, Owner> claimStored(Collection<String> keys) {
        return owners.claimStored(keys);
    }

    @Override
    public boolean updateOwner(String key, Owner owner) {
        return owners.updateOwner(key, owner);
    }

    @Override
    public boolean release(String key) {
        return owners.release(key);
    }

    @Override
    public boolean releaseTo(String key, String node) {
        return owners.releaseTo(key, node);
    }

    @Override
    public boolean releaseAndRemoveSpec(String key) {
        return owners.releaseAndRemoveSpec(key);
    }

    // ---- transport ----

    @Override
    public CompletableFuture<Delivery> request(String target, byte[] message) {
        return messages.request(target, message);
    }

    @Override
    public Delivery send(String target, byte[] message) {
        return messages.send(target, message);
    }

    // ---- lifecycle ----

    private void requireOpen() {
        if (closed) {
            throw new BackendException("session of node " + node + " in supervisor " + supervisor + " is closed");
        }
        if (lost) {
            throw new BackendException("the ZooKeeper session of node " + node + " is lost");
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        release();
        listener.onSessionState(SessionState.CLOSED);
        onClose.accept(this);
        LOG.info("node {} left supervisor {}", node, supervisor);
    }

    /**
     * Leaves the shared connection. This supervisor's owner entries are persistent, so they are
     * deleted here first, whoever else uses the session (else a succession would hand them on).
     * Its member znode is deleted too while others keep the session; when this supervisor is the
     * last on it, closing it ends the session, and ZooKeeper removes the member znode with it.
     */
    private void release() {
        closed = true;
        if (view != null) {
            view.stop();
        }
        if (requests != null) {
            requests.close();
        }
        if (connection == null) {
            return;
        }
        try {
            // Its znodes first, its messages last, as when closing the client and then the
            // transport ended a session of its own.
            if (member != null && member.created() && !lost && !connection.isLost()) {
                deleteOwnZnodes(connection.shared());
            }
        } finally {
            if (attached) {
                connection.detach(supervisor, this);
            }
            connection.release();
        }
    }

    /**
     * Deletes every owner entry this session holds in this supervisor, then (if {@code member})
     * its member znode, as a graceful close does; an entry that cannot be deleted now is handed
     * on by a succession once the member znode or the session is gone.
     *
     * @param member whether to delete the member znode too (the session's end does, when no one else uses it)
     */
    private void deleteOwnZnodes(boolean member) {
        long deadline = System.nanoTime() + config.connectionTimeout.toNanos();
        // The entries first: a member znode gone while its session holds entries reads as an
        // ended session, whose entries a succession gives to heirs.
        if (owners != null) {
            owners.deleteOwn(supervisor, deadline);
        }
        if (member) {
            this.member.delete();
        }
    }

    /**
     * Ends this session as a dead process's would: nothing is written on the way out (its owner
     * entries stay, for a succession), then it closes. For tests that crash a node.
     */
    void closeAsIfCrashed() {
        lost = true;
        close();
    }

    /** The live ZooKeeper handle, for failure-injection tests (curator-test's KillSession). */
    org.apache.zookeeper.ZooKeeper zooKeeper() throws Exception {
        return client.getZookeeperClient().getZooKeeper();
    }

    /** The shared connection this session is on, for tests. */
    SharedConnection connection() {
        return connection;
    }

    NodeTransport transport() {
        return transport;
    }

    @Override
    public String toString() {
        return "ZooKeeperSession{" + supervisor + "/" + node + ", 0x" + Long.toHexString(sessionId) + "}";
    }
}
