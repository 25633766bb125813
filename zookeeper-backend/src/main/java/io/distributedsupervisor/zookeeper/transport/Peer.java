package io.distributedsupervisor.zookeeper.transport;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Our one outbound connection to one peer node, and its life: connect on first use, queue what
 * is sent while connecting, reconnect on the next use after a loss, back off after failed
 * attempts. Every frame to the peer goes into the current connection's {@link Outbox}, whose
 * queue is the order frames leave in (per-pair FIFO).
 *
 * <p>The common case takes no lock: a connection exists and has room, so the frame is queued.
 * Connecting, backing off, closing and waiting go through the lock. A connection is only
 * replaced under the lock, and it tells this peer it is gone before it stops taking frames, so
 * a caller holding the lock never finds a current connection that refuses frames.
 *
 * <p>Back-pressure: a caller that is not on a transport thread waits while the connection has
 * no room (the channel is not writable, or its outbox holds more than the high water mark), at
 * most the connect timeout, and then gets "peer X is not reading". Transport threads never wait
 * (that would stall the very loop that drains the buffer); their frames are queued.
 */
final class Peer {
    private static final Logger LOG = LoggerFactory.getLogger(Peer.class);
    static final long FIRST_BACKOFF_MILLIS = 50;
    static final long MAX_BACKOFF_MILLIS = 2000;

    private final NodeTransport transport;
    private final String node;
    private final String address;
    private final int highWaterMark;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** The connection frames go to (connecting or connected); null when there is none. Written under the lock. */
    private volatile Connection connection;
    /** Callers waiting for room; read without the lock so that the event loop signals only when someone waits. */
    private volatile int waiters;
    private boolean closed;
    private String closedReason;
    private long backoffMillis;
    private long nextAttemptNanos;
    private String lastFailure;

    Peer(NodeTransport transport, String node, String address) {
        this.transport = transport;
        this.node = node;
        this.address = address;
        this.highWaterMark = transport.config().writeHighWaterMark();
    }

    String node() {
        return node;
    }

    String address() {
        return address;
    }

    /**
     * Hands a frame over for sending.
     *
     * @return null when the frame is queued, else why not (then nothing was sent)
     */
    String enqueue(Outbox.Outgoing outgoing, boolean mayWait) {
        Connection current = connection;
        if (current != null && (!mayWait || current.writable(highWaterMark)) && current.offer(outgoing)) {
            return null;
        }
        return enqueueLocked(outgoing, mayWait);
    }

    private String enqueueLocked(Outbox.Outgoing outgoing, boolean mayWait) {
        long deadline = System.nanoTime() + transport.config().connectTimeout().toNanos();
        lock.lock();
        if (mayWait) {
            // Counted before looking at the room, so that the loop making room signals us.
            waiters++;
        }
        try {
            while (true) {
                if (closed) {
                    return closedReason;
                }
                Connection current = connection;
                if (current == null) {
                    long left = nextAttemptNanos - System.nanoTime();
                    if (lastFailure != null && left > 0) {
                        return "peer " + node + " at " + address + " is unreachable (next attempt in "
                                + TimeUnit.NANOSECONDS.toMillis(left) + " ms); last attempt: " + lastFailure;
                    }
                    current = new Connection(this, transport.config().maxFrameBytes());
                    connection = current;
                    transport.connect(current);
                }
                if (!mayWait || current.writable(highWaterMark)) {
                    return current.offer(outgoing) ? null : current.describe() + " closed before the message was queued";
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return "peer " + node + " at " + address + " is not reading: its connection has had more than "
                            + highWaterMark + " bytes waiting to be written for "
                            + transport.config().connectTimeout().toMillis() + " ms";
                }
                try {
                    changed.awaitNanos(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return "interrupted while waiting for peer " + node + " to read";
                }
            }
        } finally {
            if (mayWait) {
                waiters--;
            }
            lock.unlock();
        }
    }

    /** The handshake of {@code ready} succeeded. False if it is not our connection any more (it is closed then). */
    boolean onReady(Connection ready) {
        lock.lock();
        try {
            if (connection == ready && !closed) {
                backoffMillis = 0;
                lastFailure = null;
                changed.signalAll();
                return true;
            }
        } finally {
            lock.unlock();
        }
        ready.close("peer " + node + " was disconnected");
        return false;
    }

    /** Connecting or the handshake failed: the next attempt waits a while. */
    void onAttemptFailed(Connection failed, String cause) {
        lock.lock();
        try {
            if (connection != failed) {
                return;
            }
            connection = null;
            backoffMillis = backoffMillis == 0 ? FIRST_BACKOFF_MILLIS : Math.min(backoffMillis * 2, MAX_BACKOFF_MILLIS);
            nextAttemptNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMillis);
            lastFailure = cause;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        LOG.debug("connecting to peer {} at {} failed (next attempt no sooner than {} ms): {}", node, address, backoffMillis, cause);
    }

    /** An established connection was lost: the next use reconnects at once. */
    void onClosed(Connection lost) {
        lock.lock();
        try {
            if (connection == lost) {
                connection = null;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The channel became writable or the outbox shrank: callers waiting for room look again. */
    void roomMade() {
        if (waiters == 0) {
            return;
        }
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Forget this peer: its connection closes; queued messages fail as not sent, written requests as maybe delivered. */
    void close(String cause) {
        Connection toClose;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            closedReason = cause;
            toClose = connection;
            connection = null;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (toClose != null) {
            toClose.close(cause);
        }
    }
}
