package io.distributedsupervisor.inmemory;

import static io.distributedsupervisor.tck.supervisor.TestChildren.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.codec.CborCodec;
import io.distributedsupervisor.protocol.Message;
import io.distributedsupervisor.protocol.WireFormat;
import io.distributedsupervisor.spi.Backend;
import io.distributedsupervisor.spi.CodecException;
import io.distributedsupervisor.spi.Delivery;
import io.distributedsupervisor.spi.NodeSession;
import io.distributedsupervisor.tck.supervisor.Nodes;
import io.distributedsupervisor.tck.supervisor.PlannedMoveContract.Tally;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The order of one sender's messages across a planned move, with the interleaving forced: a
 * message the sender sent to the child's old node is held there (the child is stopping for its
 * move) when the child's state reaches the sender's own node, which is where it goes. A message
 * the sender sends from then on must still come after the held one, which reaches the new node
 * only once the old node released its claim and forwards it.
 */
class PlannedMoveOrderTest {
    private final InMemoryCluster cluster = new InMemoryCluster();
    private final Backend n2Backend = cluster.backend();
    /** Runs on n2's hand-over thread as its HANDOFF request goes out: before it is delivered and after it is acknowledged. */
    private final AtomicReference<Runnable> beforeHandoff = new AtomicReference<>(() -> { });
    private final AtomicReference<Runnable> afterHandoff = new AtomicReference<>(() -> { });
    private DistributedSupervisor n2;

    @AfterEach
    void close() {
        if (n2 != null) {
            n2.close();
        }
        n2Backend.close();
        cluster.close();
    }

    @Test
    void aCallMadeOnTheNewNodeAfterACastHeldAtTheOldOneSeesThatCast() throws Exception {
        DistributedSupervisor n1 = cluster.start(Nodes.options("n1"));
        n2 = DistributedSupervisor.start(Nodes.options("n2").backend(watchingHandoffs(n2Backend)).build());
        Nodes.awaitRing(List.of(n1, n2), List.of("n1", "n2"));
        String id = uniqueId("tally");
        n1.startChild(ChildSpec.of(Tally.class).withId(id), "n2");
        n1.cast(id, 0);
        assertThat((Object) n1.call(id, "get")).isEqualTo(1L);

        // The child stops for its move to n1 (the only node left): this cast reaches n2 and waits there.
        beforeHandoff.set(() -> n1.cast(id, 1));
        // Its state has reached n1, n2 has not released its claim yet: a call from n1, sent after the cast.
        CompletableFuture<Object> later = new CompletableFuture<>();
        afterHandoff.set(() -> n1.callAsync(id, "get", Duration.ofSeconds(10)).whenComplete((v, e) -> {
            if (e != null) {
                later.completeExceptionally(e);
            } else {
                later.complete(v);
            }
        }));
        n2.drain();

        assertThat(later.get()).as("the count the call sees: the handed-over 1, and the cast sent before it").isEqualTo(2L);
        assertThat(n1.whereis(id)).hasValueSatisfying(p -> assertThat(p.node()).isEqualTo("n1"));
    }

    /** n2's backend, whose sessions run the hooks around each HANDOFF request they send. */
    private Backend watchingHandoffs(Backend backend) {
        // Reading a message's frame leaves its payloads encoded: any codec tells its kind.
        WireFormat format = new WireFormat("frames", CborCodec.withDefaults());
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                delegating(backend, (method, args) -> {
                    Object result = method.invoke(backend, args);
                    if (!method.getName().equals("join")) {
                        return result;
                    }
                    NodeSession session = (NodeSession) result;
                    return Proxy.newProxyInstance(NodeSession.class.getClassLoader(), new Class<?>[] {NodeSession.class},
                            delegating(session, (m, a) -> {
                                if (!m.getName().equals("request") || !isHandoff(format, (byte[]) a[1])) {
                                    return m.invoke(session, a);
                                }
                                beforeHandoff.get().run();
                                @SuppressWarnings("unchecked")
                                CompletableFuture<Delivery> acknowledged = (CompletableFuture<Delivery>) m.invoke(session, a);
                                acknowledged.join();
                                afterHandoff.get().run();
                                return acknowledged;
                            }));
                }));
    }

    private static boolean isHandoff(WireFormat format, byte[] bytes) {
        try {
            return format.decodeMessage(bytes) instanceof Message.Handoff;
        } catch (CodecException e) {
            return false;
        }
    }

    private interface Call {
        Object invoke(java.lang.reflect.Method method, Object[] args) throws Exception;
    }

    private static InvocationHandler delegating(Object target, Call call) {
        return (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                    case "equals" -> proxy == args[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    default -> target.toString();
                };
            }
            try {
                return call.invoke(method, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
    }
}
