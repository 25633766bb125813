package io.distributedsupervisor.zookeeper.transport;

import io.distributedsupervisor.spi.MessageHandler;
import io.distributedsupervisor.spi.Delivery;
import io.distributedsupervisor.spi.Responder;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dispatch, after the handshake: hands requests and one-way messages to the
 * {@link MessageHandler} (in the order the peer sent them), queues each request's answer on the
 * connection it came on, from whatever thread gives it, and completes our own requests with the
 * peer's answers.
 */
final class Dispatcher extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    private static final int MAX_FAILURE_TEXT = 8192;

    private final String selfNode;
    private final Connection connection;
    private final MessageHandler handler;
    private final int maxFrameBytes;

    Dispatcher(String selfNode, Connection connection, MessageHandler handler, int maxFrameBytes) {
        this.selfNode = selfNode;
        this.connection = connection;
        this.handler = handler;
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Frame frame = (Frame) msg;
        String from = connection.peerNode();
        switch (frame.type()) {
            case Frame.REQUEST -> onRequest(from, frame.requestId(), frame.payload());
            case Frame.ONE_WAY -> {
                try {
                    handler.onMessage(from, frame.payload());
                } catch (RuntimeException e) {
                    LOG.error("inbound handler failed on a one-way message from node {}", from, e);
                }
            }
            case Frame.REPLY -> {
                if (!connection.answer(frame.requestId(), new Delivery.Replied(frame.payload()))) {
                    LOG.debug("reply #{} from node {} came after its caller stopped waiting", frame.requestId(), from);
                }
            }
            case Frame.REPLY_FAILURE -> connection.answer(frame.requestId(), new Delivery.Refused(from,
                    "peer " + from + " failed on the request: " + new String(frame.payload(), StandardCharsets.UTF_8)));
            case Frame.REPLY_NOT_TAKEN -> connection.answer(frame.requestId(), new Delivery.NotSent(
                    "peer " + from + " did not take the request: " + new String(frame.payload(), StandardCharsets.UTF_8)));
            case Frame.CLOSING -> {
                String text = "peer " + from + " closed the connection: " + closingText(frame);
                LOG.warn("{} ({})", text, connection.describe());
                connection.closeCause(text);
                ctx.close();
            }
            default -> throw new FrameDecoder.BadFrameException("protocol violation: " + Frame.typeName(frame.type())
                    + " frame after the handshake");
        }
    }

    private void onRequest(String from, long id, byte[] message) {
        Answer answer = new Answer(id);
        try {
            handler.onRequest(from, message, answer);
        } catch (RequestNotTakenException e) {
            LOG.debug("node {} took no request from node {}: {}", selfNode, from, e.getMessage());
            answer.notTaken(e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("inbound handler failed on a request from node {}", from, e);
            answer.fail("the handler of node " + selfNode + " threw " + text(e));
        }
    }

    /** The {@link Responder} of one request: the first answer wins; the frame goes through the connection's outbox. */
    private final class Answer implements Responder {
        private static final VarHandle GIVEN;
        private final long id;
        @SuppressWarnings("unused") // through GIVEN
        private volatile boolean given;

        static {
            try {
                GIVEN = MethodHandles.lookup().findVarHandle(Answer.class, "given", boolean.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        Answer(long id) {
            this.id = id;
        }

        @Override
        public void reply(byte[] reply) {
            Objects.requireNonNull(reply, "reply");
            if (!GIVEN.compareAndSet(this, false, true)) {
                return;
            }
            if (reply.length + Frame.HEADER_BYTES > maxFrameBytes) {
                queue(Frame.REPLY_FAILURE, utf8("the reply of node " + selfNode + " has " + reply.length
                        + " bytes, more than the maximum frame size of " + maxFrameBytes));
            } else {
                queue(Frame.REPLY, reply);
            }
        }

        void fail(String text) {
            give(Frame.REPLY_FAILURE, text);
        }

        void notTaken(String text) {
            give(Frame.REPLY_NOT_TAKEN, text);
        }

        private void give(byte type, String text) {
            if (GIVEN.compareAndSet(this, false, true)) {
                queue(type, utf8(text.length() > MAX_FAILURE_TEXT ? text.substring(0, MAX_FAILURE_TEXT) + "..." : text));
            }
        }

        private void queue(byte type, byte[] payload) {
            if (!connection.offer(new Outbox.Outgoing(type, id, payload, null))) {
                LOG.debug("the answer to request #{} of node {} was dropped: {} is closed", id, connection.peerNode(),
                        connection.describe());
            }
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (connection.outbound()) {
            connection.peer().roomMade();
        } else {
            // The peer does not read our replies: stop reading its requests until it does, so
            // that its own writes back up and its callers feel the back-pressure.
            ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        connection.closed();
        ctx.fireChannelInactive();
    }

    private static String closingText(Frame frame) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(frame.payload()));
            in.readByte();
            return in.readUTF();
        } catch (IOException e) {
            return "(no readable reason)";
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** A failure as text for the caller: class and message, and the first cause. */
    static String text(Throwable t) {
        String text = t.toString();
        Throwable cause = t.getCause();
        if (cause != null && cause != t) {
            text += " (caused by " + cause + ")";
        }
        return text;
    }
}
