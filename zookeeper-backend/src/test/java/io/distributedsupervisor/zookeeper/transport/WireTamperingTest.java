package io.distributedsupervisor.zookeeper.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.spi.Delivery;
import io.distributedsupervisor.tck.LogCapture;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An attacker on the path between two authenticated nodes ({@link TamperingRelay}: a forwards
 * its calls to b through it): whatever it injects, replays, reorders, drops or reflects closes
 * that connection, is never dispatched, and is logged once; the nodes reconnect and go on, every
 * genuine call is answered exactly once, and threads and file descriptors stay where they were.
 */
class WireTamperingTest extends TransportTestSupport {
    private LogCapture log;
    private Recorder atB;
    private NodeTransport a;
    private TamperingRelay relay;
    private int threadsBefore;
    private long fdsBefore;

    @BeforeEach
    void connectThroughTheRelay() throws Exception {
        log = closeAfter(LogCapture.start());
        atB = echo("b");
        NodeTransport b = start("b", atB);
        a = start("a", echo("a"));
        relay = closeAfter(new TamperingRelay(Integer.parseInt(b.address().substring(b.address().lastIndexOf(':') + 1))));
        assertThat(call("first")).isEqualTo("b: first");
        threadsBefore = Resources.threads();
        fdsBefore = Resources.fileDescriptors();
    }

    private CompletableFuture<Delivery> request(String text) {
        return a.request("b", relay.address(), utf8(text));
    }

    private String call(String text) {
        return reply(request(text));
    }

    /**
     * The attacked connection was closed and the node that found the forgery ({@code victim}: "from"
     * for b, "to peer b" for a) said so once; a reconnects; b dispatched exactly {@code dispatched}.
     */
    private void refusedOnceThenServed(String victim, String... dispatched) {
        await().atMost(WAIT).untilAsserted(() -> assertThat(relay.closedConnections()).isEqualTo(1));
        await().atMost(WAIT).untilAsserted(() -> assertThat(log.lines("closing connection " + victim, "failed authentication"))
                .isEqualTo(1));
        assertThat(log.text()).contains("nothing of it was dispatched");
        // Genuine calls go on, on a new connection through the same relay.
        await().atMost(WAIT).untilAsserted(() -> assertThat(call("after")).isEqualTo("b: after"));
        assertThat(relay.connections()).isEqualTo(2);
        assertThat(atB.requests).containsExactly(dispatched);
        assertThat(atB.senders).containsOnly("a");
        // The old connection's threads (relay pumps) and sockets are gone, the new one's in their place.
        await().atMost(WAIT).untilAsserted(() -> assertThat(Resources.fileDescriptors()).isLessThanOrEqualTo(fdsBefore + 2));
        assertThat(Resources.threads()).isLessThanOrEqualTo(threadsBefore + 2);
        // The other node may log once too: it learns why (a CLOSING), or, when the victim's
        // CLOSING follows a frame the attacker kept from it, refuses that CLOSING.
        assertThat(log.lines("failed authentication")).as("at most one line per node").isLessThanOrEqualTo(2);
    }

    private static byte[] frame(byte type, long id, byte[] payload, byte[] tag) {
        return ByteBuffer.allocate(4 + Frame.HEADER_BYTES + payload.length + tag.length)
                .putInt(Frame.HEADER_BYTES + payload.length + tag.length).put(type).putLong(id).put(payload).put(tag).array();
    }

    @Test
    void a_request_injected_into_an_authenticated_connection_is_never_dispatched() throws Exception {
        byte[] tag = new byte[FrameMac.TAG_BYTES];
        new SecureRandom().nextBytes(tag);
        relay.inject(TamperingRelay.Direction.TO_SERVER, frame(Frame.REQUEST, 42, utf8("injected"), tag));

        refusedOnceThenServed("from", "first", "after");
    }

    @Test
    void a_frame_without_tag_injected_after_the_handshake_is_refused_too() throws Exception {
        // Long enough that its last 16 bytes are read as a tag.
        relay.inject(TamperingRelay.Direction.TO_SERVER, frame(Frame.ONE_WAY, 0, utf8("an untagged one-way message of 40 bytes."),
                new byte[0]));

        refusedOnceThenServed("from", "first", "after");
        assertThat(atB.messages).isEmpty();
    }

    @Test
    void a_replayed_request_is_dispatched_once_only() {
        relay.next(TamperingRelay.Direction.TO_SERVER, Frame.REQUEST, TamperingRelay.Action.REPLAY);

        // b may have answered the original before the copy closed the connection, or not.
        assertThat(outcome(request("twice?"))).isInstanceOfAny(Delivery.Replied.class, Delivery.MaybeDelivered.class);
        refusedOnceThenServed("from", "first", "twice?", "after");
    }

    @Test
    void reordered_requests_are_both_refused() {
        relay.next(TamperingRelay.Direction.TO_SERVER, Frame.REQUEST, TamperingRelay.Action.HOLD_FOR_REORDER);
        CompletableFuture<Delivery> first = request("one");
        await().atMost(WAIT).until(() -> relay.applied() == 1); // held: the next request is a frame of its own
        CompletableFuture<Delivery> second = request("two");

        // "two" arrives where "one" belongs: it fails, and nothing after it counts.
        assertThat(outcome(first)).isInstanceOf(Delivery.MaybeDelivered.class);
        assertThat(outcome(second)).isInstanceOf(Delivery.MaybeDelivered.class);
        refusedOnceThenServed("from", "first", "after");
    }

    @Test
    void a_dropped_request_makes_the_next_one_fail() {
        relay.next(TamperingRelay.Direction.TO_SERVER, Frame.REQUEST, TamperingRelay.Action.DROP);
        CompletableFuture<Delivery> dropped = request("lost");
        await().atMost(WAIT).until(() -> relay.applied() == 1);
        CompletableFuture<Delivery> next = request("next");

        assertThat(outcome(dropped)).isInstanceOf(Delivery.MaybeDelivered.class);
        assertThat(outcome(next)).isInstanceOf(Delivery.MaybeDelivered.class);
        refusedOnceThenServed("from", "first", "after");
    }

    @Test
    void a_request_reflected_back_to_its_sender_is_refused_by_it() {
        relay.next(TamperingRelay.Direction.TO_SERVER, Frame.REQUEST, TamperingRelay.Action.REFLECT);

        assertThat(outcome(request("mirror"))).isInstanceOf(Delivery.MaybeDelivered.class);
        // a refuses its own frame: it was tagged for the other direction.
        refusedOnceThenServed("to peer b", "first", "after");
    }

    @Test
    void a_reply_reflected_back_to_the_node_that_sent_it_is_refused_by_it() {
        relay.next(TamperingRelay.Direction.TO_CLIENT, Frame.REPLY, TamperingRelay.Action.REFLECT);

        assertThat(outcome(request("echo?"))).isInstanceOf(Delivery.MaybeDelivered.class);
        refusedOnceThenServed("from", "first", "echo?", "after");
    }
}
