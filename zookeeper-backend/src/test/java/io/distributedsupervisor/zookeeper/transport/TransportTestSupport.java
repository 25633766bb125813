package io.distributedsupervisor.zookeeper.transport;

import io.distributedsupervisor.spi.MessageHandler;
import static org.assertj.core.api.Assertions.assertThat;

import io.distributedsupervisor.spi.Delivery;
import io.distributedsupervisor.spi.Responder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;

/** Starts transports on loopback and closes every one of them after each test, even a failed one. */
abstract class TransportTestSupport {
    static final byte[] SECRET = "a cluster secret of enough bytes".getBytes(StandardCharsets.UTF_8);
    static final Duration WAIT = Duration.ofSeconds(10);

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

    NodeTransport start(String node, MessageHandler handler) {
        return start(node, handler, b -> b);
    }

    NodeTransport start(String node, MessageHandler handler, UnaryOperator<TransportConfig.Builder> tweak) {
        return start(node, handler, tweak, PeerCheck.any());
    }

    NodeTransport start(String node, MessageHandler handler, UnaryOperator<TransportConfig.Builder> tweak, PeerCheck peers) {
        TransportConfig config = tweak.apply(TransportConfig.builder(node).secret(SECRET)).build();
        return closeAfter(NodeTransport.start(config, handler, peers));
    }

    /** The port of {@code transport}'s address. */
    static int port(NodeTransport transport) {
        return Integer.parseInt(transport.address().substring(transport.address().lastIndexOf(':') + 1));
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** What became of a request, within {@link #WAIT}. */
    static Delivery outcome(CompletableFuture<Delivery> future) {
        try {
            return future.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the request's future did not complete normally in time", e);
        }
    }

    /** The outcome, which must be of {@code kind}. */
    static <T extends Delivery> T outcome(CompletableFuture<Delivery> future, Class<T> kind) {
        Delivery delivery = outcome(future);
        assertThat(delivery).isInstanceOf(kind);
        return kind.cast(delivery);
    }

    /** The reply's text; the request must have been answered. */
    static String reply(CompletableFuture<Delivery> future) {
        return text(outcome(future, Delivery.Replied.class).reply());
    }

    /** Replies with "node: message" and records one-way messages. */
    static Recorder echo(String node) {
        return new Recorder((message, responder) -> responder.reply(utf8(node + ": " + text(message))));
    }

    /** An inbound handler that records what arrives (as text; from whom, in order) and answers as told. */
    static class Recorder implements MessageHandler {
        final ConcurrentLinkedQueue<String> messages = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<String> requests = new ConcurrentLinkedQueue<>();
        /** Everything in arrival order, requests and one-way messages interleaved. */
        final ConcurrentLinkedQueue<String> all = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<String> senders = new ConcurrentLinkedQueue<>();
        private final BiConsumer<byte[], Responder> answer;

        Recorder(BiConsumer<byte[], Responder> answer) {
            this.answer = answer;
        }

        @Override
        public void onRequest(String fromNode, byte[] message, Responder responder) {
            senders.add(fromNode);
            requests.add(text(message));
            all.add(text(message));
            answer.accept(message, responder);
        }

        @Override
        public void onMessage(String fromNode, byte[] message) {
            senders.add(fromNode);
            messages.add(text(message));
            all.add(text(message));
        }
    }
}
