package io.distributedsupervisor.zookeeper.transport;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import java.io.IOException;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler: whatever went wrong on this connection (a bad or forged frame, a TLS failure,
 * an I/O error, a bug in a handler) closes this connection only, with one clear log line naming
 * the peer (bad frames and TLS failures rate-limited per peer address, {@link PeerLog}), and the
 * peer is told why when the protocol still allows it and it proved the cluster secret.
 */
final class ConnectionGuard extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);

    private final Connection connection;
    private final PeerLog log;
    private boolean closing;

    ConnectionGuard(Connection connection, PeerLog log) {
        this.connection = connection;
        this.log = log;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (closing) {
            return;
        }
        closing = true;
        Throwable root = cause instanceof DecoderException && !(cause instanceof FrameDecoder.BadFrameException)
                && cause.getCause() != null ? cause.getCause() : cause;
        if (root instanceof FrameDecoder.BadFrameException bad) {
            log.warn(connection.remoteHost(), "bad frames", "closing " + connection.describe() + ": " + bad.getMessage());
            connection.closeCause(connection.describe() + " closed: " + bad.getMessage());
            connection.attemptFailed(connection.describe() + " closed: " + bad.getMessage());
            // A peer that has not proved the secret learns nothing from us, not even what was wrong.
            Frame closing = connection.isPeerProved() ? Frame.closing(Frame.CLOSING_PROTOCOL, bad.getMessage())
                    : Frame.closing(Frame.CLOSING_AUTHENTICATION, HandshakeHandler.AUTHENTICATION_FAILED);
            ctx.writeAndFlush(closing).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        String text;
        if (root instanceof SSLException) {
            // Netty's message for a non-TLS peer dumps the whole record in hex: keep the start.
            String why = String.valueOf(root.getMessage());
            text = "TLS failed: " + (why.length() > 120 ? why.substring(0, 120) + "..." : why);
            log.warn(connection.remoteHost(), "TLS failures", "closing " + connection.describe() + ": " + text);
        } else if (root instanceof IOException) {
            // The peer went away (reset, broken pipe): routine when a node dies.
            text = root.toString();
            LOG.debug("closing {}: {}", connection.describe(), text);
        } else {
            text = "unexpected error: " + root;
            LOG.error("closing {} after an unexpected error", connection.describe(), root);
        }
        String failure = connection.describe() + " closed: " + text;
        connection.closeCause(failure);
        connection.attemptFailed(failure);
        ctx.close();
    }
}
