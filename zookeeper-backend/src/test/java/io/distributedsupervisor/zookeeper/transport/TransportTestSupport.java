package io.distributedsupervisor.zookeeper.transport;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;

/** Starts transports on loopback and closes every one of them after each test, even a failed one. */
abstract class TransportTestSupport {
    static final byte[] SECRET = "a cluster secret of enough bytes".getBytes(StandardCharsets.UTF_8);

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        Exception first = null;
        for (int i = toClose.size() - 1; i >= 0; i--) {
            try {
                toClose.get(i).close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        toClose.clear();
        if (first != null) {
            throw first;
        }
    }

    <T extends AutoCloseable> T closeAfter(T closeable) {
        toClose.add(closeable);
        return closeable;
    }

    NodeTransport start(String node, InboundHandler handler) {
        return start(node, handler, b -> b);
    }

    NodeTransport start(String node, InboundHandler handler, UnaryOperator<TransportConfig.Builder> tweak) {
        TransportConfig config = tweak.apply(TransportConfig.builder(node).secret(SECRET)).build();
        return closeAfter(NodeTransport.start(config, handler));
    }

    /** Replies with "node: message" and records one-way messages. */
    static Recorder echo(String node) {
        return new Recorder(m -> CompletableFuture.completedFuture(node + ": " + m));
    }

    /** An inbound handler that records what arrives (from whom, in order) and replies as told. */
    static class Recorder implements InboundHandler {
        final ConcurrentLinkedQueue<Object> messages = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Object> requests = new ConcurrentLinkedQueue<>();
        /** Everything in arrival order, requests and one-way messages interleaved. */
        final ConcurrentLinkedQueue<Object> all = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<String> senders = new ConcurrentLinkedQueue<>();
        private final Function<Object, CompletableFuture<Object>> replies;

        Recorder(Function<Object, CompletableFuture<Object>> replies) {
            this.replies = replies;
        }

        @Override
        public CompletableFuture<Object> onRequest(String fromNode, Object message) {
            senders.add(fromNode);
            requests.add(message);
            all.add(message);
            return replies.apply(message);
        }

        @Override
        public void onMessage(String fromNode, Object message) {
            senders.add(fromNode);
            messages.add(message);
            all.add(message);
        }
    }
}
