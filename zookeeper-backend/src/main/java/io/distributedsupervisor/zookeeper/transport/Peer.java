package io.distributedsupervisor.zookeeper.transport;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Our one outbound connection to one peer node, and its life: connect on first use, queue what
 * is sent while connecting, reconnect on the next use after a loss, back off after failed
 * attempts. Every write to the peer goes through {@link #enqueue} under one lock, so messages
 * leave in the order they were handed over (per-pair FIFO).
 *
 * <p>Back-pressure: a caller that is not on a transport thread waits while the channel is not
 * writable (or, while connecting, while the queue holds more than the high water mark), at most
 * the connect timeout, and then fails with "peer X is not reading". Transport threads never wait
 * (that would stall the very loop that drains the buffer); their writes are buffered.
 */
final class Peer {
    private static final Logger LOG = LoggerFactory.getLogger(Peer.class);
    static final long FIRST_BACKOFF_MILLIS = 50;
    static final long MAX_BACKOFF_MILLIS = 2000;

    private enum State { IDLE, CONNECTING, CONNECTED, BACKOFF, CLOSED }

    private record Outgoing(Frame frame, CompletableFuture<Object> reply) {
    }

    private final NodeTransport transport;
    private final String node;
    private final String address;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Outgoing> queue = new ArrayDeque<>();
    private State state = State.IDLE;
    private Connection connection;
    private long queuedBytes;
    private long backoffMillis;
    private long nextAttemptNanos;
    private TransportException lastFailure;

    Peer(NodeTransport transport, String node, String address) {
        this.transport = transport;
        this.node = node;
        this.address = address;
    }

    String node() {
        return node;
    }

    String address() {
        return address;
    }

    /**
     * Hands a frame over for sending; {@code reply} is null for a one-way message.
     *
     * @return null when the frame is queued or written, else why it is not (nothing was sent)
     */
    TransportException enqueue(Frame frame, CompletableFuture<Object> reply, boolean mayWait) {
        long waitNanos = transport.config().connectTimeout().toNanos();
        lock.lock();
        try {
            long deadline = System.nanoTime() + waitNanos;
            while (true) {
                switch (state) {
                    case CLOSED -> {
                        return lastFailure;
                    }
                    case BACKOFF -> {
                        long left = nextAttemptNanos - System.nanoTime();
                        if (left > 0) {
                            return new TransportException("peer " + node + " at " + address + " is unreachable (next attempt in "
                                    + TimeUnit.NANOSECONDS.toMillis(left) + " ms); last attempt: " + lastFailure.getMessage(), lastFailure);
                        }
                        connect();
                        continue;
                    }
                    case IDLE -> {
                        connect();
                        continue;
                    }
                    case CONNECTING -> {
                        if (!mayWait || queuedBytes < transport.config().writeHighWaterMark()) {
                            queue.add(new Outgoing(frame, reply));
                            queuedBytes += frame.wireBytes();
                            return null;
                        }
                    }
                    case CONNECTED -> {
                        if (!mayWait || connection.channel().isWritable()) {
                            write(connection, frame, reply);
                            return null;
                        }
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return new TransportException("peer " + node + " at " + address + " is not reading: its connection has had more than "
                            + transport.config().writeHighWaterMark() + " bytes waiting to be written for "
                            + transport.config().connectTimeout().toMillis() + " ms");
                }
                try {
                    changed.awaitNanos(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return new TransportException("interrupted while waiting for peer " + node + " to read", e);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void connect() {
        state = State.CONNECTING;
        connection = new Connection(this);
        transport.connect(connection);
    }

    private static void write(Connection connection, Frame frame, CompletableFuture<Object> reply) {
        if (reply == null) {
            connection.writeOneWay(frame);
        } else {
            connection.writeRequest(frame, reply);
        }
    }

    /** The handshake succeeded: send what was queued, in order, then accept direct writes. */
    void onReady(Connection ready) {
        lock.lock();
        try {
            if (connection != ready || state != State.CONNECTING) {
                ready.closeCause(new TransportException("peer " + node + " was disconnected"));
                ready.channel().close();
                return;
            }
            for (Outgoing outgoing; (outgoing = queue.poll()) != null; ) {
                write(ready, outgoing.frame(), outgoing.reply());
            }
            queuedBytes = 0;
            state = State.CONNECTED;
            backoffMillis = 0;
            lastFailure = null;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Connecting or the handshake failed: what was queued fails, and the next attempt waits a while. */
    void onAttemptFailed(Connection failed, TransportException cause) {
        lock.lock();
        try {
            if (connection != failed) {
                return;
            }
            connection = null;
            backoffMillis = backoffMillis == 0 ? FIRST_BACKOFF_MILLIS : Math.min(backoffMillis * 2, MAX_BACKOFF_MILLIS);
            nextAttemptNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMillis);
            lastFailure = cause;
            if (state != State.CLOSED) {
                state = State.BACKOFF;
            }
            failQueued(cause);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        LOG.debug("connecting to peer {} at {} failed (next attempt no sooner than {} ms): {}",
                node, address, backoffMillis, cause.getMessage());
    }

    /** An established connection was lost: the next use reconnects at once. */
    void onClosed(Connection closed) {
        lock.lock();
        try {
            if (connection != closed) {
                return;
            }
            connection = null;
            if (state != State.CLOSED) {
                state = State.IDLE;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void writabilityChanged() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Forget this peer: its connection closes and everything waiting on it fails with {@code cause}. */
    void close(TransportException cause) {
        Connection toClose;
        lock.lock();
        try {
            if (state == State.CLOSED) {
                return;
            }
            state = State.CLOSED;
            lastFailure = cause;
            toClose = connection;
            connection = null;
            failQueued(cause);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (toClose != null) {
            toClose.closeCause(cause);
            if (toClose.channel() != null) {
                toClose.channel().close();
            }
        }
    }

    private void failQueued(TransportException cause) {
        for (Outgoing outgoing; (outgoing = queue.poll()) != null; ) {
            if (outgoing.reply() != null) {
                outgoing.reply().completeExceptionally(cause);
            }
        }
        queuedBytes = 0;
    }
}
