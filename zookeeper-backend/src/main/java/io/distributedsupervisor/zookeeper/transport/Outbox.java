package io.distributedsupervisor.zookeeper.transport;

import io.distributedsupervisor.spi.Delivery;
import io.netty.channel.Channel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writes of one connection, coalesced: any thread queues frames here, and one task on the
 * channel's event loop writes everything queued and flushes once. A write and a flush per
 * message from the caller's thread would cost a task, a wake-up and a system call each; under
 * load one drain carries many frames in one {@code write(2)}.
 *
 * <p>The queue is the connection's order: frames leave in the order they were offered. Until
 * the handshake is done ({@link #start}) frames only queue. Once closed, what is still queued
 * fails as not sent (it never reached the channel), and later offers are refused.
 */
final class Outbox {
    private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);
    private static final AtomicIntegerFieldUpdater<Outbox> SCHEDULED =
            AtomicIntegerFieldUpdater.newUpdater(Outbox.class, "scheduled");
    /** Frames per drain: then the loop reads and runs other tasks before the next drain. */
    private static final int MAX_FRAMES_PER_DRAIN = 4096;
    /** Small frames are written in batches of up to this many bytes (and no more than a frame may hold). */
    private static final int BATCH_BYTES = 64 * 1024;

    /** A frame waiting to be written; {@code reply} is set for a request, whose id the drain assigns. */
    record Outgoing(byte type, long id, byte[] payload, CompletableFuture<Delivery> reply) {
        long wireBytes() {
            return 4 + Frame.HEADER_BYTES + payload.length;
        }
    }

    private final Connection connection;
    /** The most bytes of frames in one batch: its payload must fit the largest frame the peer takes. */
    private final int batchLimit;
    private final ConcurrentLinkedQueue<Outgoing> queue = new ConcurrentLinkedQueue<>();
    /** Bytes offered but not yet handed to the channel: they count towards the water marks too. */
    private final AtomicLong queuedBytes = new AtomicLong();
    private final Runnable drain = this::drain;
    private volatile int scheduled;
    private volatile boolean started;
    private volatile String closed;

    Outbox(Connection connection, int maxFrameBytes) {
        this.connection = connection;
        this.batchLimit = Math.min(BATCH_BYTES, maxFrameBytes - Frame.HEADER_BYTES);
    }

    /**
     * Queues a frame. False if the outbox is closed (nothing was queued). An outbox that closes
     * right after the frame was queued fails it as not sent.
     */
    boolean offer(Outgoing outgoing) {
        if (closed != null) {
            return false;
        }
        queuedBytes.addAndGet(outgoing.wireBytes());
        queue.add(outgoing);
        if (closed != null) {
            // Closed meanwhile: its closer may have emptied the queue before this frame was in it.
            failQueued();
        } else if (started) {
            schedule();
        }
        return true;
    }

    long queuedBytes() {
        return queuedBytes.get();
    }

    /** The handshake is done: write what queued meanwhile, and from now on whatever is offered. */
    void start() {
        started = true;
        schedule();
    }

    /** Nothing more is written; what is queued fails with {@code reason} (nothing of it left this node). */
    void close(String reason) {
        if (closed == null) {
            closed = reason;
        }
        failQueued();
    }

    private void schedule() {
        if (scheduled == 0 && SCHEDULED.compareAndSet(this, 0, 1)) {
            try {
                connection.channel().eventLoop().execute(drain);
            } catch (RejectedExecutionException e) {
                close("the transport's event loop is shut down");
            }
        }
    }

    private void drain() {
        Channel channel = connection.channel();
        if (closed != null || !channel.isActive()) {
            // Closing: the connection's close fails what is still queued.
            scheduled = 0;
            return;
        }
        long bytes = 0;
        int frames = 0;
        List<Frame> batch = new ArrayList<>();
        int batchBytes = 0;
        for (Outgoing out; frames < MAX_FRAMES_PER_DRAIN && (out = queue.poll()) != null; ) {
            bytes += out.wireBytes();
            long id = out.id();
            if (out.reply() != null) {
                if (out.reply().isDone()) {
                    continue; // its caller gave up before it left: do not make the peer act on it
                }
                id = connection.register(out.reply());
            }
            Frame frame = new Frame(out.type(), id, out.payload());
            frames++;
            if (frame.payload().length > FrameEncoder.COPY_LIMIT) {
                batchBytes = write(channel, batch, batchBytes);
                write(channel, frame);
            } else {
                if (batchBytes + frame.wireBytes() > batchLimit) {
                    batchBytes = write(channel, batch, batchBytes);
                }
                batch.add(frame);
                batchBytes += frame.wireBytes();
            }
        }
        write(channel, batch, batchBytes);
        if (bytes > 0) {
            queuedBytes.addAndGet(-bytes);
        }
        if (frames > 0) {
            channel.flush();
        }
        if (bytes > 0) {
            connection.drained();
        }
        scheduled = 0;
        if (!queue.isEmpty()) {
            schedule();
        }
    }

    /** Writes the batch (if any) and empties it; returns its new size in bytes, 0. */
    private static int write(Channel channel, List<Frame> batch, int batchBytes) {
        if (batch.size() == 1) {
            write(channel, batch.get(0));
        } else if (!batch.isEmpty()) {
            write(channel, Frame.batch(batch, batchBytes));
        }
        batch.clear();
        return 0;
    }

    private static void write(Channel channel, Object frames) {
        // A failed write closes the connection (the void promise fires exceptionCaught), which
        // fails the requests registered on it as maybe delivered.
        channel.write(frames, channel.voidPromise());
    }

    private void failQueued() {
        String reason = closed;
        for (Outgoing out; (out = queue.poll()) != null; ) {
            queuedBytes.addAndGet(-out.wireBytes());
            if (out.reply() != null) {
                out.reply().complete(new Delivery.NotSent(reason));
            } else if (out.type() != Frame.ONE_WAY) {
                LOG.debug("{} frame #{} to node {} dropped: {}", Frame.typeName(out.type()), out.id(),
                        connection.peerNode(), reason);
            }
        }
    }
}
