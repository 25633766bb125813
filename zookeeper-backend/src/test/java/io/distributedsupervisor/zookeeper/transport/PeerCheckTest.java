package io.distributedsupervisor.zookeeper.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.spi.Delivery;
import io.distributedsupervisor.tck.LogCapture;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Proving the secret shows a peer belongs to the cluster, not that it is the node it names: an
 * inbound peer must be one the {@link PeerCheck} accepts (the ZooKeeper backend: a verified
 * member), and must not claim this node's own name.
 */
class PeerCheckTest extends TransportTestSupport {

    @Test
    void a_node_with_the_secret_that_the_check_does_not_accept_is_refused_and_nothing_of_it_dispatched() {
        LogCapture log = closeAfter(LogCapture.start());
        Recorder atServer = echo("server");
        NodeTransport server = start("server", atServer, c -> c.handshakeTimeout(Duration.ofMillis(600)),
                PeerCheck.only(Set.of("friend")));
        NodeTransport friend = start("friend", echo("friend"));
        NodeTransport stranger = start("stranger", echo("stranger"));

        assertThat(reply(friend.request("server", server.address(), utf8("hello")))).isEqualTo("server: hello");
        // It proved the secret, so it is told why.
        assertThat(outcome(stranger.request("server", server.address(), utf8("let me in")), Delivery.NotSent.class).reason())
                .contains("peer server").contains("node 'stranger' is not a verified member");
        await().atMost(WAIT).untilAsserted(() -> assertThat(log.lines("handshake with connection from",
                "node 'stranger' is not a verified member")).isEqualTo(1));
        assertThat(atServer.requests).containsExactly("hello");
        assertThat(atServer.senders).containsOnly("friend");
    }

    @Test
    void a_member_that_reaches_the_check_a_moment_after_it_dialled_gets_in() {
        AtomicBoolean known = new AtomicBoolean();
        AtomicInteger asked = new AtomicInteger();
        NodeTransport server = start("server", echo("server"), c -> c, node -> {
            asked.incrementAndGet();
            return known.get();
        });
        NodeTransport late = start("late", echo("late"));

        CompletableFuture<Delivery> call = late.request("server", server.address(), utf8("am I known yet?"));
        await().atMost(WAIT).until(() -> asked.get() >= 2); // refused once at least, asked again
        known.set(true);

        assertThat(reply(call)).isEqualTo("server: am I known yet?");
    }

    @Test
    void a_peer_claiming_the_name_of_the_node_it_dialled_is_refused() {
        Recorder atServer = echo("server");
        NodeTransport server = start("server", atServer);
        NodeTransport impostor = start("server", echo("impostor"));

        assertThat(outcome(impostor.request("server", server.address(), utf8("it's me")), Delivery.NotSent.class).reason())
                .contains("names itself 'server', which is this node's own name");
        assertThat(atServer.requests).isEmpty();
    }
}
