package io.distributedsupervisor.zookeeper.transport;

import io.distributedsupervisor.tck.LogCapture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.spi.Delivery;
import io.netty.channel.epoll.Epoll;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The basics: request and reply, one-way messages, authentication, back-pressure, threads and life cycle. */
class NodeTransportTest extends TransportTestSupport {

    @Test
    void request_and_reply_both_ways() {
        NodeTransport a = start("a", echo("a"));
        NodeTransport b = start("b", echo("b"));

        assertThat(reply(a.request("b", b.address(), utf8("hello")))).isEqualTo("b: hello");
        assertThat(reply(b.request("a", a.address(), utf8("hi")))).isEqualTo("a: hi");
        assertThat(reply(a.request("b", b.address(), new byte[0]))).isEqualTo("b: ");
    }

    @Test
    void address_is_the_advertised_host_and_the_bound_port() {
        NodeTransport a = start("a", echo("a"), c -> c.advertisedHost("localhost"));
        assertThat(a.address()).matches("localhost:[1-9][0-9]*");
    }

    @Test
    void one_way_messages_arrive_with_the_sender_name() {
        Recorder atB = echo("b");
        NodeTransport a = start("a", echo("a"));
        NodeTransport b = start("b", atB);

        assertThat(a.send("b", b.address(), utf8("one"))).isEqualTo(Delivery.SENT);
        assertThat(a.send("b", b.address(), utf8("two"))).isEqualTo(Delivery.SENT);

        await().atMost(WAIT).untilAsserted(() -> assertThat(atB.messages).containsExactly("one", "two"));
        assertThat(atB.senders).containsOnly("a");
    }

    @Test
    void a_wrong_secret_fails_authentication_and_the_node_still_serves_others() {
        LogCapture log = closeAfter(LogCapture.start());
        Recorder atB = echo("b");
        NodeTransport b = start("b", atB);
        NodeTransport intruder = start("a", echo("a"), c -> c.secret("another cluster secret of enough bytes"));

        // Queued while connecting, then the handshake failed: it never left.
        assertThat(outcome(intruder.request("b", b.address(), utf8("let me in")), Delivery.NotSent.class).reason())
                .contains("authentication failed").contains("peer b");
        // Again (within the backoff the attempt is not even made, but says why all the same).
        assertThat(outcome(intruder.request("b", b.address(), utf8("again")), Delivery.NotSent.class).reason())
                .contains("authentication failed");
        await().atMost(WAIT).untilAsserted(() -> assertThat(log.text())
                .contains("authentication failed: the peer's proof does not match this node's cluster secret and cluster name"));

        NodeTransport friend = start("c", echo("c"));
        assertThat(reply(friend.request("b", b.address(), utf8("hello")))).isEqualTo("b: hello");
        assertThat(atB.requests).containsExactly("hello");
    }

    @Test
    void a_peer_of_another_cluster_or_name_is_refused() {
        NodeTransport b = start("b", echo("b"));
        NodeTransport stranger = start("a", echo("a"), c -> c.clusterName("other-cluster"));
        NodeTransport a = start("a2", echo("a2"));

        // Another cluster's name is in the key derivation: its proof simply fails.
        assertThat(outcome(stranger.request("b", b.address(), utf8("x")), Delivery.NotSent.class).reason())
                .contains("authentication failed");
        // Names are compared once both sides are authenticated.
        assertThat(outcome(a.request("not-b", b.address(), utf8("x")), Delivery.NotSent.class).reason())
                .contains("the node at that address is 'b', not 'not-b'");
    }

    @Test
    void open_mode_pair_works_warns_at_every_start_and_does_not_talk_to_a_node_with_a_secret() {
        LogCapture log = closeAfter(LogCapture.start());
        NodeTransport a = closeAfter(NodeTransport.start(TransportConfig.builder("a").openMode(true).build(), echo("a"), PeerCheck.any()));
        NodeTransport b = closeAfter(NodeTransport.start(TransportConfig.builder("b").openMode(true).build(), echo("b"), PeerCheck.any()));
        NodeTransport guarded = start("c", echo("c"));

        assertThat(reply(a.request("b", b.address(), utf8("hello")))).isEqualTo("b: hello");
        assertThat(reply(b.request("a", a.address(), utf8("hi")))).isEqualTo("a: hi");
        assertThat(outcome(a.request("c", guarded.address(), utf8("hello")), Delivery.NotSent.class).reason()).contains("open mode");
        assertThat(log.lines("WARN", "runs its transport in open mode")).isEqualTo(2);
    }

    @Test
    void a_peer_that_does_not_read_makes_callers_wait_then_not_send_instead_of_buffering_without_bound() {
        CountDownLatch stuck = new CountDownLatch(1);
        NodeTransport a = start("a", echo("a"), c -> c.connectTimeout(Duration.ofMillis(300)));
        NodeTransport b = start("b", new Recorder((m, r) -> r.reply(utf8("ok"))) {
            @Override
            public void onMessage(String fromNode, byte[] message) {
                if ("stop reading".equals(text(message))) {
                    // Breaks the handler contract on purpose: b's event loop stops reading a's connection.
                    try {
                        stuck.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        });
        closeAfter(stuck::countDown); // runs before the transports close

        assertThat(a.send("b", b.address(), utf8("stop reading"))).isEqualTo(Delivery.SENT);
        byte[] chunk = new byte[256 * 1024];
        int sent = 0;
        Delivery last;
        while ((last = a.send("b", b.address(), chunk)) == Delivery.SENT) {
            sent++;
            assertThat(sent).as("sends accepted by a peer that reads nothing").isLessThan(2_000);
        }
        assertThat(last).isInstanceOf(Delivery.NotSent.class);
        assertThat(outcome(a.request("b", b.address(), utf8("hello?")), Delivery.NotSent.class).reason())
                .contains("peer b").contains("is not reading");

        stuck.countDown();
        await().atMost(WAIT).untilAsserted(() -> assertThat(reply(a.request("b", b.address(), utf8("hello")))).isEqualTo("ok"));
    }

    @Test
    void a_closed_transport_refuses_work_and_leaves_no_thread() {
        NodeTransport a = start("close-me-a", echo("a"));
        NodeTransport b = start("close-me-b", echo("b"));
        assertThat(reply(a.request("close-me-b", b.address(), utf8("x")))).isEqualTo("b: x");

        a.close();
        b.close();
        a.close(); // idempotent

        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("ds-transport-close-me-"));
        assertThat(outcome(a.request("close-me-b", b.address(), utf8("x")), Delivery.NotSent.class).reason())
                .contains("transport of node close-me-a is closed");
        assertThat(a.send("close-me-b", b.address(), utf8("x"))).isInstanceOf(Delivery.NotSent.class);
    }

    @Test
    void event_loop_threads_are_named_after_the_node_are_daemons_and_as_many_as_configured() {
        NodeTransport a = start("named-a", echo("a"), c -> c.eventLoopThreads(3));
        NodeTransport b = start("named-b", echo("b"), c -> c.eventLoopThreads(1));
        NodeTransport c = start("named-c", echo("c"), cfg -> cfg.eventLoopThreads(1));
        for (int i = 0; i < 4; i++) {
            reply(a.request("named-b", b.address(), utf8("x")));
            reply(b.request("named-a", a.address(), utf8("x")));
            reply(c.request("named-a", a.address(), utf8("x")));
        }

        assertThat(Thread.getAllStackTraces().keySet()).filteredOn(t -> t.getName().startsWith("ds-transport-named-a-"))
                .isNotEmpty().hasSizeLessThanOrEqualTo(3).allMatch(Thread::isDaemon);
        assertThat(Thread.getAllStackTraces().keySet()).filteredOn(t -> t.getName().startsWith("ds-transport-named-b-"))
                .hasSize(1).allMatch(Thread::isDaemon);
    }

    @Test
    void a_transport_cannot_bind_a_port_in_use() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> start("a", echo("a"), c -> c.port(taken.getLocalPort())))
                    .isInstanceOf(TransportException.class).hasMessageContaining("cannot listen on 127.0.0.1:" + taken.getLocalPort());
        }
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("ds-transport-a-"));
    }

    @Test
    void nio_forced_works() {
        NodeTransport a = start("a", echo("a"), c -> c.nativeTransport(false));
        NodeTransport b = start("b", echo("b"), c -> c.nativeTransport(false));

        assertThat(a.nativeTransport()).isFalse();
        assertThat(reply(a.request("b", b.address(), utf8("over nio")))).isEqualTo("b: over nio");
        assertThat(reply(b.request("a", a.address(), utf8("and back")))).isEqualTo("a: and back");
    }

    @Test
    void native_epoll_works_and_talks_to_nio() {
        assumeThat(Epoll.isAvailable()).as("native epoll is available here: %s", Epoll.unavailabilityCause()).isTrue();
        NodeTransport a = start("a", echo("a"));
        NodeTransport b = start("b", echo("b"));
        NodeTransport nio = start("nio", echo("nio"), c -> c.nativeTransport(false));

        assertThat(a.nativeTransport()).isTrue();
        assertThat(reply(a.request("b", b.address(), utf8("over epoll")))).isEqualTo("b: over epoll");
        assertThat(reply(b.request("a", a.address(), utf8("and back")))).isEqualTo("a: and back");
        assertThat(reply(nio.request("a", a.address(), utf8("from nio")))).isEqualTo("a: from nio");
        assertThat(reply(a.request("nio", nio.address(), utf8("to nio")))).isEqualTo("nio: to nio");
    }
}
