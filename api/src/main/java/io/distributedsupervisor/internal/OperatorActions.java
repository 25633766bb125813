package io.distributedsupervisor.internal;

import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.spi.OperatorRequest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an operator's request ({@link OperatorRequest}) with this node's public operations, off
 * the backend's thread: each on a virtual thread of its own, since a move waits up to the call
 * timeout. A drain is answered when it starts: it ends with this node's session, through which
 * the answer would have gone.
 */
final class OperatorActions {
    private static final Logger LOG = LoggerFactory.getLogger(OperatorActions.class);

    private OperatorActions() {
    }

    static CompletionStage<String> run(DistributedSupervisor node, OperatorRequest request) {
        LOG.info("node {}: operator request {}: {}", node.node(), request.id(), describe(request));
        CompletableFuture<String> outcome = new CompletableFuture<>();
        Thread.startVirtualThread(() -> {
            try {
                outcome.complete(perform(node, request));
            } catch (RuntimeException e) {
                LOG.warn("node {}: operator request {} ({}) failed: {}", node.node(), request.id(), describe(request),
                        e.toString());
                outcome.completeExceptionally(e);
            }
        });
        return outcome;
    }

    private static String perform(DistributedSupervisor node, OperatorRequest request) {
        return switch (request.action()) {
            case DRAIN -> {
                int children = node.localChildren().size();
                Thread.startVirtualThread(() -> {
                    try {
                        node.drain();
                    } catch (RuntimeException e) {
                        LOG.warn("node {}: the drain an operator asked for failed: {}", node.node(), e.toString());
                    }
                });
                yield "draining " + children + " local children; the node leaves the cluster when they are handed over";
            }
            case MOVE -> {
                Object id = ChildKey.decode(request.childKey());
                Pid pid = node.move(id, request.node());
                yield "moved " + id + " to " + pid.node() + " (incarnation " + pid.incarnation() + ")";
            }
            case REBALANCE -> "queued " + node.rebalance() + " moves";
            case PAUSE_REBALANCING -> {
                node.pauseRebalancing();
                yield "rebalancing paused";
            }
            case RESUME_REBALANCING -> {
                node.resumeRebalancing();
                yield "rebalancing resumed";
            }
        };
    }

    private static String describe(OperatorRequest r) {
        return r.action() == OperatorRequest.Action.MOVE
                ? "move " + r.childKey() + " to " + r.node() : r.action().name().toLowerCase(java.util.Locale.ROOT);
    }
}
