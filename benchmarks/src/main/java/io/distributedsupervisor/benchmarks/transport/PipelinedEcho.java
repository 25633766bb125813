package io.distributedsupervisor.benchmarks.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The reference for node-to-node messaging: a raw Netty echo of a {@value #PAYLOAD_BYTES}-byte
 * payload in length-prefixed frames over loopback, as fast as plain Netty goes: the server writes
 * each frame back and flushes once per read, the client likewise. No handshake, no ids, no
 * futures, no copies into arrays. Both sides run on {@value #EVENT_LOOP_THREADS} event-loop
 * threads each, on native epoll when available (else NIO), like a node's transport by default.
 *
 * <p>Every method starts a fresh server and client, warms up for the given duration, measures for
 * the same duration again, and closes everything; it takes twice the duration. The shapes:
 * <ul>
 *   <li>{@link #throughput}: {@value #OUTSTANDING} requests outstanding on ONE connection, driven
 *       from the client's event loop (each reply sends the next request; no caller threads).</li>
 *   <li>{@link #medianLatencyMicros}: one request at a time from a caller thread, which waits for
 *       the reply (concurrency 1).</li>
 *   <li>{@link #blockingThroughput}: many caller threads, each sending one request and waiting
 *       for its reply, on one connection.</li>
 * </ul>
 */
public final class PipelinedEcho {
    public static final int PAYLOAD_BYTES = 64;
    public static final int OUTSTANDING = 64;
    public static final int EVENT_LOOP_THREADS = 2;

    private final EventLoopGroup serverGroup;
    private final EventLoopGroup clientGroup;
    private final Channel server;
    private final Channel client;
    private final byte[] payload = new byte[PAYLOAD_BYTES];
    private final AtomicLong replies = new AtomicLong();
    /** Replies of the caller-thread shapes, in the order the requests went out on the one connection. */
    private final ConcurrentLinkedQueue<CompletableFuture<Void>> waiting = new ConcurrentLinkedQueue<>();
    private final Object sendOrder = new Object();
    private volatile boolean pipelining;

    private PipelinedEcho(boolean nativeTransport) throws InterruptedException {
        boolean epoll = nativeTransport && Epoll.isAvailable();
        serverGroup = epoll ? new EpollEventLoopGroup(EVENT_LOOP_THREADS) : new NioEventLoopGroup(EVENT_LOOP_THREADS);
        clientGroup = epoll ? new EpollEventLoopGroup(EVENT_LOOP_THREADS) : new NioEventLoopGroup(EVENT_LOOP_THREADS);
        Class<? extends ServerChannel> serverClass = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        Class<? extends SocketChannel> clientClass = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        server = new ServerBootstrap().group(serverGroup).channel(serverClass)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(1 << 20, 0, 4, 0, 0), new EchoServer());
                    }
                }).bind("127.0.0.1", 0).sync().channel();
        client = new Bootstrap().group(clientGroup).channel(clientClass)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(1 << 20, 0, 4, 0, 4), new EchoClient());
                    }
                }).connect(server.localAddress()).sync().channel();
    }

    /** Requests per second with {@value #OUTSTANDING} outstanding on one connection, driven from the event loop. */
    public static double throughput(Duration duration) throws Exception {
        return throughput(duration, true);
    }

    public static double throughput(Duration duration, boolean nativeTransport) throws Exception {
        PipelinedEcho echo = new PipelinedEcho(nativeTransport);
        try {
            echo.pipelining = true;
            echo.client.eventLoop().execute(() -> {
                for (int i = 0; i < OUTSTANDING; i++) {
                    echo.client.write(echo.frame());
                }
                echo.client.flush();
            });
            return Measure.rate(echo.replies, duration);
        } finally {
            echo.pipelining = false;
            echo.close();
        }
    }

    /** The median time of one request and its reply, one at a time from a caller thread, in µs. */
    public static double medianLatencyMicros(Duration duration) throws Exception {
        return medianLatencyMicros(duration, true);
    }

    public static double medianLatencyMicros(Duration duration, boolean nativeTransport) throws Exception {
        PipelinedEcho echo = new PipelinedEcho(nativeTransport);
        try {
            return Measure.medianMicros(duration, echo::roundTrip);
        } finally {
            echo.close();
        }
    }

    /** Requests per second from {@code threads} caller threads, each waiting for its reply, on one connection. */
    public static double blockingThroughput(Duration duration, int threads) throws Exception {
        PipelinedEcho echo = new PipelinedEcho(true);
        try {
            return Measure.blockingRate(duration, threads, echo::roundTrip);
        } finally {
            echo.close();
        }
    }

    private void roundTrip() throws Exception {
        CompletableFuture<Void> reply = new CompletableFuture<>();
        synchronized (sendOrder) {
            waiting.add(reply);
            client.writeAndFlush(frame());
        }
        reply.get(10, TimeUnit.SECONDS);
    }

    private ByteBuf frame() {
        ByteBuf frame = client.alloc().ioBuffer(4 + payload.length);
        return frame.writeInt(payload.length).writeBytes(payload);
    }

    private void close() {
        client.close().syncUninterruptibly();
        server.close().syncUninterruptibly();
        List<io.netty.util.concurrent.Future<?>> ends = new ArrayList<>();
        ends.add(clientGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS));
        ends.add(serverGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS));
        ends.forEach(io.netty.util.concurrent.Future::syncUninterruptibly);
    }

    /** Writes every frame back, and flushes once per read. */
    private static final class EchoServer extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg, ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // the client went away at the end of a measurement
        }
    }

    /** Counts replies; while pipelining, each reply sends the next request, flushed once per read. */
    private final class EchoClient extends SimpleChannelInboundHandler<ByteBuf> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf reply) {
            replies.incrementAndGet();
            if (pipelining) {
                ctx.write(frame(), ctx.voidPromise());
            } else {
                CompletableFuture<Void> caller = waiting.poll();
                if (caller != null) {
                    caller.complete(null);
                }
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }
    }
}
