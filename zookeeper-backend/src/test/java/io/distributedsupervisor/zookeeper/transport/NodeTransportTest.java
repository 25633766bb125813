package io.distributedsupervisor.zookeeper.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NodeTransportTest extends TransportTestSupport {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @BeforeEach
    void resetTripwire() {
        ForeignClasses.reset();
    }

    private static Object reply(CompletableFuture<Object> future) throws Exception {
        return future.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** The TransportException a future failed with. */
    private static TransportException failure(CompletableFuture<Object> future) {
        Throwable thrown = null;
        try {
            future.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            thrown = e.getCause();
        } catch (Exception e) {
            throw new AssertionError("the future did not fail in time", e);
        }
        assertThat(thrown).as("the future failed").isInstanceOf(TransportException.class);
        return (TransportException) thrown;
    }

    @Test
    void request_and_reply_both_ways() throws Exception {
        NodeTransport a = start("a", echo("a"));
        NodeTransport b = start("b", echo("b"));

        assertThat(reply(a.request("b", b.address(), "hello"))).isEqualTo("b: hello");
        assertThat(reply(b.request("a", a.address(), "hi"))).isEqualTo("a: hi");
        assertThat(reply(a.request("b", b.address(), List.of(1, 2)))).isEqualTo("b: [1, 2]");
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

        assertThat(a.send("b", b.address(), "one")).isTrue();
        assertThat(a.send("b", b.address(), "two")).isTrue();

        await().atMost(WAIT).untilAsserted(() -> assertThat(atB.messages).containsExactly("one", "two"));
        assertThat(atB.senders).containsOnly("a");
    }

    @Test
    void ten_thousand_mixed_sends_and_requests_from_one_thread_arrive_in_order() throws Exception {
        Recorder atB = new Recorder(m -> CompletableFuture.completedFuture("ack " + m));
        NodeTransport a = start("a", echo("a"));
        NodeTransport b = start("b", atB);

        List<CompletableFuture<Object>> replies = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            if (i % 3 == 0) {
                replies.add(a.request("b", b.address(), i));
            } else {
                assertThat(a.send("b", b.address(), i)).isTrue();
            }
        }

        await().atMost(WAIT).until(() -> atB.all.size() == 10_000);
        assertThat(atB.all).containsExactlyElementsOf(IntStream.range(0, 10_000).boxed().toList());
        CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(replies.get(1).join()).isEqualTo("ack 3");
    }

    @Test
    void concurrent_requests_from_several_threads_get_their_own_replies() throws Exception {
        // Replies complete out of order (some at once, some later), so only the id can match them.
        ExecutorService completer = Executors.newFixedThreadPool(4);
        closeAfter(completer::shutdownNow);
        NodeTransport a = start("a", echo("a"));
        NodeTransport b = start("b", new Recorder(m -> ((Integer) m) % 2 == 0
                ? CompletableFuture.completedFuture(m)
                : CompletableFuture.supplyAsync(() -> m, completer)));

        ExecutorService callers = Executors.newFixedThreadPool(8);
        closeAfter(callers::shutdownNow);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int thread = t;
            done.add(callers.submit(() -> {
                List<CompletableFuture<Object>> mine = new ArrayList<>();
                for (int i = 0; i < 500; i++) {
                    mine.add(a.request("b", b.address(), thread * 1000 + i));
                }
                for (int i = 0; i < 500; i++) {
                    assertThat(mine.get(i).get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(thread * 1000 + i);
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(WAIT.toSeconds() * 2, TimeUnit.SECONDS);
        }
    }

    @Test
    void a_remote_handler_failure_fails_the_request_with_its_message() {
        NodeTransport a = start("a", echo("a"));
        NodeTransport b = start("b", new Recorder(m -> switch ((String) m) {
            case "throw" -> throw new IllegalStateException("handler exploded");
            case "fail" -> CompletableFuture.failedFuture(new IllegalArgumentException("bad request"));
            default -> CompletableFuture.completedFuture(new Object()); // not serializable
        }));

        assertThat(failure(a.request("b", b.address(), "throw")).getMessage())
                .contains("peer b").contains("IllegalStateException").contains("handler exploded");
        assertThat(failure(a.request("b", b.address(), "fail")).getMessage())
                .contains("IllegalArgumentException").contains("bad request");
        assertThat(failure(a.request("b", b.address(), "unencodable")).getMessage())
                .contains("could not be encoded").contains("java.lang.Object");
    }

    @Test
    void a_message_that_cannot_be_encoded_fails_at_the_caller() {
        NodeTransport a = start("a", echo("a"));
        NodeTransport b = start("b", echo("b"));

        assertThat(failure(a.request("b", b.address(), new Object())).getMessage())
                .contains("cannot be encoded").contains("java.lang.Object");
        assertThatThrownBy(() -> a.send("b", b.address(), new Object()))
                .isInstanceOf(TransportException.class).hasMessageContaining("cannot be encoded");
    }

    @Test
    void a_wrong_secret_fails_authentication_and_the_node_still_serves_others() throws Exception {
        LogCapture log = closeAfter(LogCapture.start());
        NodeTransport b = start("b", echo("b"));
        NodeTransport intruder = start("a", echo("a"), c -> c.secret("another secret of enough bytes"));

        TransportException refused = failure(intruder.request("b", b.address(), "let me in"));
        assertThat(refused.getMessage()).contains("authentication failed").contains("peer b");
        await().atMost(WAIT).untilAsserted(() -> assertThat(log.text())
                .contains("authentication failed: the proof of node 'a' does not match the cluster secret of node 'b'"));
        // Within the backoff, the next attempt fails at once with the same reason.
        assertThat(failure(intruder.request("b", b.address(), "again")).getMessage()).contains("authentication failed");

        NodeTransport friend = start("c", echo("c"));
        assertThat(reply(friend.request("b", b.address(), "hello"))).isEqualTo("b: hello");
    }

    @Test
    void a_peer_of_another_cluster_or_name_is_refused() {
        NodeTransport b = start("b", echo("b"));
        NodeTransport stranger = start("a", echo("a"), c -> c.clusterName("other-cluster"));
        NodeTransport a = start("a2", echo("a2"));

        assertThat(failure(stranger.request("b", b.address(), "x")).getMessage()).contains("cluster");
        assertThat(failure(a.request("not-b", b.address(), "x")).getMessage()).contains("this is node 'b', not 'not-b'");
    }

    @Test
    void open_mode_pair_works_and_does_not_talk_to_a_node_with_a_secret() throws Exception {
        NodeTransport a = closeAfter(NodeTransport.start(TransportConfig.builder("a").openMode(true).build(), echo("a")));
        NodeTransport b = closeAfter(NodeTransport.start(TransportConfig.builder("b").openMode(true).build(), echo("b")));
        NodeTransport guarded = start("c", echo("c"));

        assertThat(reply(a.request("b", b.address(), "hello"))).isEqualTo("b: hello");
        assertThat(reply(b.request("a", a.address(), "hi"))).isEqualTo("a: hi");
        assertThat(failure(a.request("c", guarded.address(), "hello")).getMessage()).contains("open mode");
    }

    @Test
    void a_request_of_a_class_outside_the_allow_list_is_answered_with_a_failure_naming_it() throws Exception {
        Recorder atB = echo("b");
        NodeTransport a = start("a", echo("a"));
        NodeTransport b = start("b", atB);

        TransportException refused = failure(a.request("b", b.address(), ForeignClasses.tripwire()));

        assertThat(refused.getMessage()).contains(ForeignClasses.TRIPWIRE).contains("allow-list").contains("peer b");
        assertThat(ForeignClasses.ran()).as("readObject of the refused class ran").isFalse();
        assertThat(atB.requests).isEmpty();
        // The connection stays: the next request on it works.
        assertThat(reply(a.request("b", b.address(), "next"))).isEqualTo("b: next");
    }

    @Test
    void a_reply_the_caller_cannot_decode_fails_that_request_only() throws Exception {
        NodeTransport a = start("a", echo("a"));
        NodeTransport b = start("b", new Recorder(m -> CompletableFuture.completedFuture(
                m.equals("poison") ? ForeignClasses.tripwire() : "fine " + m)));

        CompletableFuture<Object> before = a.request("b", b.address(), "1");
        CompletableFuture<Object> poisoned = a.request("b", b.address(), "poison");
        CompletableFuture<Object> after = a.request("b", b.address(), "2");

        assertThat(failure(poisoned).getMessage()).contains("reply from peer b could not be decoded").contains(ForeignClasses.TRIPWIRE);
        assertThat(ForeignClasses.ran()).isFalse();
        assertThat(reply(before)).isEqualTo("fine 1");
        assertThat(reply(after)).isEqualTo("fine 2");
    }

    @Test
    void an_oversize_message_closes_that_connection_and_a_later_request_reconnects() throws Exception {
        NodeTransport a = start("a", echo("a"));
        NodeTransport b = start("b", new Recorder(m -> CompletableFuture.completedFuture(m instanceof byte[] bytes ? bytes.length : m)),
                c -> c.maxFrameBytes(64 * 1024));

        assertThat(reply(a.request("b", b.address(), "small"))).isEqualTo("small");
        TransportException tooBig = failure(a.request("b", b.address(), new byte[256 * 1024]));
        assertThat(tooBig.getMessage()).contains("peer b");

        assertThat(reply(a.request("b", b.address(), new byte[1024]))).isEqualTo(1024);
    }

    @Test
    void a_message_larger_than_our_own_max_frame_fails_without_being_sent() throws Exception {
        NodeTransport a = start("a", echo("a"), c -> c.maxFrameBytes(8 * 1024));
        NodeTransport b = start("b", echo("b"));

        assertThat(failure(a.request("b", b.address(), new byte[16 * 1024])).getMessage())
                .contains("more than the maximum frame size of 8192");
        assertThat(reply(a.request("b", b.address(), "small"))).isEqualTo("b: small");
    }

    @Test
    void a_peer_that_does_not_read_makes_callers_fail_instead_of_buffering_without_bound() throws Exception {
        CountDownLatch stuck = new CountDownLatch(1);
        NodeTransport a = start("a", echo("a"), c -> c.connectTimeout(Duration.ofMillis(300)));
        NodeTransport b = start("b", new Recorder(m -> CompletableFuture.completedFuture("ok")) {
            @Override
            public void onMessage(String fromNode, Object message) {
                if ("stop reading".equals(message)) {
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

        assertThat(a.send("b", b.address(), "stop reading")).isTrue();
        byte[] chunk = new byte[256 * 1024];
        int sent = 0;
        while (a.send("b", b.address(), chunk)) {
            sent++;
            assertThat(sent).as("sends accepted by a peer that reads nothing").isLessThan(2_000);
        }
        assertThat(failure(a.request("b", b.address(), "hello?")).getMessage()).contains("peer b").contains("is not reading");

        stuck.countDown();
        await().atMost(WAIT).untilAsserted(() -> assertThat(a.request("b", b.address(), "hello").get(10, TimeUnit.SECONDS)).isEqualTo("ok"));
    }

    @Test
    void disconnect_fails_pending_requests() throws Exception {
        Recorder atB = new Recorder(m -> new CompletableFuture<>()); // never replies
        NodeTransport a = start("a", echo("a"));
        NodeTransport b = start("b", atB);

        CompletableFuture<Object> pending = a.request("b", b.address(), "wait forever");
        await().atMost(WAIT).until(() -> atB.requests.size() == 1);
        a.disconnect("b");

        assertThat(failure(pending).getMessage()).contains("peer b was disconnected");
    }

    @Test
    void a_peer_that_dies_fails_pending_requests_and_a_new_incarnation_is_reached() throws Exception {
        NodeTransport a = start("a", echo("a"));
        NodeTransport b = start("b", new Recorder(m -> new CompletableFuture<>()));

        CompletableFuture<Object> pending = a.request("b", b.address(), "wait forever");
        b.close();
        assertThat(failure(pending).getMessage()).contains("peer b");

        NodeTransport reborn = start("b", echo("b"));
        assertThat(reply(a.request("b", reborn.address(), "again"))).isEqualTo("b: again");
    }

    @Test
    void a_request_to_a_dead_port_fails_fast() throws Exception {
        int deadPort;
        try (ServerSocket probe = new ServerSocket(0)) {
            deadPort = probe.getLocalPort();
        }
        NodeTransport a = start("a", echo("a"));

        long started = System.nanoTime();
        TransportException refused = failure(a.request("x", "127.0.0.1:" + deadPort, "anyone?"));
        assertThat(refused.getMessage()).contains("cannot connect to peer x at 127.0.0.1:" + deadPort);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        // During the backoff a send is not even queued.
        assertThat(a.send("x", "127.0.0.1:" + deadPort, "anyone?")).isFalse();
    }

    @Test
    void a_closed_transport_refuses_work_and_leaves_no_thread() throws Exception {
        NodeTransport a = start("close-me-a", echo("a"));
        NodeTransport b = start("close-me-b", echo("b"));
        assertThat(reply(a.request("close-me-b", b.address(), "x"))).isEqualTo("b: x");

        a.close();
        b.close();
        a.close(); // idempotent

        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("ds-transport-close-me-"));
        assertThat(failure(a.request("close-me-b", b.address(), "x")).getMessage()).contains("closed");
        assertThat(a.send("close-me-b", b.address(), "x")).isFalse();
    }

    @Test
    void event_loop_threads_are_named_after_the_node_and_are_daemons() throws Exception {
        NodeTransport a = start("named-a", echo("a"));
        NodeTransport b = start("named-b", echo("b"));
        reply(a.request("named-b", b.address(), "x"));

        assertThat(Thread.getAllStackTraces().keySet()).filteredOn(t -> t.getName().startsWith("ds-transport-named-a-"))
                .isNotEmpty().hasSizeLessThanOrEqualTo(2).allMatch(Thread::isDaemon);
    }

    @Test
    void a_transport_cannot_bind_a_port_in_use() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> start("a", echo("a"), c -> c.port(taken.getLocalPort())))
                    .isInstanceOf(TransportException.class).hasMessageContaining("cannot listen on 127.0.0.1:" + taken.getLocalPort());
        }
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("ds-transport-a-"));
    }
}
