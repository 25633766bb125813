package io.distributedsupervisor.zookeeper.transport;

import io.distributedsupervisor.zookeeper.MessageCodec;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dispatch: hands requests and one-way messages to the {@link InboundHandler} (in the order the
 * peer sent them), writes replies back on the connection the request came on, from whatever
 * thread completes the handler's future, and completes our own requests with the replies.
 */
final class Dispatcher extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    private static final int MAX_FAILURE_TEXT = 8192;

    private final String selfNode;
    private final Connection connection;
    private final InboundHandler handler;
    private final MessageCodec codec;
    private final int maxFrameBytes;

    Dispatcher(String selfNode, Connection connection, InboundHandler handler, MessageCodec codec, int maxFrameBytes) {
        this.selfNode = selfNode;
        this.connection = connection;
        this.handler = handler;
        this.codec = codec;
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        String from = connection.peerNode();
        switch ((Inbound) msg) {
            case Inbound.Request request -> onRequest(ctx.channel(), from, request);
            case Inbound.OneWay oneWay -> {
                try {
                    handler.onMessage(from, oneWay.message());
                } catch (RuntimeException e) {
                    LOG.error("inbound handler failed on a one-way message from node {}", from, e);
                }
            }
            case Inbound.Reply reply -> {
                if (!connection.complete(reply.id(), reply.value(), null)) {
                    LOG.debug("reply #{} from node {} came after its caller stopped waiting", reply.id(), from);
                }
            }
            case Inbound.ReplyFailure failure -> connection.complete(failure.id(), null,
                    new TransportException("request to peer " + from + " failed there: " + failure.text()));
            case Inbound.Undecodable bad -> onUndecodable(ctx.channel(), from, bad);
            case Inbound.Closing closing -> {
                String text = "peer " + from + " closed the connection: " + closing.text();
                LOG.warn("{} ({})", text, connection.describe());
                connection.closeCause(new TransportException(text));
                ctx.close();
            }
        }
    }

    private void onRequest(Channel channel, String from, Inbound.Request request) {
        CompletableFuture<Object> reply;
        try {
            reply = handler.onRequest(from, request.message());
            if (reply == null) {
                throw new IllegalStateException("the inbound handler returned null instead of a future");
            }
        } catch (RuntimeException e) {
            LOG.warn("inbound handler failed on a request from node {}", from, e);
            writeFailure(channel, request.id(), "node " + selfNode + " handler failed: " + text(e));
            return;
        }
        reply.whenComplete((value, failure) -> {
            if (failure != null) {
                writeFailure(channel, request.id(), text(unwrap(failure)));
                return;
            }
            byte[] bytes;
            try {
                bytes = codec.encode(value);
            } catch (Exception e) {
                writeFailure(channel, request.id(), "the reply (" + typeOf(value) + ") could not be encoded: " + text(e));
                return;
            }
            if (bytes.length + Frame.HEADER_BYTES > maxFrameBytes) {
                writeFailure(channel, request.id(), "the reply (" + typeOf(value) + ") has " + bytes.length
                        + " bytes, more than the maximum frame size of " + maxFrameBytes);
                return;
            }
            channel.writeAndFlush(new Frame(Frame.REPLY, request.id(), bytes)).addListener(logFailure(from));
        });
    }

    private void onUndecodable(Channel channel, String from, Inbound.Undecodable bad) {
        String why = text(bad.cause());
        switch (bad.type()) {
            case Frame.REQUEST -> {
                LOG.warn("refused a request from node {}: {}", from, why);
                writeFailure(channel, bad.id(), "the request could not be decoded by node "
                        + selfNode + ": " + why);
            }
            case Frame.ONE_WAY -> LOG.warn("dropped a one-way message from node {}: it could not be decoded: {}", from, why);
            default -> {
                LOG.warn("the reply #{} from node {} could not be decoded: {}", bad.id(), from, why);
                connection.complete(bad.id(), null, new TransportException("the reply from peer " + from
                        + " could not be decoded: " + why, bad.cause()));
            }
        }
    }

    private void writeFailure(Channel channel, long id, String text) {
        String bounded = text.length() > MAX_FAILURE_TEXT ? text.substring(0, MAX_FAILURE_TEXT) + "..." : text;
        channel.writeAndFlush(new Frame(Frame.REPLY_FAILURE, id, bounded.getBytes(StandardCharsets.UTF_8)))
                .addListener(logFailure(connection.peerNode()));
    }

    private static ChannelFutureListener logFailure(String to) {
        return written -> {
            if (!written.isSuccess()) {
                LOG.debug("a reply to node {} was not sent: {}", to, written.cause().toString());
            }
        };
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        boolean writable = ctx.channel().isWritable();
        if (connection.outbound()) {
            connection.peer().writabilityChanged();
        } else {
            // The peer does not read our replies: stop reading its requests until it does, so
            // that its own writes back up and its callers feel the back-pressure.
            ctx.channel().config().setAutoRead(writable);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        connection.closed();
        ctx.fireChannelInactive();
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
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

    private static String typeOf(Object value) {
        return value == null ? "null" : value.getClass().getName();
    }
}
