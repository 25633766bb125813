package io.distributedsupervisor.tck;

import io.distributedsupervisor.spi.MessageHandler;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link MessageHandler} that keeps every message it gets, requests and one-way messages in
 * one list in arrival order, and answers a request with {@link #reply}.
 */
public final class RecordingHandler implements MessageHandler {
    private final String node;
    private final List<Object> received = new CopyOnWriteArrayList<>();

    public RecordingHandler(String node) {
        this.node = node;
    }

    /** What this handler answers to {@code message} from {@code fromNode}. */
    public static String reply(String node, String fromNode, Object message) {
        return node + " got " + message + " from " + fromNode;
    }

    @Override
    public CompletableFuture<Object> onRequest(String fromNode, Object message) {
        received.add(message);
        return CompletableFuture.completedFuture(reply(node, fromNode, message));
    }

    @Override
    public void onMessage(String fromNode, Object message) {
        received.add(message);
    }

    public List<Object> received() {
        return List.copyOf(received);
    }

    public int count() {
        return received.size();
    }
}
