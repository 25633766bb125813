package io.distributedsupervisor.zookeeper.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.spi.Delivery;
import io.distributedsupervisor.spi.Responder;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Each kind of {@link Delivery} a request or send can end with, and when. */
class DeliveryOutcomeTest extends TransportTestSupport {

    /** Never answers; keeps the last responder. */
    private static Recorder silent(AtomicReference<Responder> kept) {
        return new Recorder((m, responder) -> kept.set(responder));
    }

    @Test
    void replied_carries_the_peers_bytes_whatever_they_are() {
        NodeTransport a = start("a", echo("a"));
        NodeTransport b = start("b", new Recorder((m, r) -> r.reply(m)));

        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        byte[] large = new byte[3 * 1024 * 1024];
        large[large.length - 1] = 42;

        assertThat(outcome(a.request("b", b.address(), all), Delivery.Replied.class).reply()).isEqualTo(all);
        assertThat(outcome(a.request("b", b.address(), large), Delivery.Replied.class).reply()).isEqualTo(large);
        assertThat(outcome(a.request("b", b.address(), new byte[0]), Delivery.Replied.class).reply()).isEmpty();
    }

    @Test
    void not_sent_to_an_unreachable_peer_and_not_even_tried_during_the_backoff() throws Exception {
        int deadPort;
        try (ServerSocket probe = new ServerSocket(0)) {
            deadPort = probe.getLocalPort();
        }
        NodeTransport a = start("a", echo("a"));

        long started = System.nanoTime();
        assertThat(outcome(a.request("x", "127.0.0.1:" + deadPort, utf8("anyone?")), Delivery.NotSent.class).reason())
                .contains("cannot connect to peer x at 127.0.0.1:" + deadPort);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));

        // The backoff doubles with every failed attempt (50 ms to 2 s): soon a send falls within one.
        await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).untilAsserted(() ->
                assertThat(a.send("x", "127.0.0.1:" + deadPort, utf8("anyone?"))).isInstanceOfSatisfying(Delivery.NotSent.class,
                        notSent -> assertThat(notSent.reason()).contains("peer x at 127.0.0.1:" + deadPort)
                                .contains("unreachable (next attempt in").contains("last attempt: cannot connect")));
        assertThat(outcome(a.request("x", "127.0.0.1:" + deadPort, utf8("anyone?")), Delivery.NotSent.class).reason())
                .contains("peer x");
    }

    @Test
    void maybe_delivered_when_the_peer_dies_after_the_request_was_written_and_a_new_incarnation_is_reached() {
        AtomicReference<Responder> kept = new AtomicReference<>();
        Recorder atB = silent(kept);
        NodeTransport a = start("a", echo("a"));
        NodeTransport b = start("b", atB);

        CompletableFuture<Delivery> pending = a.request("b", b.address(), utf8("wait forever"));
        await().atMost(WAIT).until(() -> atB.requests.size() == 1);
        b.close();

        assertThat(outcome(pending, Delivery.MaybeDelivered.class).reason()).contains("peer b").contains("lost before the reply");
        // A reply after its connection closed is dropped.
        kept.get().reply(utf8("too late"));

        NodeTransport reborn = start("b", echo("b"));
        assertThat(reply(a.request("b", reborn.address(), utf8("again")))).isEqualTo("b: again");
    }

    @Test
    void maybe_delivered_when_the_peer_is_disconnected_while_the_reply_is_awaited() {
        Recorder atB = silent(new AtomicReference<>());
        NodeTransport a = start("a", echo("a"));
        NodeTransport b = start("b", atB);

        CompletableFuture<Delivery> pending = a.request("b", b.address(), utf8("wait forever"));
        await().atMost(WAIT).until(() -> atB.requests.size() == 1);
        a.disconnect("b");

        assertThat(outcome(pending, Delivery.MaybeDelivered.class).reason()).contains("peer b was disconnected");
        a.request("b", b.address(), utf8("later")); // on a new connection
        await().atMost(WAIT).untilAsserted(() -> assertThat(atB.requests).containsExactly("wait forever", "later"));
    }

    @Test
    void refused_here_when_larger_than_our_max_frame_without_being_sent() {
        Recorder atB = echo("b");
        NodeTransport a = start("a", echo("a"), c -> c.maxFrameBytes(8 * 1024));
        NodeTransport b = start("b", atB);

        Delivery.Refused refused = outcome(a.request("b", b.address(), new byte[16 * 1024]), Delivery.Refused.class);
        assertThat(refused.node()).isEqualTo("a");
        assertThat(refused.reason()).contains("node b").contains("16384 bytes").contains("more than the maximum frame size of 8192");
        assertThat(a.send("b", b.address(), new byte[16 * 1024])).isInstanceOfSatisfying(Delivery.Refused.class,
                r -> assertThat(r.node()).isEqualTo("a"));

        assertThat(reply(a.request("b", b.address(), utf8("small")))).isEqualTo("b: small");
        assertThat(atB.all).containsExactly("small");
    }

    @Test
    void maybe_delivered_when_the_peer_closes_the_connection_over_a_frame_above_its_limit_and_a_later_request_reconnects() {
        NodeTransport a = start("a", echo("a"));
        NodeTransport b = start("b", new Recorder((m, r) -> r.reply(utf8(String.valueOf(m.length)))),
                c -> c.maxFrameBytes(64 * 1024));

        assertThat(reply(a.request("b", b.address(), utf8("small")))).isEqualTo("5");
        assertThat(outcome(a.request("b", b.address(), new byte[256 * 1024]), Delivery.MaybeDelivered.class).reason())
                .contains("peer b").contains("exceeds the maximum of 65536 bytes");

        assertThat(reply(a.request("b", b.address(), new byte[1024]))).isEqualTo("1024");
    }

    @Test
    void refused_by_the_peer_when_its_handler_throws_and_its_connection_stays() {
        NodeTransport a = start("a", echo("a"));
        NodeTransport b = start("b", new Recorder((m, r) -> {
            if (text(m).equals("throw")) {
                throw new IllegalStateException("handler exploded");
            }
            r.reply(utf8("fine"));
        }));

        Delivery.Refused refused = outcome(a.request("b", b.address(), utf8("throw")), Delivery.Refused.class);
        assertThat(refused.node()).isEqualTo("b");
        assertThat(refused.reason()).contains("peer b").contains("IllegalStateException").contains("handler exploded");
        assertThat(reply(a.request("b", b.address(), utf8("next")))).isEqualTo("fine");
    }

    @Test
    void refused_by_the_peer_when_its_reply_is_larger_than_its_max_frame() {
        NodeTransport a = start("a", echo("a"));
        NodeTransport b = start("b", new Recorder((m, r) -> r.reply(new byte[text(m).equals("big") ? 16 * 1024 : 1])),
                c -> c.maxFrameBytes(8 * 1024));

        Delivery.Refused refused = outcome(a.request("b", b.address(), utf8("big")), Delivery.Refused.class);
        assertThat(refused.node()).isEqualTo("b");
        assertThat(refused.reason()).contains("16384 bytes").contains("maximum frame size of 8192");
        assertThat(outcome(a.request("b", b.address(), utf8("small")), Delivery.Replied.class).reply()).hasSize(1);
    }

    @Test
    void a_responder_answers_once_from_any_thread() throws Exception {
        ExecutorService repliers = Executors.newFixedThreadPool(2);
        closeAfter(repliers::shutdownNow);
        NodeTransport a = start("a", echo("a"));
        NodeTransport b = start("b", new Recorder((m, r) -> repliers.execute(() -> {
            r.reply(utf8("first " + text(m)));
            r.reply(utf8("second " + text(m)));
        })));

        for (int i = 0; i < 100; i++) {
            assertThat(reply(a.request("b", b.address(), utf8("#" + i)))).isEqualTo("first #" + i);
        }
    }
}
