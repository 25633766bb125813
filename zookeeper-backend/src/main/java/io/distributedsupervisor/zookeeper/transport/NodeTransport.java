package io.distributedsupervisor.zookeeper.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.DefaultMessageSizeEstimator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MessageSizeEstimator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node-to-node transport: Netty, length-prefixed frames, a challenge-response on the cluster
 * secret at the start of every connection, optional TLS.
 *
 * <p>Guarantees:
 * <ul>
 *   <li><b>Order.</b> This node keeps one outbound connection per peer, used for every request
 *       and one-way message to it, so they arrive in the order {@link #request}/{@link #send}
 *       were called (per-pair FIFO). The peer's requests to us come on its own outbound
 *       connection, so a pair of nodes may hold two connections, one per direction. Replies go
 *       back on the connection the request came on, matched by request id.</li>
 *   <li><b>Authentication.</b> Nothing a peer sends is decoded or dispatched before it proved
 *       knowledge of the cluster secret (unless both sides run in open mode); a wrong secret, a
 *       bad frame, a frame too large or a refused class closes (or, for a refused request,
 *       answers) that one connection, with a log line naming the peer; the node goes on.</li>
 *   <li><b>Failures are futures.</b> {@link #request} fails with {@link TransportException} when
 *       the peer cannot be reached or authenticated, the connection drops before the reply, the
 *       reply cannot be decoded, the peer is not reading, or the remote handler failed. Futures
 *       complete on a transport thread: chain slow work with the {@code *Async} methods.</li>
 *   <li><b>Reconnect.</b> After a lost connection the next request or send reconnects. After a
 *       failed attempt (refused, timed out, handshake refused), requests fail at once until a
 *       backoff has passed: 50 ms, doubling up to 2 s, reset by a successful handshake.</li>
 *   <li><b>Back-pressure.</b> Channels have write-buffer water marks. A caller (not on a transport
 *       thread) whose peer's channel is not writable waits up to the connect timeout, then its
 *       request or send fails with "peer X is not reading"; memory cannot grow without bound.
 *       An inbound connection whose replies are not read stops being read until they are.</li>
 *   <li><b>Threads.</b> One event loop group of two daemon threads named
 *       {@code ds-transport-<node>-N}; {@link #close()} waits until they ended.</li>
 * </ul>
 */
public final class NodeTransport implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeTransport.class);
    private static final int EVENT_LOOP_THREADS = 2;
    private static final long CLOSE_TIMEOUT_MILLIS = 10_000;
    /** Counts a Frame as the bytes it will take on the wire, so queued writes count towards the water marks. */
    private static final MessageSizeEstimator FRAME_SIZE = () -> {
        MessageSizeEstimator.Handle fallback = DefaultMessageSizeEstimator.DEFAULT.newHandle();
        return msg -> msg instanceof Frame frame ? frame.wireBytes() : fallback.size(msg);
    };

    private final TransportConfig config;
    private final InboundHandler handler;
    private final HandshakeHandler.Identity identity;
    private final Threads threads;
    private final EventLoopGroup group;
    private final ConcurrentHashMap<String, Peer> peers = new ConcurrentHashMap<>();
    private final Set<Channel> channels = ConcurrentHashMap.newKeySet();
    private final AtomicLong requestIds = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Channel server;
    private final String address;

    private NodeTransport(TransportConfig config, InboundHandler handler) {
        this.config = config;
        this.handler = handler;
        this.identity = new HandshakeHandler.Identity(config.nodeName(), config.clusterName(), config.secret(),
                config.openMode(), new SecureRandom(), config.handshakeTimeout().toMillis());
        this.threads = new Threads("ds-transport-" + config.nodeName() + "-");
        this.group = new NioEventLoopGroup(EVENT_LOOP_THREADS, threads);
        ChannelFuture bound = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark())
                .childOption(ChannelOption.MESSAGE_SIZE_ESTIMATOR, FRAME_SIZE)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        Connection connection = new Connection(ch);
                        track(ch);
                        pipeline(ch, connection, HandshakeHandler.server(identity, connection));
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
        int port = ((InetSocketAddress) server.localAddress()).getPort();
        String host = config.advertisedHost();
        this.address = (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
        LOG.info("node {} transport listening on {}:{}, advertised as {}{}{}", config.nodeName(), config.bindHost(), port,
                address, config.tls() != null ? ", TLS" : "", config.openMode() ? ", OPEN MODE (no cluster secret)" : "");
    }

    /**
     * Binds the server socket and starts; {@code handler} gets what peers send.
     *
     * @throws TransportException if the address cannot be bound
     */
    public static NodeTransport start(TransportConfig config, InboundHandler handler) {
        return new NodeTransport(Objects.requireNonNull(config, "config"), Objects.requireNonNull(handler, "handler"));
    }

    /** {@code host:port} that peers dial: the advertised host and the bound port. */
    public String address() {
        return address;
    }

    TransportConfig config() {
        return config;
    }

    /**
     * Sends {@code message} to node {@code node} at {@code address} ({@code host:port}) and gets
     * its reply. Connects on first use. May block the calling thread up to the connect timeout
     * while the peer is not reading (see the class comment).
     *
     * @return the reply, or a future failed with {@link TransportException}
     * @throws IllegalArgumentException if {@code address} is not {@code host:port}
     */
    public CompletableFuture<Object> request(String node, String address, Object message) {
        CompletableFuture<Object> reply = new CompletableFuture<>();
        Frame frame;
        try {
            frame = frame(Frame.REQUEST, requestIds.incrementAndGet(), node, message);
        } catch (TransportException e) {
            reply.completeExceptionally(e);
            return reply;
        }
        TransportException refused = peer(node, address).enqueue(frame, reply, !onTransportThread());
        if (refused != null) {
            reply.completeExceptionally(refused);
        }
        return reply;
    }

    /**
     * Sends a one-way message, on the same connection and in the same order as {@link #request}.
     * True means it was handed to the connection (which may still fail later, silently).
     *
     * @return false if it could not be queued: the transport is closed, the peer was just found
     *         unreachable (backoff), or it is not reading
     * @throws TransportException       if the message cannot be encoded or is larger than a frame
     * @throws IllegalArgumentException if {@code address} is not {@code host:port}
     */
    public boolean send(String node, String address, Object message) {
        Frame frame = frame(Frame.ONE_WAY, 0, node, message);
        TransportException refused = peer(node, address).enqueue(frame, null, !onTransportThread());
        if (refused != null) {
            LOG.debug("one-way message to node {} not sent: {}", node, refused.getMessage());
            return false;
        }
        return true;
    }

    /**
     * Forgets a peer (it left or died): closes our connection to it and fails its pending
     * requests. Its own connection to us, if any, stays until it closes it, so that a node that
     * has left but not yet closed still gets answers.
     */
    public void disconnect(String node) {
        Peer peer = peers.remove(node);
        if (peer != null) {
            peer.close(new TransportException("peer " + node + " was disconnected (it left or died)"));
        }
    }

    /** Closes the server, every connection and the event loops, and waits until their threads ended. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        TransportException cause = new TransportException("the transport of node " + config.nodeName() + " is closed");
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
        if (onTransportThread()) {
            // Waiting here would wait for ourselves; the loops end as soon as this task returns.
            return;
        }
        terminated.awaitUninterruptibly(CLOSE_TIMEOUT_MILLIS * 2);
        threads.join(CLOSE_TIMEOUT_MILLIS);
    }

    private Frame frame(byte type, long id, String node, Object message) {
        byte[] payload;
        try {
            payload = config.codec().encode(message);
        } catch (Exception e) {
            throw new TransportException("message to node " + node + " (" + (message == null ? "null" : message.getClass().getName())
                    + ") cannot be encoded: " + e, e);
        }
        if (payload.length + Frame.HEADER_BYTES > config.maxFrameBytes()) {
            throw new TransportException("message to node " + node + " (" + message.getClass().getName() + ") has "
                    + payload.length + " bytes, more than the maximum frame size of " + config.maxFrameBytes());
        }
        return new Frame(type, id, payload);
    }

    private Peer peer(String node, String address) {
        Objects.requireNonNull(node, "node");
        parse(address);
        while (true) {
            if (closed.get()) {
                Peer gone = new Peer(this, node, address);
                gone.close(new TransportException("the transport of node " + config.nodeName() + " is closed"));
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
                    existing.close(new TransportException("peer " + node + " moved from " + existing.address() + " to " + address));
                }
                if (closed.get()) {
                    fresh.close(new TransportException("the transport of node " + config.nodeName() + " is closed"));
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
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()))
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark())
                .option(ChannelOption.MESSAGE_SIZE_ESTIMATOR, FRAME_SIZE)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connection.attach(ch);
                        track(ch);
                        pipeline(ch, connection, HandshakeHandler.client(identity, connection));
                    }
                })
                .connect(target);
        connection.attach(connecting.channel());
        connecting.addListener((ChannelFutureListener) done -> {
            if (!done.isSuccess()) {
                Throwable cause = done.cause();
                connection.attemptFailed(new TransportException("cannot connect to peer " + peer.node() + " at " + peer.address()
                        + ": " + (cause == null ? "cancelled" : cause.getMessage() == null ? cause.toString() : cause.getMessage()), cause));
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
            } else {
                engine = config.tls().createSSLEngine();
                engine.setUseClientMode(false);
            }
            SslHandler ssl = new SslHandler(engine);
            ssl.setHandshakeTimeoutMillis(config.handshakeTimeout().toMillis());
            p.addLast("tls", ssl);
        }
        p.addLast("flush", new FlushConsolidationHandler(FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
        p.addLast("frames", new FrameDecoder(connection, config.maxFrameBytes()));
        p.addLast("frameEncoder", FrameEncoder.INSTANCE);
        p.addLast("handshake", handshake);
        p.addLast("codec", new PayloadDecoder(config.codec()));
        p.addLast("dispatch", new Dispatcher(config.nodeName(), connection, handler, config.codec(), config.maxFrameBytes()));
        p.addLast("guard", new ConnectionGuard(connection));
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

    private boolean onTransportThread() {
        for (EventExecutor executor : group) {
            if (executor.inEventLoop()) {
                return true;
            }
        }
        return false;
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

    /** Names the event-loop threads and remembers them, so that close() can wait until they ended. */
    private static final class Threads implements ThreadFactory {
        private final String prefix;
        private final AtomicInteger count = new AtomicInteger();
        private final List<Thread> created = new ArrayList<>();

        Threads(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public synchronized Thread newThread(Runnable task) {
            Thread thread = new FastThreadLocalThread(task, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            created.add(thread);
            return thread;
        }

        void join(long timeoutMillis) {
            List<Thread> all;
            synchronized (this) {
                all = new ArrayList<>(created);
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            for (Thread thread : all) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return;
                }
                try {
                    thread.join(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
