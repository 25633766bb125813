package io.distributedsupervisor.zookeeper.transport;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * How a {@link NodeTransport} runs. A valid config is guaranteed by construction (the builder and
 * the canonical constructor check the same rules): every node of a cluster shares a secret of at
 * least {@value #MIN_SECRET_BYTES} bytes, unless the config says {@code openMode} explicitly, in
 * which case peers only exchange names and no secret is checked (or used, if one is given).
 *
 * <p>Why 32 bytes and no key stretching: everything the transport proves or authenticates is keyed
 * by the secret, so anyone who records one handshake can test guesses of the secret against it
 * offline, as fast as they can compute HMACs. A slow key derivation (PBKDF2, scrypt) would only
 * multiply the cost of each guess by a constant, which a weak secret does not survive either;
 * 32 random bytes (256 bits) make the search hopeless whatever the hardware. Length is all a
 * program can check, so it checks that: generate the secret, e.g. {@code openssl rand -base64 32}
 * (44 characters carrying 256 random bits), and never choose one by hand.
 *
 * @param nodeName           this node's name, as peers know it (1 to 255 characters)
 * @param clusterName        peers of another cluster are refused at the handshake
 * @param bindHost           the interface to listen on
 * @param port               0 for an ephemeral port
 * @param advertisedHost     the host peers dial; {@link NodeTransport#address()} combines it with the bound port
 * @param secret             the cluster secret (the Erlang cookie); null only with {@code openMode}
 * @param openMode           skip the challenge-response (for trusted networks and tests only)
 * @param maxFrameBytes      the largest frame accepted (and sent): type, request id and payload
 * @param tls                null for plain TCP; otherwise connections run TLS with this context, with
 *                           certificates both ways: the listening side requires the dialler's
 *                           certificate, the dialler checks that the listener's certificate names
 *                           the host it dialled (endpoint identification "HTTPS": a DNS or IP
 *                           subject alternative name)
 * @param requireTls         refuse to build without {@code tls}, so that a node whose TLS settings
 *                           went missing fails to start rather than talk in the clear
 * @param connectTimeout     how long a connection attempt may take; also how long a caller waits
 *                           for a peer that is not reading before its message fails
 * @param handshakeTimeout   how long TLS plus the challenge-response may take before the connection is closed
 * @param writeLowWaterMark  a channel becomes writable again below this many buffered bytes
 * @param writeHighWaterMark a channel stops being writable above this many buffered bytes
 * @param maxPendingHandshakes           how many inbound connections may be in the handshake at once;
 *                                       beyond, a new one is closed at once (at least 1)
 * @param maxPendingHandshakesPerAddress how many of those may come from one remote address (at least 1)
 * @param eventLoopThreads   how many event-loop threads run the connections (at least 1)
 * @param nativeTransport    use native epoll where Netty finds it available (Linux), else NIO;
 *                           false always uses NIO
 */
public record TransportConfig(String nodeName, String clusterName, String bindHost, int port, String advertisedHost,
                              byte[] secret, boolean openMode,
                              int maxFrameBytes, SSLContext tls, boolean requireTls,
                              Duration connectTimeout, Duration handshakeTimeout,
                              int writeLowWaterMark, int writeHighWaterMark,
                              int maxPendingHandshakes, int maxPendingHandshakesPerAddress,
                              int eventLoopThreads, boolean nativeTransport) {

    public static final String DEFAULT_CLUSTER_NAME = "distributed-supervisor";
    public static final int DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
    /** The smallest max frame size: handshake frames and error texts must always fit. */
    public static final int MIN_FRAME_BYTES = 4096;
    /** The shortest cluster secret accepted; see the class comment for why. */
    public static final int MIN_SECRET_BYTES = 32;
    /** Names travel in the handshake; this bound keeps handshake frames small. */
    public static final int MAX_NAME_LENGTH = 255;
    public static final int DEFAULT_MAX_PENDING_HANDSHAKES = 256;
    public static final int DEFAULT_MAX_PENDING_HANDSHAKES_PER_ADDRESS = 16;

    /**
     * @throws IllegalArgumentException naming the offending setting
     * @throws NullPointerException     if a required value is null
     */
    public TransportConfig {
        nodeName = checkName(nodeName, "nodeName");
        clusterName = checkName(clusterName, "clusterName");
        Objects.requireNonNull(bindHost, "bindHost");
        Objects.requireNonNull(advertisedHost, "advertisedHost");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0 (ephemeral) to 65535, not " + port);
        }
        if (!openMode) {
            if (secret == null) {
                throw new IllegalArgumentException("a cluster secret is required (or openMode(true) for a trusted network):"
                        + " without one any process that can reach the port could join node '" + nodeName + "'");
            }
            if (secret.length < MIN_SECRET_BYTES) {
                throw new IllegalArgumentException("the cluster secret must have at least " + MIN_SECRET_BYTES
                        + " bytes, it has " + secret.length + ": a recorded handshake lets anyone test guesses of a short"
                        + " secret offline; generate one, e.g. openssl rand -base64 32");
            }
        }
        secret = secret == null ? null : secret.clone();
        if (requireTls && tls == null) {
            throw new IllegalArgumentException("requireTls is set but no TLS context is given (tls(SSLContext)): node '"
                    + nodeName + "' would talk to its peers in the clear");
        }
        if (maxFrameBytes < MIN_FRAME_BYTES) {
            throw new IllegalArgumentException("maxFrameBytes must be at least " + MIN_FRAME_BYTES + ", not " + maxFrameBytes);
        }
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connectTimeout must be positive, not " + connectTimeout);
        }
        if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
            throw new IllegalArgumentException("handshakeTimeout must be positive, not " + handshakeTimeout);
        }
        if (writeLowWaterMark <= 0 || writeHighWaterMark < writeLowWaterMark) {
            throw new IllegalArgumentException("write water marks must satisfy 0 < low <= high, not low="
                    + writeLowWaterMark + " high=" + writeHighWaterMark);
        }
        if (maxPendingHandshakes < 1 || maxPendingHandshakesPerAddress < 1) {
            throw new IllegalArgumentException("maxPendingHandshakes and maxPendingHandshakesPerAddress must be at least 1, not "
                    + maxPendingHandshakes + " and " + maxPendingHandshakesPerAddress);
        }
        if (eventLoopThreads < 1) {
            throw new IllegalArgumentException("eventLoopThreads must be at least 1, not " + eventLoopThreads);
        }
    }

    private static String checkName(String name, String what) {
        Objects.requireNonNull(name, what);
        if (name.isBlank() || name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException(what + " must have 1 to " + MAX_NAME_LENGTH + " characters and not be blank: '" + name + "'");
        }
        return name;
    }

    /** A copy of the secret (null in open mode without one). */
    @Override
    public byte[] secret() {
        return secret == null ? null : secret.clone();
    }

    /** Everything but the secret's bytes. */
    @Override
    public String toString() {
        return "TransportConfig[nodeName=" + nodeName + ", clusterName=" + clusterName + ", bind=" + bindHost + ":" + port
                + ", advertisedHost=" + advertisedHost + ", secret=" + (secret == null ? "none" : "(" + secret.length + " bytes)")
                + ", openMode=" + openMode + ", maxFrameBytes=" + maxFrameBytes
                + ", tls=" + (tls != null) + ", requireTls=" + requireTls + ", connectTimeout=" + connectTimeout + ", handshakeTimeout=" + handshakeTimeout
                + ", writeWaterMarks=" + writeLowWaterMark + "/" + writeHighWaterMark
                + ", maxPendingHandshakes=" + maxPendingHandshakes + "/" + maxPendingHandshakesPerAddress + " per address"
                + ", eventLoopThreads=" + eventLoopThreads + ", nativeTransport=" + nativeTransport + "]";
    }

    /** A builder with the defaults listed on {@link Builder}. */
    public static Builder builder(String nodeName) {
        return new Builder(nodeName);
    }

    /**
     * Defaults: cluster {@value #DEFAULT_CLUSTER_NAME}, bind host 127.0.0.1 (loopback unless told
     * otherwise), port 0, advertised host = bind host, max frame 16 MiB, connect and handshake
     * timeouts 5 s, write water marks 32 KiB / 64 KiB, at most 256 inbound connections in the
     * handshake (16 per remote address), 2 event-loop threads, native transport where
     * available, no TLS, no secret (so {@link #build()} needs {@link #secret} or {@link #openMode}).
     * Messages are bytes: the transport never encodes or decodes them.
     */
    public static final class Builder {
        private final String nodeName;
        private String clusterName = DEFAULT_CLUSTER_NAME;
        private String bindHost = "127.0.0.1";
        private int port;
        private String advertisedHost;
        private byte[] secret;
        private boolean openMode;
        private int maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
        private SSLContext tls;
        private boolean requireTls;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration handshakeTimeout = Duration.ofSeconds(5);
        private int writeLowWaterMark = 32 * 1024;
        private int writeHighWaterMark = 64 * 1024;
        private int maxPendingHandshakes = DEFAULT_MAX_PENDING_HANDSHAKES;
        private int maxPendingHandshakesPerAddress = DEFAULT_MAX_PENDING_HANDSHAKES_PER_ADDRESS;
        private int eventLoopThreads = 2;
        private boolean nativeTransport = true;

        private Builder(String nodeName) {
            this.nodeName = nodeName;
        }

        public Builder clusterName(String clusterName) {
            this.clusterName = clusterName;
            return this;
        }

        public Builder bindHost(String bindHost) {
            this.bindHost = bindHost;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** The host peers dial; defaults to the bind host. */
        public Builder advertisedHost(String advertisedHost) {
            this.advertisedHost = advertisedHost;
            return this;
        }

        /** The cluster secret, at least {@value TransportConfig#MIN_SECRET_BYTES} bytes (copied). */
        public Builder secret(byte[] secret) {
            this.secret = secret == null ? null : secret.clone();
            return this;
        }

        /** The cluster secret as text (its UTF-8 bytes, at least {@value TransportConfig#MIN_SECRET_BYTES}). */
        public Builder secret(String secret) {
            return secret(secret == null ? null : secret.getBytes(StandardCharsets.UTF_8));
        }

        public Builder openMode(boolean openMode) {
            this.openMode = openMode;
            return this;
        }

        public Builder maxFrameBytes(int maxFrameBytes) {
            this.maxFrameBytes = maxFrameBytes;
            return this;
        }

        /**
         * TLS with this context (null: plain TCP). Its key manager must hold this node's
         * certificate (presented both ways) and its trust manager the peers' issuers; each node's
         * certificate must name the host peers dial it at (advertised host) in a DNS or IP subject
         * alternative name.
         */
        public Builder tls(SSLContext tls) {
            this.tls = tls;
            return this;
        }

        /** True: {@link #build()} refuses a config without {@link #tls}. */
        public Builder requireTls(boolean requireTls) {
            this.requireTls = requireTls;
            return this;
        }

        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        public Builder handshakeTimeout(Duration handshakeTimeout) {
            this.handshakeTimeout = handshakeTimeout;
            return this;
        }

        public Builder writeBufferWaterMark(int low, int high) {
            this.writeLowWaterMark = low;
            this.writeHighWaterMark = high;
            return this;
        }

        /**
         * How many inbound connections may be in the handshake at once, in all and from one
         * remote address; beyond, a new connection is closed at once. Defaults 256 and 16. Nodes
         * behind one NAT address share the second.
         */
        public Builder maxPendingHandshakes(int total, int perAddress) {
            this.maxPendingHandshakes = total;
            this.maxPendingHandshakesPerAddress = perAddress;
            return this;
        }

        /** How many event-loop threads run this node's connections; default 2. */
        public Builder eventLoopThreads(int eventLoopThreads) {
            this.eventLoopThreads = eventLoopThreads;
            return this;
        }

        /** True (the default): native epoll where available, else NIO. False: NIO always. */
        public Builder nativeTransport(boolean nativeTransport) {
            this.nativeTransport = nativeTransport;
            return this;
        }

        /**
         * @throws IllegalArgumentException if there is no secret and no {@code openMode(true)}, the
         *                                  secret is shorter than 32 bytes, {@code requireTls} is set
         *                                  without {@code tls}, or another value is invalid
         */
        public TransportConfig build() {
            return new TransportConfig(nodeName, clusterName, bindHost, port,
                    advertisedHost == null ? bindHost : advertisedHost, secret, openMode,
                    maxFrameBytes, tls, requireTls, connectTimeout, handshakeTimeout, writeLowWaterMark, writeHighWaterMark,
                    maxPendingHandshakes, maxPendingHandshakesPerAddress, eventLoopThreads, nativeTransport);
        }
    }
}
