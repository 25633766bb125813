package io.distributedsupervisor.zookeeper.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The state of one channel: who is at the other end, the requests sent on it that wait for a
 * reply, and why it closed. Outbound connections (we dialed) belong to a {@link Peer}; inbound
 * ones (a peer dialed us) carry that peer's requests and our replies.
 */
final class Connection {
    private final Peer peer;
    private final ConcurrentHashMap<Long, CompletableFuture<Object>> pending = new ConcurrentHashMap<>();
    private final AtomicBoolean settled = new AtomicBoolean();
    private volatile Channel channel;
    private volatile String peerNode;
    private volatile TransportException closeCause;

    /** An outbound connection to {@code peer}. */
    Connection(Peer peer) {
        this.peer = peer;
        this.peerNode = peer.node();
    }

    /** An inbound connection on {@code channel}; the peer's name is known after the handshake. */
    Connection(Channel channel) {
        this.peer = null;
        this.channel = channel;
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

    /** For log lines and error messages: which connection, in words. */
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
    void closeCause(TransportException cause) {
        if (closeCause == null) {
            closeCause = cause;
        }
    }

    TransportException closeCause() {
        return closeCause;
    }

    /** Called once the handshake succeeded (on the channel's event loop). */
    void ready(String authenticatedPeer) {
        this.peerNode = authenticatedPeer;
        if (settled.compareAndSet(false, true) && peer != null) {
            peer.onReady(this);
        }
    }

    /** The connection attempt or the handshake failed; called at most once, together with {@link #ready} never both. */
    void attemptFailed(TransportException cause) {
        closeCause(cause);
        if (settled.compareAndSet(false, true) && peer != null) {
            peer.onAttemptFailed(this, closeCause);
        }
    }

    /**
     * Sends a request on this connection: the reply future is registered under the frame's id,
     * and forgotten when it completes (a reply, a failure, or the caller's own timeout).
     */
    void writeRequest(Frame frame, CompletableFuture<Object> reply) {
        long id = frame.requestId();
        pending.put(id, reply);
        reply.whenComplete((value, failure) -> pending.remove(id, reply));
        channel.writeAndFlush(frame).addListener((ChannelFutureListener) written -> {
            if (!written.isSuccess()) {
                if (peer != null) {
                    peer.onClosed(this);
                }
                reply.completeExceptionally(lostCause("before the request was sent", written.cause()));
            }
        });
    }

    void writeOneWay(Frame frame) {
        channel.writeAndFlush(frame, channel.voidPromise());
    }

    /** The reply (or failure) to request {@code id}; false if no one waits for it any more. */
    boolean complete(long id, Object value, Throwable failure) {
        CompletableFuture<Object> reply = pending.remove(id);
        if (reply == null) {
            return false;
        }
        if (failure != null) {
            reply.completeExceptionally(failure);
        } else {
            reply.complete(value);
        }
        return true;
    }

    /** The channel closed: every request still waiting fails with why. */
    void closed() {
        // The peer learns first, so that a caller woken by the failures below already finds it
        // ready to reconnect.
        if (!settled.get()) {
            attemptFailed(closeCause != null ? closeCause
                    : new TransportException(describe() + " closed during the handshake"));
        } else if (peer != null) {
            peer.onClosed(this);
        }
        TransportException cause = lostCause("before the reply", null);
        List<CompletableFuture<Object>> waiting = new ArrayList<>(pending.values());
        pending.clear();
        for (CompletableFuture<Object> reply : waiting) {
            reply.completeExceptionally(cause);
        }
    }

    private TransportException lostCause(String when, Throwable cause) {
        TransportException known = closeCause;
        if (known != null) {
            return known;
        }
        return new TransportException(describe() + " was lost " + when
                + (cause == null || cause.getMessage() == null ? "" : ": " + cause.getMessage()), cause);
    }
}
