package io.distributedsupervisor.tck;

import io.distributedsupervisor.spi.MessageHandler;
import io.distributedsupervisor.spi.Responder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link MessageHandler} that keeps every message it gets (as UTF-8 text), requests and
 * one-way messages in one list in arrival order, and answers a request with {@link #reply}, except
 * two: {@value #HOLD} is never answered, {@value #THROW} makes it throw.
 */
public final class RecordingHandler implements MessageHandler {
    /** A request this handler keeps without answering. */
    public static final String HOLD = "hold";
    /** A request this handler throws on. */
    public static final String THROW = "throw";

    private final String node;
    private final List<String> received = new CopyOnWriteArrayList<>();

    public RecordingHandler(String node) {
        this.node = node;
    }

    /** What this handler answers to {@code message} from {@code fromNode}. */
    public static String reply(String node, String fromNode, String message) {
        return node + " got " + message + " from " + fromNode;
    }

    @Override
    public void onRequest(String fromNode, byte[] message, Responder responder) {
        String text = new String(message, StandardCharsets.UTF_8);
        received.add(text);
        if (text.equals(THROW)) {
            throw new IllegalStateException("the handler of " + node + " was asked to throw");
        }
        if (!text.equals(HOLD)) {
            responder.reply(reply(node, fromNode, text).getBytes(StandardCharsets.UTF_8));
        }
    }

    @Override
    public void onMessage(String fromNode, byte[] message) {
        received.add(new String(message, StandardCharsets.UTF_8));
    }

    public List<String> received() {
        return List.copyOf(received);
    }

    public int count() {
        return received.size();
    }
}
