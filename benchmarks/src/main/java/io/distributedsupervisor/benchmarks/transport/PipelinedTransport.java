package io.distributedsupervisor.benchmarks.transport;

import io.distributedsupervisor.spi.Delivery;
import io.distributedsupervisor.spi.Responder;
import io.distributedsupervisor.spi.MessageHandler;
import io.distributedsupervisor.zookeeper.transport.NodeTransport;
import io.distributedsupervisor.zookeeper.transport.PeerCheck;
import io.distributedsupervisor.zookeeper.transport.TransportConfig;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link NodeTransport} request/reply between two nodes over loopback (handshake done once,
 * request ids, futures, {@link Delivery} outcomes), in the shapes of {@link PipelinedEcho} and with
 * its payload: the server's handler replies with the request's bytes at once, on its event loop.
 * Every method starts two fresh transports with their default settings, warms up for the
 * duration, measures for it again, and closes them.
 */
public final class PipelinedTransport {
    private static final byte[] SECRET = "benchmark cluster secret, 32 b!!".getBytes();

    private final NodeTransport server;
    private final NodeTransport client;
    private final byte[] payload = new byte[PipelinedEcho.PAYLOAD_BYTES];
    private final AtomicLong replies = new AtomicLong();
    private volatile boolean pipelining;

    private PipelinedTransport(boolean nativeTransport) throws Exception {
        this(nativeTransport, false);
    }

    private PipelinedTransport(boolean nativeTransport, boolean virtualThreadPerRequest) throws Exception {
        MessageHandler echo = new MessageHandler() {
            @Override
            public void onRequest(String fromNode, byte[] message, Responder responder) {
                if (virtualThreadPerRequest) {
                    Thread.startVirtualThread(() -> responder.reply(message));
                } else {
                    responder.reply(message);
                }
            }

            @Override
            public void onMessage(String fromNode, byte[] message) {
            }
        };
        server = NodeTransport.start(config("bench-server", nativeTransport), echo, PeerCheck.any());
        client = NodeTransport.start(config("bench-client", nativeTransport), echo, PeerCheck.any());
        roundTrip();
    }

    private static TransportConfig config(String node, boolean nativeTransport) {
        return TransportConfig.builder(node).secret(SECRET).nativeTransport(nativeTransport).build();
    }

    /**
     * Requests per second with {@value PipelinedEcho#OUTSTANDING} outstanding on one peer, each
     * completion issuing the next request from its callback (on the client's event loop).
     */
    public static double throughput(Duration duration) throws Exception {
        return throughput(duration, true);
    }

    public static double throughput(Duration duration, boolean nativeTransport) throws Exception {
        return throughput(duration, nativeTransport, false);
    }

    /**
     * As {@link #throughput(Duration)}, but the server answers each request from a virtual thread
     * started for it: the floor of a runtime that runs each message to an idle child on a thread
     * of the child's own.
     */
    public static double throughputVirtualThreadPerRequest(Duration duration) throws Exception {
        return throughput(duration, true, true);
    }

    private static double throughput(Duration duration, boolean nativeTransport, boolean virtualThreadPerRequest)
            throws Exception {
        PipelinedTransport bench = new PipelinedTransport(nativeTransport, virtualThreadPerRequest);
        try {
            bench.pipelining = true;
            for (int i = 0; i < PipelinedEcho.OUTSTANDING; i++) {
                bench.next();
            }
            return Measure.rate(bench.replies, duration);
        } finally {
            bench.pipelining = false;
            bench.close();
        }
    }

    /** The median time of one request and its reply, one at a time from a caller thread, in µs. */
    public static double medianLatencyMicros(Duration duration) throws Exception {
        return medianLatencyMicros(duration, true);
    }

    public static double medianLatencyMicros(Duration duration, boolean nativeTransport) throws Exception {
        PipelinedTransport bench = new PipelinedTransport(nativeTransport);
        try {
            return Measure.medianMicros(duration, bench::roundTrip);
        } finally {
            bench.close();
        }
    }

    /** Requests per second from {@code threads} caller threads, each waiting for its reply, to one peer. */
    public static double blockingThroughput(Duration duration, int threads) throws Exception {
        PipelinedTransport bench = new PipelinedTransport(true);
        try {
            return Measure.blockingRate(duration, threads, bench::roundTrip);
        } finally {
            bench.close();
        }
    }

    private void next() {
        client.request("bench-server", server.address(), payload).thenAccept(delivery -> {
            if (!(delivery instanceof Delivery.Replied)) {
                throw new IllegalStateException("the benchmark's request was not answered: " + delivery);
            }
            replies.incrementAndGet();
            if (pipelining) {
                next();
            }
        });
    }

    private void roundTrip() throws Exception {
        Delivery delivery = client.request("bench-server", server.address(), payload).get(10, TimeUnit.SECONDS);
        if (!(delivery instanceof Delivery.Replied)) {
            throw new IllegalStateException("the benchmark's request was not answered: " + delivery);
        }
    }

    private void close() {
        client.close();
        server.close();
    }
}
