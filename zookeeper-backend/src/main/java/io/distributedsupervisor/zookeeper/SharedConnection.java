package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.Ticker;
import io.distributedsupervisor.spi.BackendException;
import io.distributedsupervisor.zookeeper.transport.NodeTransport;
import io.distributedsupervisor.zookeeper.transport.TransportConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.utils.ZookeeperFactory;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.admin.ZooKeeperAdmin;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.common.ZKConfig;
import org.apache.zookeeper.data.ACL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's ZooKeeper session and transport, shared by every supervisor this JVM runs as that
 * node with the same settings: one Curator client, one lease, one {@link NodeTransport}, however
 * many supervisors (and backends built from the same settings) join. A supervisor added to a
 * running node costs no session, no port and no thread here.
 *
 * <p>Lifecycle, as a recipe: {@link #acquire} on a join (opens the connection if there is none
 * for these settings and node, else counts one more user), {@link #release} when that
 * supervisor's session closes; the last release closes the client and the transport.
 * Connections are found by {@link ConnectionKey}: everything the client and the transport are made of,
 * and the node name (a transport has one identity, so two node names in one JVM get two
 * connections).
 *
 * <p>Connection states are the session's, so every supervisor on it gets them at once
 * ({@link ZooKeeperSession} says what each does): {@code SUSPENDED} ends the lease of all,
 * {@code RECONNECTED} with the same ZooKeeper session renews it, and a lost session
 * ({@code LOST}, or a reconnection with another session) is lost for all. A lost connection is
 * retired from the registry at once, so the supervisors' new joins get a fresh one; it is closed
 * when its last user leaves. Fencing is therefore per JVM and node name, not per supervisor: a
 * pause or a partition that expires this session stops every supervisor on it, and survivors
 * take over all their children.
 *
 * <p>Messages: every request and one-way message carries the supervisor it is for, as a
 * one-byte length and the supervisor's name ahead of the runtime's bytes
 * ({@link SupervisorRoutes}); the receiving connection hands it to that supervisor's session. A request
 * for a supervisor it does not host (not started there, or closed a moment ago while peers still
 * list it) is answered at once, without a timeout, as not taken: the caller gets
 * {@link io.distributedsupervisor.spi.Delivery.NotSent} naming the supervisor and the node, and
 * its runtime may retry (nothing ran), as it did when each supervisor's transport closed with it.
 *
 * <p>Peers: the transport's handshake proves the cluster secret under the namespace's name
 * ({@link #clusterName}); an inbound peer is accepted if any supervisor on this connection
 * verifies it as a member ({@link ZooKeeperSession#verifiedMember}). That checks who the node
 * is (its name cannot be taken by another node), not which supervisors it may send to: every
 * node of the namespace holds the same secret and ZooKeeper credentials anyway.
 */
final class SharedConnection {
    private static final Logger LOG = LoggerFactory.getLogger(SharedConnection.class);

    /** The open connections by what they are made of; guarded by itself. */
    private static final Map<ConnectionKey, SharedConnection> OPEN = new HashMap<>();

    private final ZooKeeperBackend.Builder config;
    private final String node;
    private final ConnectionKey key;
    private final Ticker ticker;
    /** Guarded by {@link #OPEN}: the joins that hold this connection. */
    private int users;
    /** The supervisors' sessions on this connection, by supervisor. */
    private final ConcurrentHashMap<String, ZooKeeperSession> sessions = new ConcurrentHashMap<>();

    private CuratorFrameworkFactory.Builder clientBuilder;
    private CuratorFramework client;
    private ZooKeeper zk;
    private long sessionId;
    private long leaseNanos;
    /**
     * Until when (on the configured ticker) the supervisors on this connection may process
     * messages. Renewals compare-and-set it against the value seen when their round trip started,
     * so a SUSPENDED, LOST or close that ended the lease meanwhile is never undone by a late renewal.
     */
    private final AtomicLong leaseUntil = new AtomicLong();
    private Thread leaseThread;
    private NodeTransport transport;
    /** Set once the connection is open; a failed open leaves it null and {@link #failure} set. */
    private volatile boolean open;
    private BackendException failure;
    private volatile boolean lost;
    private volatile boolean closed;

    private SharedConnection(ZooKeeperBackend.Builder config, String node, ConnectionKey key) {
        this.config = config;
        this.node = node;
        this.key = key;
        this.ticker = config.ticker;
    }

    /**
     * The open connection for these settings and node, opened now if there is none (or the one
     * there lost its session); the caller {@linkplain #release releases} it once.
     *
     * @throws BackendException if it cannot be opened
     */
    static SharedConnection acquire(ZooKeeperBackend.Builder config, String node) {
        ConnectionKey key = ConnectionKey.of(config, node);
        SharedConnection c;
        synchronized (OPEN) {
            c = OPEN.get(key);
            if (c == null || c.lost || c.closed) {
                c = new SharedConnection(config, node, key);
                OPEN.put(key, c);
            }
            c.users++;
        }
        try {
            c.openOnce();
            return c;
        } catch (RuntimeException e) {
            c.release();
            throw e;
        }
    }

    /** Opens the connection on the first join; later joins wait for it (and share its failure). */
    private synchronized void openOnce() {
        if (open) {
            return;
        }
        if (failure != null) {
            throw new BackendException(failure.getMessage(), failure);
        }
        try {
            connect();
            open = true;
        } catch (BackendException e) {
            failure = e;
            retire();
            throw e;
        } catch (RuntimeException e) {
            failure = new BackendException("could not open a ZooKeeper session at " + config.connectString + ": " + e, e);
            retire();
            throw failure;
        }
    }

    /**
     * One user less; the last one closes the client (ZooKeeper then removes what the session still
     * holds) and the transport.
     */
    void release() {
        synchronized (OPEN) {
            if (--users > 0) {
                return;
            }
            OPEN.remove(key, this);
            closed = true;
        }
        shutDown();
    }

    /** Whether others than the caller use this connection now. */
    boolean shared() {
        synchronized (OPEN) {
            return users > 1;
        }
    }

    private void retire() {
        synchronized (OPEN) {
            OPEN.remove(key, this);
        }
    }

    /*
     * ZooKeeper's client settings come from the zookeeper.* system properties (new ZKClientConfig()):
     * its jute.maxbuffer stays at ZooKeeper's default (1 MiB) unless the user sets it, since no
     * answer this backend asks for is larger (ZnodeLayout, SpecReads.SPEC_READ_BATCH).
     */
    private void connect() {
        List<ACL> acl = ZooKeeperAcls.of(config);
        CuratorFrameworkFactory.Builder b = CuratorFrameworkFactory.builder()
                .connectString(config.connectString)
                .sessionTimeoutMs((int) config.sessionTimeout.toMillis())
                .connectionTimeoutMs((int) config.connectionTimeout.toMillis())
                .retryPolicy(config.retryPolicy)
                .namespace(config.namespace)
                .zkClientConfig(new ZKClientConfig())
                .zookeeperFactory(new ZookeeperFactory() {
                    @Override
                    public ZooKeeper newZooKeeper(String connectString, int sessionTimeout, Watcher watcher,
                                                  boolean canBeReadOnly) throws Exception {
                        return newZooKeeper(connectString, sessionTimeout, watcher, canBeReadOnly, new ZKClientConfig());
                    }

                    @Override
                    public ZooKeeper newZooKeeper(String connectString, int sessionTimeout, Watcher watcher,
                                                  boolean canBeReadOnly, ZKClientConfig zkClientConfig) throws Exception {
                        return new ZooKeeperAdmin(connectString, sessionTimeout, leaseFirst(watcher), canBeReadOnly,
                                zkClientConfig);
                    }
                });
        byte[] digest = ZooKeeperAcls.digestAuth(config);
        if (digest != null) {
            b.authorization("digest", digest);
        }
        b.aclProvider(new ACLProvider() {
            @Override
            public List<ACL> getDefaultAcl() {
                return acl;
            }

            @Override
            public List<ACL> getAclForPath(String path) {
                return acl;
            }
        });
        clientBuilder = b;
        client = b.build();
        client.start();
        try {
            if (!client.blockUntilConnected((int) config.connectionTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new BackendException("could not connect to ZooKeeper at " + config.connectString + " within "
                        + config.connectionTimeout);
            }
            zk = client.getZookeeperClient().getZooKeeper();
            sessionId = zk.getSessionId();
            int negotiated = zk.getSessionTimeout();
            leaseNanos = (long) (TimeUnit.MILLISECONDS.toNanos(negotiated > 0 ? negotiated
                    : config.sessionTimeout.toMillis()) * config.leaseFraction);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            shutDown();
            throw new BackendException("interrupted while connecting to ZooKeeper", e);
        } catch (BackendException e) {
            shutDown();
            throw e;
        } catch (Exception e) {
            shutDown();
            throw ZooKeeperBackend.wrap("could not open a ZooKeeper session at " + config.connectString, e);
        }
        try {
            transport = NodeTransport.start(transportConfig(), new SupervisorRoutes.Inbound(node, sessions::get),
                    this::acceptsPeer);
        } catch (RuntimeException e) {
            shutDown();
            throw e;
        }
        leaseUntil.set(ticker.read() + leaseNanos);
        client.getConnectionStateListenable().addListener((c, state) -> onConnectionState(state));
        leaseThread = Thread.ofPlatform().daemon().name("ds-lease-" + node).start(this::renewLease);
        LOG.info("node {}: ZooKeeper session 0x{} on {} and transport {}, shared by every supervisor of this node in "
                + "this JVM", node, Long.toHexString(sessionId), config.connectString, transport.address());
    }

    private TransportConfig transportConfig() {
        TransportConfig.Builder t = TransportConfig.builder(node)
                .clusterName(clusterName(config))
                .bindHost(config.bindHost)
                .port(config.port)
                .maxFrameBytes(config.maxFrameBytes)
                .openMode(config.openMode)
                .eventLoopThreads(config.eventLoopThreads)
                .maxPendingHandshakes(config.maxPendingHandshakes, config.maxPendingHandshakesPerAddress)
                .nativeTransport(config.nativeTransport);
        if (config.advertisedHost != null) {
            t.advertisedHost(config.advertisedHost);
        }
        if (config.secret != null) {
            t.secret(config.secret);
        }
        if (config.tls != null) {
            t.tls(config.tls);
        }
        t.requireTls(config.requireTls);
        return t.build();
    }

    /** The name the transport's handshake proves the secret under: the namespace, one transport serving all its supervisors. */
    static String clusterName(ZooKeeperBackend.Builder config) {
        return config.namespace;
    }

    /** A peer that proved the secret may dial us if any supervisor here verifies it as a member. */
    private boolean acceptsPeer(String peer) {
        for (ZooKeeperSession s : sessions.values()) {
            if (s.verifiedMember(peer).isPresent()) {
                return true;
            }
        }
        return false;
    }

    // ---- the supervisors on this connection ----

    /**
     * Adds a supervisor's session; from now on it gets the connection's states and its messages.
     *
     * @throws BackendException if this node runs that supervisor on this connection already, or
     *                          the connection's session is lost
     */
    void attach(String supervisor, ZooKeeperSession session) {
        if (sessions.putIfAbsent(supervisor, session) != null) {
            throw new BackendException("node " + node + " is already a live member of supervisor " + supervisor
                    + " (joined twice in this JVM)");
        }
        if (lost) {
            sessions.remove(supervisor, session);
            throw new BackendException("the ZooKeeper session 0x" + Long.toHexString(sessionId) + " of node " + node
                    + " was lost while supervisor " + supervisor + " joined");
        }
    }

    void detach(String supervisor, ZooKeeperSession session) {
        sessions.remove(supervisor, session);
    }

    // ---- what the sessions use ----

    CuratorFramework client() {
        return client;
    }

    /** The raw handle of this connection's ZooKeeper session (Curator's, without its namespace). */
    ZooKeeper zooKeeper() {
        return zk;
    }

    long sessionId() {
        return sessionId;
    }

    NodeTransport transport() {
        return transport;
    }

    boolean isLost() {
        return lost;
    }

    /** Whether the supervisors on this connection may process messages now: one volatile read. */
    boolean holdsLease() {
        return ticker.read() - leaseUntil.get() < 0;
    }

    /** How long the lease still holds without another contact with ZooKeeper; zero when it does not. */
    Duration leaseRemaining() {
        return Duration.ofNanos(Math.max(0, leaseUntil.get() - ticker.read()));
    }

    /** A client like this one whose buffer takes the listing of a flat folder of the first release ({@link LayoutCheck}). */
    synchronized CuratorFramework flatListingClient() {
        ZKClientConfig big = new ZKClientConfig();
        big.setProperty(ZKConfig.JUTE_MAXBUFFER, Integer.toString(LayoutCheck.FLAT_LISTING_BUFFER));
        CuratorFramework c = clientBuilder.zkClientConfig(big).build();
        clientBuilder.zkClientConfig(new ZKClientConfig());
        c.start();
        try {
            if (!c.blockUntilConnected((int) config.connectionTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new BackendException("could not connect to ZooKeeper at " + config.connectString + " within "
                        + config.connectionTimeout + " to migrate the flat layout");
            }
        } catch (InterruptedException e) {
            c.close();
            Thread.currentThread().interrupt();
            throw new BackendException("interrupted while migrating the flat layout", e);
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    // ---- connection state and lease ----

    /**
     * A watcher in front of Curator's own that ends the lease on {@code Disconnected} and
     * {@code Expired} before Curator acts on them (see {@link ZooKeeperSession}).
     */
    private Watcher leaseFirst(Watcher curatorWatcher) {
        return event -> {
            if (event.getType() == Watcher.Event.EventType.None
                    && (event.getState() == Watcher.Event.KeeperState.Disconnected
                    || event.getState() == Watcher.Event.KeeperState.Expired)) {
                endLease();
            }
            curatorWatcher.process(event);
        };
    }

    private void onConnectionState(ConnectionState state) {
        if (closed) {
            return;
        }
        switch (state) {
            case SUSPENDED, READ_ONLY -> {
                endLease();
                sessions.values().forEach(ZooKeeperSession::suspended);
            }
            case RECONNECTED -> {
                long now;
                try {
                    now = client.getZookeeperClient().getZooKeeper().getSessionId();
                } catch (Exception e) {
                    now = -1;
                }
                if (now == sessionId && !lost) {
                    LockSupport.unpark(leaseThread);
                    sessions.values().forEach(ZooKeeperSession::reconnected);
                } else {
                    lose();
                }
            }
            case LOST -> lose();
            default -> {
            }
        }
    }

    /** The session is gone: retired at once (new joins get a fresh connection), then every supervisor on it is told. */
    private void lose() {
        if (lost) {
            return;
        }
        lost = true;
        endLease();
        retire();
        LOG.warn("node {}: ZooKeeper session 0x{} is lost, for the {} supervisor(s) on it", node,
                Long.toHexString(sessionId), sessions.size());
        sessions.values().forEach(ZooKeeperSession::lost);
    }

    private void renewLease() {
        long every = Math.max(TimeUnit.MILLISECONDS.toNanos(20), leaseNanos / 4);
        while (!closed && !lost) {
            long start = ticker.read();
            long seen = leaseUntil.get();
            try {
                if (client.getZookeeperClient().isConnected()
                        && client.getZookeeperClient().getZooKeeper().getSessionId() == sessionId) {
                    client.checkExists().forPath("/");
                    boolean had = holdsLease();
                    if (!lost && !closed && client.getZookeeperClient().getZooKeeper().getSessionId() == sessionId
                            && leaseUntil.compareAndSet(seen, start + leaseNanos) && !had && holdsLease()) {
                        // Children paused for want of a lease (a freeze, a reconnection) may go on.
                        sessions.values().forEach(ZooKeeperSession::leaseRestored);
                    }
                }
            } catch (Exception e) {
                LOG.debug("lease renewal of {} failed: {}", node, e.toString());
            }
            LockSupport.parkNanos(every);
        }
    }

    /** Ends the lease now (the ticker may read negative, so never a fixed 0). */
    private void endLease() {
        leaseUntil.set(ticker.read() - 1);
    }

    private void shutDown() {
        closed = true;
        endLease();
        if (leaseThread != null) {
            LockSupport.unpark(leaseThread);
        }
        if (client != null) {
            client.close();
        }
        if (transport != null) {
            transport.close();
        }
        if (leaseThread != null && leaseThread != Thread.currentThread()) {
            try {
                leaseThread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // Again, now that the renewal thread is gone: a round trip it had under way may have renewed it.
        endLease();
        if (open) {
            LOG.info("node {}: ZooKeeper session 0x{} and transport closed (its last supervisor left)", node,
                    Long.toHexString(sessionId));
        }
    }

    @Override
    public String toString() {
        return "SharedConnection{" + node + ", 0x" + Long.toHexString(sessionId) + ", " + sessions.size()
                + " supervisor(s)}";
    }
}
