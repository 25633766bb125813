package io.distributedsupervisor.benchmarks.transport;

import io.distributedsupervisor.spi.Delivery;
import io.distributedsupervisor.spi.Responder;
import io.distributedsupervisor.spi.MessageHandler;
import io.distributedsupervisor.zookeeper.transport.NodeTransport;
import io.distributedsupervisor.zookeeper.transport.PeerCheck;
import io.distributedsupervisor.zookeeper.transport.TransportConfig;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A request/reply over loopback through {@link NodeTransport} (handshake done once, bytes in and
 * out, request-id matching, futures) against the reference: a bare Netty echo of the same bytes
 * over one length-prefixed connection (NIO, writeAndFlush per request from the caller thread).
 * JMH, with caller threads only; {@link TransportComparison} measures the pipelined shape too.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.SampleTime, Mode.Throughput})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TransportRoundTripBenchmark {
    private static final byte[] SECRET = "benchmark cluster secret, 32 b!!".getBytes();

    @Param({"64", "4096"})
    public int payloadBytes;

    private byte[] payload;
    private NodeTransport client;
    private NodeTransport server;
    private EventLoopGroup echoGroup;
    private Channel echoServer;
    private Channel echoClient;
    /** Echo replies come back in the order sent on the one connection; the lock keeps enqueue and write in that order. */
    private final ConcurrentLinkedQueue<CompletableFuture<ByteBuf>> echoWaiting = new ConcurrentLinkedQueue<>();
    private final Object echoOrder = new Object();

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        payload = new byte[payloadBytes];
        MessageHandler echo = new MessageHandler() {
            @Override
            public void onRequest(String fromNode, byte[] message, Responder responder) {
                responder.reply(message);
            }

            @Override
            public void onMessage(String fromNode, byte[] message) {
            }
        };
        server = NodeTransport.start(TransportConfig.builder("bench-server").secret(SECRET).build(), echo, PeerCheck.any());
        client = NodeTransport.start(TransportConfig.builder("bench-client").secret(SECRET).build(), echo, PeerCheck.any());
        client.request("bench-server", server.address(), payload).get(10, TimeUnit.SECONDS);

        echoGroup = new NioEventLoopGroup(2);
        echoServer = new ServerBootstrap().group(echoGroup).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(16 << 20, 0, 4, 0, 0));
                        ch.pipeline().addLast(new SimpleChannelInboundHandler<ByteBuf>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
                                ctx.writeAndFlush(frame.retain());
                            }
                        });
                    }
                }).bind("127.0.0.1", 0).sync().channel();
        echoClient = new Bootstrap().group(echoGroup).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(16 << 20, 0, 4, 0, 4));
                        ch.pipeline().addLast(new LengthFieldPrepender(4));
                        ch.pipeline().addLast(new SimpleChannelInboundHandler<ByteBuf>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
                                echoWaiting.poll().complete(frame.retain());
                            }
                        });
                    }
                }).connect(echoServer.localAddress()).sync().channel();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        client.close();
        server.close();
        echoClient.close().syncUninterruptibly();
        echoServer.close().syncUninterruptibly();
        echoGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Benchmark
    public Delivery nodeTransportRequest() throws Exception {
        return client.request("bench-server", server.address(), payload).get(10, TimeUnit.SECONDS);
    }

    @Benchmark
    public int rawNettyEcho() throws Exception {
        CompletableFuture<ByteBuf> reply = new CompletableFuture<>();
        synchronized (echoOrder) {
            echoWaiting.add(reply);
            echoClient.writeAndFlush(Unpooled.wrappedBuffer(payload));
        }
        ByteBuf bytes = reply.get(10, TimeUnit.SECONDS);
        try {
            return bytes.readableBytes();
        } finally {
            bytes.release();
        }
    }
}
