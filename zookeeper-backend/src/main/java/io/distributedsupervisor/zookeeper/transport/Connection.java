package io.distributedsupervisor.zookeeper.transport;

import io.distributedsupervisor.spi.Delivery;
import io.netty.channel.Channel;
import io.netty.util.collection.LongObjectHashMap;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The state of one channel: who is at the other end, its {@link Outbox}, the requests written
 * on it that wait for a reply, and why it closed. Outbound connections (we dialed) belong to a
 * {@link Peer}; inbound ones (a peer dialed us) carry that peer's requests and our replies.
 *
 * <p>Waiting requests are only touched on the channel's event loop (registered by the drain,
 * completed by the dispatcher or the close), so they need no lock and no atomic id.
 */
final class Connection {
    /** Waiting requests whose caller gave up are swept out when the map doubles past this size. */
    private static final int FIRST_SWEEP = 1024;
    /**
     * Request ids are a counter times this odd constant (a bijection, never 0): LongObjectHashMap
     * probes linearly, and consecutive keys would sit in one run of slots that every removal walks.
     */
    private static final long ID_SPREAD = 0x9E3779B97F4A7C15L;

    private final Peer peer;
    private final Outbox outbox;
    private final AtomicBoolean settled = new AtomicBoolean();
    private final LongObjectHashMap<CompletableFuture<Delivery>> waiting = new LongObjectHashMap<>();
    private long lastId;
    private int sweepAt = FIRST_SWEEP;
    private volatile Channel channel;
    private volatile String peerNode;
    private volatile boolean peerProved;
    private volatile String closeCause;

    /** An outbound connection to {@code peer}. */
    Connection(Peer peer, int maxFrameBytes) {
        this.peer = peer;
        this.peerNode = peer.node();
        this.outbox = new Outbox(this, maxFrameBytes);
    }

    /** An inbound connection on {@code channel}; the peer's name is known after the handshake. */
    Connection(Channel channel, int maxFrameBytes) {
        this.peer = null;
        this.channel = channel;
        this.outbox = new Outbox(this, maxFrameBytes);
    }

    void attach(Channel channel) {
        this.channel = channel;
    }

    Channel channel() {
        return channel;
    }

    boolean outbound() {
        return peer != null;
    }

    Peer peer() {
        return peer;
    }

    /** The authenticated peer's name; for inbound connections null until the handshake completes. */
    String peerNode() {
        return peerNode;
    }

    /** The peer proved the cluster secret (in open mode: agreed to open mode); what it is told may now say why. */
    void peerProved() {
        peerProved = true;
    }

    boolean isPeerProved() {
        return peerProved;
    }

    /**
     * The host at the other end, without port, for rate-limited log lines: the dialled host
     * (outbound) or the remote IP address (inbound).
     */
    String remoteHost() {
        if (peer != null) {
            int colon = peer.address().lastIndexOf(':');
            return colon > 0 ? peer.address().substring(0, colon) : peer.address();
        }
        Channel ch = channel;
        SocketAddress remote = ch == null ? null : ch.remoteAddress();
        if (remote instanceof InetSocketAddress inet) {
            return inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
        }
        return String.valueOf(remote);
    }

    /** For log lines and reasons: which connection, in words. */
    String describe() {
        if (peer != null) {
            return "connection to peer " + peer.node() + " at " + peer.address();
        }
        Channel ch = channel;
        SocketAddress remote = ch == null ? null : ch.remoteAddress();
        String node = peerNode;
        return "connection from " + remote + (node == null ? " (not authenticated)" : " (node " + node + ")");
    }

    /** Why the connection closed, when we know better than "it closed". Only the first reason counts. */
    void closeCause(String cause) {
        if (closeCause == null) {
            closeCause = cause;
        }
    }

    /** Queues a frame (see {@link Outbox#offer}). */
    boolean offer(Outbox.Outgoing outgoing) {
        return outbox.offer(outgoing);
    }

    /** Whether a caller may queue more: the channel is writable and the outbox holds less than the high water mark. */
    boolean writable(int highWaterMark) {
        Channel ch = channel;
        return outbox.queuedBytes() < highWaterMark && (ch == null || ch.isWritable());
    }

    /** Closes the channel for {@code cause}; what is still queued fails as not sent. */
    void close(String cause) {
        closeCause(cause);
        outbox.close(closeCause);
        Channel ch = channel;
        if (ch != null) {
            ch.close();
        }
    }

    /** Called once the handshake succeeded (on the channel's event loop). */
    void ready(String authenticatedPeer) {
        this.peerNode = authenticatedPeer;
        if (settled.compareAndSet(false, true)) {
            if (peer != null && !peer.onReady(this)) {
                return;
            }
            outbox.start();
        }
    }

    /** The connection attempt or the handshake failed; called at most once, together with {@link #ready} never both. */
    void attemptFailed(String cause) {
        closeCause(cause);
        if (settled.compareAndSet(false, true)) {
            // The peer learns first, so that no caller queues on this connection any more.
            if (peer != null) {
                peer.onAttemptFailed(this, closeCause);
            }
            outbox.close(closeCause);
        }
    }

    /** The outbox handed bytes to the channel: callers waiting for room may look again. */
    void drained() {
        if (peer != null) {
            peer.roomMade();
        }
    }

    /** On the event loop: a request is about to be written; its id. */
    long register(CompletableFuture<Delivery> reply) {
        long id = ++lastId * ID_SPREAD;
        waiting.put(id, reply);
        if (waiting.size() >= sweepAt) {
            for (Iterator<CompletableFuture<Delivery>> it = waiting.values().iterator(); it.hasNext(); ) {
                if (it.next().isDone()) {
                    it.remove();
                }
            }
            sweepAt = Math.max(FIRST_SWEEP, waiting.size() * 2);
        }
        return id;
    }

    /** On the event loop: the answer to request {@code id}; false if no one waits for it any more. */
    boolean answer(long id, Delivery delivery) {
        CompletableFuture<Delivery> reply = waiting.remove(id);
        return reply != null && reply.complete(delivery);
    }

    /** On the event loop: the channel closed. Queued frames never left; written requests may have arrived. */
    void closed() {
        if (!settled.get()) {
            attemptFailed(closeCause != null ? closeCause : describe() + " closed during the handshake");
        } else if (peer != null) {
            // The peer learns first, so that a caller woken by the outcomes below already finds it
            // ready to reconnect.
            peer.onClosed(this);
        }
        String cause = closeCause;
        outbox.close(cause != null ? cause : describe() + " was lost before the message was written");
        Delivery lost = new Delivery.MaybeDelivered(cause != null ? cause : describe() + " was lost before the reply");
        List<CompletableFuture<Delivery>> orphans = new ArrayList<>(waiting.values());
        waiting.clear();
        for (CompletableFuture<Delivery> reply : orphans) {
            reply.complete(lost);
        }
    }
}
