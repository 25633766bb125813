package io.distributedsupervisor.zookeeper.transport;

import io.distributedsupervisor.spi.MessageHandler;
import io.distributedsupervisor.spi.Delivery;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node-to-node transport: Netty, length-prefixed frames, a challenge-response on the cluster
 * secret at the start of every connection, optional TLS. It moves bytes: it never encodes or
 * decodes a message, and it reports what became of each as a {@link Delivery}.
 *
 * <p>Guarantees:
 * <ul>
 *   <li><b>Order.</b> This node keeps one outbound connection per peer, used for every request
 *       and one-way message to it, so they leave and arrive in the order {@link #request}/{@link #send}
 *       were called (per-pair FIFO), whatever the threads. The peer's requests to us come on its
 *       own outbound connection, so a pair of nodes may hold two connections, one per direction.
 *       Replies go back on the connection the request came on, matched by request id.</li>
 *   <li><b>Authentication.</b> Nothing a peer sends is dispatched before it proved knowledge of
 *       the cluster secret and named itself: the node this node dialled, or (inbound) one that
 *       the {@link PeerCheck} accepts. Nothing before that names this node or its cluster
 *       ({@link HandshakeHandler}). Every frame after the proofs carries a tag under keys of this
 *       connection and direction, over an implicit sequence number ({@link FrameMac}): a frame
 *       injected, replayed, reordered, dropped or reflected on the way closes the connection and
 *       nothing of it is dispatched. Open mode (both sides) has no proofs and no tags. A wrong
 *       secret, a bad or forged frame or a frame too large closes that one connection, with a log
 *       line naming the peer (at most one a minute per peer address and kind, {@link PeerLog});
 *       the node goes on.</li>
 *   <li><b>Budgets.</b> At most {@code maxPendingHandshakes} inbound connections may be in the
 *       handshake at once, and {@code maxPendingHandshakesPerAddress} of them from one remote
 *       address ({@link HandshakeBudget}); beyond, a new connection is reset at once, with one
 *       log line per address a minute. A connection that never finishes is closed after the
 *       handshake timeout.</li>
 *   <li><b>Typed outcomes.</b> A request's future always completes normally, with exactly one of:
 *       {@link Delivery.Replied} (the peer's reply); {@link Delivery.NotSent} (nothing left this
 *       node: transport closed, peer unreachable or in connect backoff, connection or handshake
 *       failed while the request was queued, peer not reading; or the peer's handler took nothing of
 *       it, {@link RequestNotTakenException}); {@link Delivery.MaybeDelivered}
 *       (the request was handed to the connection, which was lost before the reply);
 *       {@link Delivery.Refused} (larger than {@code maxFrameBytes}, decided here before
 *       queueing, or the peer's handler failed on it). Reasons name the peer and what happened.
 *       Futures complete on a transport thread (or on the caller's, when the outcome is known
 *       before anything is queued): chain slow work with the {@code *Async} methods.</li>
 *   <li><b>Coalesced writes.</b> Frames from any number of threads are queued per connection and
 *       written by one event-loop task with one flush; replies likewise. A request issued on a
 *       transport thread (say, from a completion callback) never blocks.</li>
 *   <li><b>Reconnect.</b> After a lost connection the next request or send reconnects. After a
 *       failed attempt (refused, timed out, handshake refused), requests are not sent until a
 *       backoff has passed: 50 ms, doubling up to 2 s, reset by a successful handshake.</li>
 *   <li><b>Back-pressure.</b> Channels have write-buffer water marks. A caller (not on a transport
 *       thread) whose peer's connection has no room waits up to the connect timeout, then gets
 *       {@link Delivery.NotSent} "peer X is not reading"; memory cannot grow without bound.
 *       An inbound connection whose replies are not read stops being read until they are.</li>
 *   <li><b>Threads.</b> One event loop group of {@code eventLoopThreads} daemon threads named
 *       {@code ds-transport-<node>-N}, native epoll when available and allowed, else NIO;
 *       {@link #close()} waits until they ended.</li>
 * </ul>
 */
public final class NodeTransport implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeTransport.class);
    private static final long CLOSE_TIMEOUT_MILLIS = 10_000;
    /** Peer addresses whose bad connections and frames are counted, rather than logged each. */
    private static final int PEER_LOG_ADDRESSES = 1024;
    /** Lines about bad peers a minute, in all: beyond, they are counted. */
    private static final int PEER_LOG_LINES_PER_MINUTE = 100;

    private final TransportConfig config;
    private final MessageHandler handler;
    private final HandshakeHandler.Identity identity;
    private final PeerLog peerLog;
    private final HandshakeBudget budget;
    private final TransportThreads threads;
    private final EventLoopGroup group;
    private final boolean epoll;
    private final Class<? extends SocketChannel> channelClass;
    private final ConcurrentHashMap<String, Peer> peers = new ConcurrentHashMap<>();
    private final Set<Channel> channels = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Channel server;
    private final String address;

    private NodeTransport(TransportConfig config, MessageHandler handler, PeerCheck peers) {
        this.config = config;
        this.handler = handler;
        this.peerLog = new PeerLog(LOG::warn, System::nanoTime, PEER_LOG_ADDRESSES, PEER_LOG_LINES_PER_MINUTE);
        this.budget = new HandshakeBudget(config.maxPendingHandshakes(), config.maxPendingHandshakesPerAddress());
        byte[] handshakeKey = config.openMode() ? null
                : ClusterKeys.of(config.secret(), config.clusterName()).key(ClusterKeys.HANDSHAKE);
        this.identity = new HandshakeHandler.Identity(config.nodeName(), handshakeKey, config.openMode(), new SecureRandom(),
                config.handshakeTimeout().toMillis(), peers, peerLog);
        this.threads = new TransportThreads("ds-transport-" + config.nodeName() + "-");
        this.epoll = config.nativeTransport() && Epoll.isAvailable();
        this.group = epoll ? new EpollEventLoopGroup(config.eventLoopThreads(), threads)
                : new NioEventLoopGroup(config.eventLoopThreads(), threads);
        this.channelClass = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        Class<? extends ServerChannel> serverClass = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        ChannelFuture bound = new ServerBootstrap()
                .group(group)
                .channel(serverClass)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        accepted(ch);
                    }
                })
                .bind(config.bindHost(), config.port())
                .awaitUninterruptibly();
        if (!bound.isSuccess()) {
            shutDownThreads();
            throw new TransportException("node " + config.nodeName() + " cannot listen on " + config.bindHost() + ":"
                    + config.port() + ": " + bound.cause(), bound.cause());
        }
        this.server = bound.channel();
        group.next().scheduleAtFixedRate(peerLog::flush, 1, 1, TimeUnit.MINUTES);
        int port = ((InetSocketAddress) server.localAddress()).getPort();
        String host = config.advertisedHost();
        this.address = (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
        LOG.info("node {} transport listening on {}:{}, advertised as {}, {} with {} event-loop thread(s){}{}{}", config.nodeName(),
                config.bindHost(), port, address, epoll ? "native epoll" : "NIO", config.eventLoopThreads(),
                config.nativeTransport() && !epoll ? " (epoll unavailable: " + Epoll.unavailabilityCause() + ")" : "",
                config.tls() != null ? ", TLS" : "", config.openMode() ? ", OPEN MODE (no cluster secret)" : "");
        if (config.openMode()) {
            LOG.warn("node {} runs its transport in open mode: no cluster secret, so peers prove nothing, frames carry no "
                    + "tags and names travel in the clear; any process that can reach {} can join the cluster and send it "
                    + "anything. For trusted networks and tests only: set a cluster secret (DS_CLUSTER_SECRET)",
                    config.nodeName(), address);
        }
    }

    /**
     * Binds the server socket and starts; {@code handler} gets what peers send, from the nodes
     * that prove the cluster secret and that {@code peers} accepts.
     *
     * @throws TransportException if the address cannot be bound
     */
    public static NodeTransport start(TransportConfig config, MessageHandler handler, PeerCheck peers) {
        return new NodeTransport(Objects.requireNonNull(config, "config"), Objects.requireNonNull(handler, "handler"),
                Objects.requireNonNull(peers, "peers"));
    }

    /** {@code host:port} that peers dial: the advertised host and the bound port. */
    public String address() {
        return address;
    }

    TransportConfig config() {
        return config;
    }

    /** Whether the connections run on native epoll (else NIO). */
    boolean nativeTransport() {
        return epoll;
    }

    /**
     * Sends request {@code message} to node {@code node} at {@code address} ({@code host:port})
     * and gets what became of it (see the class comment); the future never fails. Connects on
     * first use. May block the calling thread up to the connect timeout while the peer is not
     * reading; never blocks a transport thread.
     *
     * @throws IllegalArgumentException if {@code address} is not {@code host:port}
     */
    public CompletableFuture<Delivery> request(String node, String address, byte[] message) {
        CompletableFuture<Delivery> reply = new CompletableFuture<>();
        String tooLarge = tooLarge(node, message);
        if (tooLarge != null) {
            reply.complete(new Delivery.Refused(config.nodeName(), tooLarge));
            return reply;
        }
        String notSent = peer(node, address).enqueue(new Outbox.Outgoing(Frame.REQUEST, 0, message, reply), mayWait());
        if (notSent != null) {
            reply.complete(new Delivery.NotSent(notSent));
        }
        return reply;
    }

    /**
     * Sends a one-way message, on the same connection and in the same order as {@link #request}.
     *
     * @return {@link Delivery#SENT} when it was handed to the connection (which may still lose it,
     *         silently); {@link Delivery.NotSent} when the transport is closed or the peer is in
     *         backoff or not reading; {@link Delivery.Refused} when it is larger than a frame
     * @throws IllegalArgumentException if {@code address} is not {@code host:port}
     */
    public Delivery send(String node, String address, byte[] message) {
        String tooLarge = tooLarge(node, message);
        if (tooLarge != null) {
            return new Delivery.Refused(config.nodeName(), tooLarge);
        }
        String notSent = peer(node, address).enqueue(new Outbox.Outgoing(Frame.ONE_WAY, 0, message, null), mayWait());
        if (notSent != null) {
            LOG.debug("one-way message to node {} not sent: {}", node, notSent);
            return new Delivery.NotSent(notSent);
        }
        return Delivery.SENT;
    }

    /**
     * Forgets a peer (it left or died): closes our connection to it and fails its pending
     * requests. Its own connection to us, if any, stays until it closes it, so that a node that
     * has left but not yet closed still gets answers.
     */
    public void disconnect(String node) {
        Peer peer = peers.remove(node);
        if (peer != null) {
            peer.close("peer " + node + " was disconnected (it left or died)");
        }
    }

    /** Closes the server, every connection and the event loops, and waits until their threads ended. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        String cause = closedReason();
        for (Peer peer : peers.values()) {
            peer.close(cause);
        }
        peers.clear();
        server.close();
        for (Channel channel : channels) {
            channel.close();
        }
        shutDownThreads();
        LOG.info("node {} transport closed", config.nodeName());
    }

    private void shutDownThreads() {
        io.netty.util.concurrent.Future<?> terminated = group.shutdownGracefully(0, CLOSE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        if (!mayWait()) {
            // A transport thread never waits (it may be one of ours, waiting for itself); the
            // loops end on their own.
            return;
        }
        terminated.awaitUninterruptibly(CLOSE_TIMEOUT_MILLIS * 2);
        threads.join(CLOSE_TIMEOUT_MILLIS);
    }

    private String tooLarge(String node, byte[] message) {
        Objects.requireNonNull(message, "message");
        if (message.length + Frame.HEADER_BYTES > config.maxFrameBytes()) {
            return "the message to node " + node + " has " + message.length + " bytes, more than the maximum frame size of "
                    + config.maxFrameBytes() + " of node " + config.nodeName();
        }
        return null;
    }

    private String closedReason() {
        return "the transport of node " + config.nodeName() + " is closed";
    }

    /** Transport threads (of any node in this JVM) never wait: they run the loops that make room. */
    private static boolean mayWait() {
        return !TransportThreads.isTransportThread();
    }

    private Peer peer(String node, String address) {
        Objects.requireNonNull(node, "node");
        Peer known = peers.get(node);
        if (known != null && known.address().equals(address)) {
            return known; // its address was checked when it was made
        }
        parse(address);
        while (true) {
            if (closed.get()) {
                Peer gone = new Peer(this, node, address);
                gone.close(closedReason());
                return gone;
            }
            Peer existing = peers.get(node);
            if (existing != null && existing.address().equals(address)) {
                return existing;
            }
            Peer fresh = new Peer(this, node, address);
            if (existing == null ? peers.putIfAbsent(node, fresh) == null : peers.replace(node, existing, fresh)) {
                if (existing != null) {
                    // Same name, new address: the node restarted elsewhere; its old incarnation is gone.
                    existing.close("peer " + node + " moved from " + existing.address() + " to " + address);
                }
                if (closed.get()) {
                    fresh.close(closedReason());
                }
                return fresh;
            }
        }
    }

    /** Dials the connection's peer; the outcome arrives through the connection. Called under the peer's lock. */
    void connect(Connection connection) {
        Peer peer = connection.peer();
        InetSocketAddress target = parse(peer.address());
        ChannelFuture connecting = new Bootstrap()
                .group(group)
                .channel(channelClass)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()))
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connection.attach(ch);
                        track(ch);
                        pipeline(ch, connection, new ClientHandshake(identity, connection));
                    }
                })
                .connect(target);
        connection.attach(connecting.channel());
        connecting.addListener((ChannelFutureListener) done -> {
            if (!done.isSuccess()) {
                Throwable cause = done.cause();
                connection.attemptFailed("cannot connect to peer " + peer.node() + " at " + peer.address()
                        + ": " + (cause == null ? "cancelled" : cause.getMessage() == null ? cause.toString() : cause.getMessage()));
            }
        });
    }

    private void pipeline(SocketChannel ch, Connection connection, HandshakeHandler handshake) {
        ChannelPipeline p = ch.pipeline();
        if (config.tls() != null) {
            SSLEngine engine;
            if (connection.outbound()) {
                InetSocketAddress target = parse(connection.peer().address());
                engine = config.tls().createSSLEngine(target.getHostString(), target.getPort());
                engine.setUseClientMode(true);
                // The certificate must name the host we dialled: a certificate of the cluster's
                // CA presented from another address is someone else's node (or a stolen key).
                SSLParameters parameters = engine.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                engine.setSSLParameters(parameters);
            } else {
                engine = config.tls().createSSLEngine();
                engine.setUseClientMode(false);
                // Both ends prove who they are: a dialler without a certificate is refused before
                // it sends a byte of the transport's protocol.
                engine.setNeedClientAuth(true);
            }
            SslHandler ssl = new SslHandler(engine);
            ssl.setHandshakeTimeoutMillis(config.handshakeTimeout().toMillis());
            p.addLast("tls", ssl);
        }
        p.addLast("frames", new FrameDecoder(connection, config.maxFrameBytes(), peerLog));
        p.addLast("frameEncoder", FrameEncoder.INSTANCE);
        p.addLast("authenticator", new FrameAuthenticator());
        p.addLast("batches", new BatchSplitter());
        p.addLast("handshake", handshake);
        p.addLast("dispatch", new Dispatcher(config.nodeName(), connection, handler, config.maxFrameBytes()));
        p.addLast("guard", new ConnectionGuard(connection, peerLog));
    }

    /** A peer dialled us: within the handshake budget its handshake starts, else it is closed at once. */
    private void accepted(SocketChannel ch) {
        Connection connection = new Connection(ch, config.maxFrameBytes());
        String host = connection.remoteHost();
        String refusal = budget.admit(host);
        if (refusal != null) {
            peerLog.warn(host, "refused connections", "refused a connection from " + host + " at once: " + refusal);
            // A reset rather than a close: nothing of the refused connection lingers on this node.
            ch.config().setOption(ChannelOption.SO_LINGER, 0);
            ch.close();
            return;
        }
        AtomicBoolean released = new AtomicBoolean();
        Runnable release = () -> {
            if (released.compareAndSet(false, true)) {
                budget.release(host);
            }
        };
        ch.closeFuture().addListener(f -> release.run());
        track(ch);
        pipeline(ch, connection, new ServerHandshake(identity, connection, release));
    }

    /** How many inbound connections are in the handshake now. */
    int pendingHandshakes() {
        return budget.pending();
    }

    private void track(Channel ch) {
        channels.add(ch);
        ch.closeFuture().addListener(f -> channels.remove(ch));
        if (closed.get()) {
            ch.close();
        }
    }

    private WriteBufferWaterMark waterMark() {
        return new WriteBufferWaterMark(config.writeLowWaterMark(), config.writeHighWaterMark());
    }

    private static InetSocketAddress parse(String address) {
        Objects.requireNonNull(address, "address");
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            throw new IllegalArgumentException("peer address must be host:port, not '" + address + "'");
        }
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("peer address must be host:port, not '" + address + "'");
        }
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("port of peer address '" + address + "' is out of range");
        }
        return InetSocketAddress.createUnresolved(host, port);
    }

    @Override
    public String toString() {
        return "NodeTransport[" + config.nodeName() + " at " + address + (closed.get() ? ", closed" : "") + "]";
    }
}
