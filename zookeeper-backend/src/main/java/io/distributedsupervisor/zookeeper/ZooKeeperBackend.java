package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.Scheduler;
import io.distributedsupervisor.Ticker;
import io.distributedsupervisor.spi.Backend;
import io.distributedsupervisor.spi.BackendException;
import io.distributedsupervisor.spi.MessageHandler;
import io.distributedsupervisor.spi.NodeSession;
import io.distributedsupervisor.spi.SessionListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import io.distributedsupervisor.zookeeper.transport.TransportConfig;
import javax.net.ssl.SSLContext;
import org.apache.curator.RetryPolicy;

/**
 * The ZooKeeper backend: coordination through Apache Curator, messages between nodes through a
 * Netty transport authenticated by a shared cluster secret.
 *
 * <p>One ZooKeeper session and one transport per node and JVM: every {@link #join} as the same
 * node, of this backend or of any other built with the same settings (the same values, and the
 * same instances of what is given in code: retry policy, TLS context, ticker), shares one Curator
 * client, one lease and one Netty server, counted by reference and closed with the last
 * supervisor that leaves it. Another node name, or other settings, get a connection of their
 * own. A supervisor added to a running node costs no session, no port and no platform thread
 * of this backend. Fencing is per ZooKeeper session, so the supervisors sharing one are fenced
 * together: a pause or partition that expires it stops all of them, and each joins again.
 *
 * <p>The layout under the namespace
 * is docs/ARCHITECTURE.md's: {@code <supervisor>/members/<node>} (ephemeral), {@code children/<key>}
 * (persistent specs), {@code owners/<key>} (ephemeral claims).
 *
 * <p>Safe by default: the transport binds to loopback unless told otherwise, and {@link Builder#build()}
 * refuses to make a backend without a cluster secret unless {@link Builder#openMode(boolean)} is
 * set, and without ZooKeeper credentials for its znodes' ACL ({@link Builder#digestAcl},
 * {@link Builder#saslAcl}) unless {@link Builder#openAcl(boolean)} is set. The backend moves and
 * stores bytes only: what they mean (and which classes they may name) is the runtime's business,
 * through the supervisor's codec.
 *
 * <p>With a cluster secret, members and owner entries are verified, not trusted: a member znode
 * counts only if it is ephemeral and carries a proof of the secret bound to the session that
 * holds it, and an owner entry only if it carries such a proof for its session too
 * ({@link MemberProofs}); anything else is ignored and reported once (a WARN line and
 * {@link SessionListener#onUntrusted}). In open mode there is no secret and nothing is verified:
 * any client that can write the znodes can add members and owner entries.
 */
public final class ZooKeeperBackend implements Backend {
    /** The default ticker, one instance, so that backends left at the default share their connections. */
    private static final Ticker SYSTEM_TICKER = Ticker.system();
    private final Builder config;
    private final Set<ZooKeeperSession> sessions = ConcurrentHashMap.newKeySet();

    private ZooKeeperBackend(Builder config) {
        this.config = config;
    }

    /** A builder; {@code connectString} is the ZooKeeper ensemble, e.g. {@code "zk1:2181,zk2:2181"}. */
    public static Builder builder(String connectString) {
        return new Builder(connectString);
    }

    @Override
    public NodeSession join(String supervisor, String node, SessionListener listener, MessageHandler handler) {
        Objects.requireNonNull(supervisor, "supervisor");
        Objects.requireNonNull(node, "node");
        ZooKeeperSession session = ZooKeeperSession.open(config, supervisor, node, listener, handler, sessions::remove);
        sessions.add(session);
        return session;
    }

    @Override
    public void close() {
        for (ZooKeeperSession s : new ArrayList<>(sessions)) {
            s.close();
        }
    }

    /** The open sessions, for failure-injection tests. */
    java.util.Collection<ZooKeeperSession> sessions() {
        return List.copyOf(sessions);
    }

    /** The settings; read by the session. */
    Builder config() {
        return config;
    }

    @Override
    public String toString() {
        return "ZooKeeperBackend{" + config.connectString + ", namespace=" + config.namespace + "}";
    }

    /**
     * Settings of a {@link ZooKeeperBackend}; each method has the name of its setting in
     * {@link ZooKeeperSettings} (the map, {@code -Dds.zookeeper.<name>}, {@code DS_ZOOKEEPER_<NAME>},
     * a properties file). Defaults: session timeout 15 s, connection timeout 10 s, exponential
     * back-off retry (100 ms first sleep, 2 s longest, 10 retries), namespace
     * {@code distributed-supervisor}, no ACL credentials (required: {@link #digestAcl},
     * {@link #saslAcl} or {@link #openAcl}), transport on 127.0.0.1 with an ephemeral port,
     * frames up to 16 MiB, no TLS, the system ticker and scheduler.
     */
    public static final class Builder {
        final String connectString;
        Duration sessionTimeout = Duration.ofSeconds(15);
        Duration connectionTimeout = Duration.ofSeconds(10);
        RetryPolicy retryPolicy;
        Duration retryBaseSleep;
        Duration retryMaxSleep;
        Integer retryMaxRetries;
        String namespace = "distributed-supervisor";
        String digestUser;
        String digestPassword;
        List<String> saslPrincipals = new ArrayList<>();
        boolean openAcl;
        String bindHost = "127.0.0.1";
        int port;
        String advertisedHost;
        byte[] secret;
        boolean openMode;
        SSLContext tls;
        boolean requireTls;
        int maxFrameBytes = 16 * 1024 * 1024;
        int eventLoopThreads = 2;
        boolean nativeTransport = true;
        int maxPendingHandshakes = TransportConfig.DEFAULT_MAX_PENDING_HANDSHAKES;
        int maxPendingHandshakesPerAddress = TransportConfig.DEFAULT_MAX_PENDING_HANDSHAKES_PER_ADDRESS;
        double leaseFraction = 0.5;
        Duration failoverMargin = Duration.ZERO;
        Ticker ticker = SYSTEM_TICKER;
        Scheduler scheduler = Scheduler.system();
        /** What the retry policy is made of, for sharing connections: the policy given, or the default's settings. */
        Object retryKey;

        private Builder(String connectString) {
            Objects.requireNonNull(connectString, "connectString");
            if (connectString.isBlank()) {
                throw new IllegalArgumentException("connectString must name at least one ZooKeeper server");
            }
            this.connectString = connectString;
        }

        public Builder sessionTimeout(Duration timeout) {
            this.sessionTimeout = positive(timeout, "sessionTimeout");
            return this;
        }

        public Builder connectionTimeout(Duration timeout) {
            this.connectionTimeout = positive(timeout, "connectionTimeout");
            return this;
        }

        /**
         * Curator's retry policy for ZooKeeper operations (code only). Default: exponential back-off
         * from {@link #retryBaseSleep} (100 ms) up to {@link #retryMaxSleep} (2 s), at most
         * {@link #retryMaxRetries} (10) retries; set those, or this, not both.
         */
        public Builder retryPolicy(RetryPolicy retryPolicy) {
            this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
            return this;
        }

        /** The default retry policy's first sleep; default 100 ms. */
        public Builder retryBaseSleep(Duration sleep) {
            this.retryBaseSleep = positive(sleep, "retryBaseSleep");
            return this;
        }

        /** The default retry policy's longest sleep; default 2 s. */
        public Builder retryMaxSleep(Duration sleep) {
            this.retryMaxSleep = positive(sleep, "retryMaxSleep");
            return this;
        }

        /** The default retry policy's number of retries, 0 to 29; default 10. */
        public Builder retryMaxRetries(int retries) {
            if (retries < 0 || retries > 29) {
                throw new IllegalArgumentException("retryMaxRetries must be between 0 and 29: " + retries);
            }
            this.retryMaxRetries = retries;
            return this;
        }

        /** The chroot-like root of every znode; {@code [A-Za-z0-9_.-]+}, may hold {@code /} between parts. */
        public Builder namespace(String namespace) {
            Objects.requireNonNull(namespace, "namespace");
            if (!namespace.matches("[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*")) {
                throw new IllegalArgumentException("invalid namespace '" + namespace
                        + "': parts of A-Z a-z 0-9 _ . - separated by /, no leading or trailing /");
            }
            this.namespace = namespace;
            return this;
        }

        /**
         * Digest ACLs: every znode this backend creates is readable and writable only by clients
         * authenticated as {@code user:password}, and this backend authenticates so. The folders
         * that exist already get the same ACL at every start (or the start is refused, when this
         * client may not set it).
         */
        public Builder digestAcl(String user, String password) {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(password, "password");
            if (user.isEmpty() || user.contains(":")) {
                throw new IllegalArgumentException("digest user must be non-empty and without ':'");
            }
            this.digestUser = user;
            this.digestPassword = password;
            return this;
        }

        /**
         * {@link #digestAcl(String, String)} from a file holding {@code user:password} (without
         * surrounding white space): keeps the password off command lines and out of the code.
         *
         * @throws IllegalArgumentException if the file cannot be read or holds no {@code user:password}
         */
        public Builder digestAclFile(Path file) {
            Objects.requireNonNull(file, "file");
            String text;
            try {
                text = Files.readString(file, StandardCharsets.UTF_8).strip();
            } catch (IOException | RuntimeException e) {
                // The exception's class and the path only: never the content.
                throw new IllegalArgumentException("cannot read the digestAcl file " + file + ": " + e.getClass().getName(), e);
            }
            int colon = text.indexOf(':');
            if (colon <= 0 || colon == text.length() - 1) {
                // The content is a password: never in the message.
                throw new IllegalArgumentException("the digestAcl file " + file
                        + " must hold user:password (a non-empty user and password)");
            }
            return digestAcl(text.substring(0, colon), text.substring(colon + 1));
        }

        /**
         * SASL ACLs: every znode this backend creates is readable and writable by the SASL
         * principal {@code principal} (as ZooKeeper names the authenticated client, e.g.
         * {@code ds} for DIGEST-MD5 or {@code ds/host@REALM} for Kerberos, depending on the
         * server's settings). This backend's client authenticates through ZooKeeper's usual JAAS
         * settings ({@code -Djava.security.auth.login.config}, section {@code Client} or
         * {@code -Dzookeeper.sasl.clientconfig}); the server needs its SASL authentication
         * provider. May be given more than once, and with {@link #digestAcl}: each identity
         * gets all permissions.
         */
        public Builder saslAcl(String principal) {
            Objects.requireNonNull(principal, "principal");
            if (principal.isBlank()) {
                throw new IllegalArgumentException("the SASL principal must not be blank");
            }
            if (!saslPrincipals.contains(principal)) {
                saslPrincipals.add(principal);
            }
            return this;
        }

        /**
         * Leaves every znode readable and writable by any ZooKeeper client
         * ({@code world:anyone}): for trusted networks and tests only. Every start logs a
         * warning. With a cluster secret, members and owner entries written by other clients are
         * still ignored (see the class comment), but anyone can delete the cluster's znodes.
         */
        public Builder openAcl(boolean open) {
            this.openAcl = open;
            return this;
        }

        /** The interface the transport listens on; default loopback {@code 127.0.0.1}. */
        public Builder bindHost(String host) {
            this.bindHost = Objects.requireNonNull(host, "bindHost");
            return this;
        }

        /** The transport port; 0 (the default) takes a free one. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            this.port = port;
            return this;
        }

        /** The host other nodes dial; default the bind host. */
        public Builder advertisedHost(String host) {
            this.advertisedHost = Objects.requireNonNull(host, "advertisedHost");
            return this;
        }

        /**
         * The shared cluster secret that nodes prove to each other, at least
         * {@value TransportConfig#MIN_SECRET_BYTES} bytes: anyone who records one handshake can
         * test guesses of it offline, and only a long random secret makes that hopeless (key
         * stretching would merely multiply a weak secret's guessing cost by a constant).
         * Generate one, e.g. {@code openssl rand -base64 32}.
         */
        public Builder secret(byte[] secret) {
            Objects.requireNonNull(secret, "secret");
            if (secret.length < TransportConfig.MIN_SECRET_BYTES) {
                throw new IllegalArgumentException("the cluster secret must have at least " + TransportConfig.MIN_SECRET_BYTES
                        + " bytes, got " + secret.length + ": generate one, e.g. openssl rand -base64 32");
            }
            this.secret = secret.clone();
            return this;
        }

        /** The shared cluster secret as text (its UTF-8 bytes, at least 32). */
        public Builder secret(String secret) {
            return secret(Objects.requireNonNull(secret, "secret").getBytes(StandardCharsets.UTF_8));
        }

        /**
         * The shared cluster secret from a file: its text (UTF-8) without leading and trailing
         * white space, so that {@code openssl rand -base64 32 > file} makes one. Keeps the secret
         * off command lines and out of the code; make the file readable by the node's user only.
         *
         * @throws IllegalArgumentException if the file cannot be read, or its secret is too short
         */
        public Builder secretFile(Path file) {
            Objects.requireNonNull(file, "file");
            String text;
            try {
                text = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException e) {
                // The exception's class and the path only: never the content.
                throw new IllegalArgumentException("cannot read the cluster secret file " + file + ": " + e.getClass().getName(), e);
            }
            try {
                return secret(text.strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("the cluster secret file " + file + ": " + e.getMessage(), e);
            }
        }

        /**
         * Runs the transport without authentication: no proofs, no frame tags, names in the clear;
         * any process that can reach the port can join. Only for trusted networks and tests; every
         * start logs a warning.
         */
        public Builder openMode(boolean open) {
            this.openMode = open;
            return this;
        }

        /**
         * TLS for the transport; null (the default) is plain TCP. Certificates go both ways: a
         * node requires its peer's, and checks that the peer's names the host it dialled (a DNS or
         * IP subject alternative name for the advertised host). The frames stay authenticated by
         * the cluster secret under TLS too.
         */
        public Builder tls(SSLContext context) {
            this.tls = context;
            return this;
        }

        /** True: {@link #build()} refuses to make a backend without {@link #tls}. Default false. */
        public Builder requireTls(boolean require) {
            this.requireTls = require;
            return this;
        }

        /**
         * The clock of the lease (default {@link Ticker#system()}); for tests that move time by hand.
         * The lease is the shared ZooKeeper session's, so backends share a session only when given
         * the same instance (or both the default).
         */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /** Where the failover margin's timers run (default {@link Scheduler#system()}). */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * How long after another node's claim vanished this node waits before it may claim that
         * child: a margin on top of the session timeout for nodes frozen by long GC pauses.
         * Default zero. Set it alike on every node.
         */
        public Builder failoverMargin(Duration margin) {
            Objects.requireNonNull(margin, "failoverMargin");
            if (margin.isNegative()) {
                throw new IllegalArgumentException("failoverMargin must not be negative: " + margin);
            }
            this.failoverMargin = margin;
            return this;
        }

        public Builder maxFrameBytes(int bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("maxFrameBytes must be at least 1024: " + bytes);
            }
            this.maxFrameBytes = bytes;
            return this;
        }

        /** How many event-loop threads the transport runs; default 2. */
        public Builder eventLoopThreads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("eventLoopThreads must be at least 1: " + threads);
            }
            this.eventLoopThreads = threads;
            return this;
        }

        /**
         * How many inbound transport connections may be in the handshake at once, in all and from
         * one remote address (defaults 256 and 16); beyond, a new connection is closed at once.
         */
        public Builder maxPendingHandshakes(int total, int perAddress) {
            if (total < 1 || perAddress < 1) {
                throw new IllegalArgumentException("maxPendingHandshakes must be at least 1 in total and per address: "
                        + total + ", " + perAddress);
            }
            this.maxPendingHandshakes = total;
            this.maxPendingHandshakesPerAddress = perAddress;
            return this;
        }

        /** {@link #maxPendingHandshakes(int, int)} in all, keeping the per-address cap. */
        public Builder maxPendingHandshakes(int total) {
            return maxPendingHandshakes(total, maxPendingHandshakesPerAddress);
        }

        /** {@link #maxPendingHandshakes(int, int)} from one address, keeping the cap in all. */
        public Builder maxPendingHandshakesPerAddress(int perAddress) {
            return maxPendingHandshakes(maxPendingHandshakes, perAddress);
        }

        /** True (the default): the transport uses native epoll where available, else NIO. False: NIO always. */
        public Builder nativeTransport(boolean nativeTransport) {
            this.nativeTransport = nativeTransport;
            return this;
        }

        private static Duration positive(Duration d, String what) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive: " + d);
            }
            return d;
        }

        /**
         * @throws IllegalArgumentException without a secret unless {@code openMode(true)}; without
         *                                  ACL credentials unless {@code openAcl(true)}; with both
         *                                  credentials and {@code openAcl(true)}; with
         *                                  {@code requireTls(true)} and no {@code tls}
         */
        public ZooKeeperBackend build() {
            SettingsCheck.check(this);
            Builder copy = new Builder(connectString);
            copy.sessionTimeout = sessionTimeout;
            copy.connectionTimeout = connectionTimeout;
            DefaultRetry defaultRetry = DefaultRetry.of(retryBaseSleep, retryMaxRetries, retryMaxSleep);
            copy.retryPolicy = retryPolicy != null ? retryPolicy : defaultRetry.policy();
            copy.retryKey = retryPolicy != null ? retryPolicy : defaultRetry;
            copy.namespace = namespace;
            copy.digestUser = digestUser;
            copy.digestPassword = digestPassword;
            copy.saslPrincipals = List.copyOf(saslPrincipals);
            copy.openAcl = openAcl;
            copy.bindHost = bindHost;
            copy.port = port;
            copy.advertisedHost = advertisedHost;
            copy.secret = secret;
            copy.openMode = openMode;
            copy.tls = tls;
            copy.requireTls = requireTls;
            copy.maxFrameBytes = maxFrameBytes;
            copy.eventLoopThreads = eventLoopThreads;
            copy.nativeTransport = nativeTransport;
            copy.maxPendingHandshakes = maxPendingHandshakes;
            copy.maxPendingHandshakesPerAddress = maxPendingHandshakesPerAddress;
            copy.leaseFraction = leaseFraction;
            copy.failoverMargin = failoverMargin;
            copy.ticker = ticker;
            copy.scheduler = scheduler;
            return new ZooKeeperBackend(copy);
        }
    }

    static BackendException wrap(String what, Exception e) {
        return new BackendException(what + ": " + e, e);
    }
}
