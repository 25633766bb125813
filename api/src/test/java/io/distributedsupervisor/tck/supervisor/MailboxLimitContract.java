package io.distributedsupervisor.tck.supervisor;

import static io.distributedsupervisor.tck.supervisor.TestChildren.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.MailboxFullException;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.tck.LogCapture;
import io.distributedsupervisor.tck.ThreadCount;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A child's mailbox holds at most {@code mailboxLimit} messages: beyond, a message is refused at
 * once with {@link MailboxFullException} naming the child's node (a one-way message from another
 * node is dropped there and logged once), and what was accepted is processed, in order, once the
 * child catches up.
 */
public abstract class MailboxLimitContract extends HarnessContract {
    private static final int LIMIT = 100;

    private DistributedSupervisor n1;
    private DistributedSupervisor n2;

    @BeforeEach
    void setUp() {
        List<DistributedSupervisor> nodes = Nodes.start(harness, 2, (name, b) -> b.mailboxLimit(LIMIT)
                .callTimeout(Duration.ofSeconds(30)));
        n1 = nodes.get(0);
        n2 = nodes.get(1);
    }

    private static Consumer<MailboxFullException> fullOn(String node) {
        return e -> {
            assertThat(e.node()).isEqualTo(node);
            assertThat(e.limit()).isEqualTo(LIMIT);
            assertThat(e.getMessage()).contains("full").contains(node);
        };
    }

    @Test
    void aFullMailboxRefusesAtOnceAndLosesNothingItAccepted() throws Exception {
        String id = uniqueId("busy");
        CountDownLatch gate = new CountDownLatch(1);
        TestChildren.GATES.put(id, gate);
        Pid pid = n1.startChild(ChildSpec.of(TestChildren.Sequencer.class).withId(id), "n2").pid();
        Nodes.awaitSeenEverywhere(List.of(n1, n2), pid);
        String steady = uniqueId("steady");
        n1.startChild(ChildSpec.of(TestChildren.Counter.class).withId(steady), "n2");

        CompletableFuture<Object> first = n2.callAsync(id, "first", Duration.ofSeconds(30));
        await().until(() -> TestChildren.SEQUENCE.getOrDefault(id, List.of()).size() == 1); // the child is blocked
        int threadsBefore = ThreadCount.now();
        List<Object> accepted = new ArrayList<>();
        for (int i = 0; i < LIMIT; i++) {
            n2.cast(id, i);
            accepted.add(i);
        }
        try (LogCapture log = LogCapture.start()) {
            assertThatThrownBy(() -> n2.cast(id, "one too many")).isInstanceOfSatisfying(MailboxFullException.class,
                    fullOn("n2"));
            assertThatThrownBy(() -> n2.send(id, "one too many")).isInstanceOfSatisfying(MailboxFullException.class,
                    fullOn("n2"));
            assertThatThrownBy(() -> n2.call(id, "local")).isInstanceOfSatisfying(MailboxFullException.class,
                    fullOn("n2"));
            assertThatThrownBy(() -> n1.call(id, "remote")).as("a call from another node")
                    .isInstanceOfSatisfying(MailboxFullException.class, fullOn("n2"));
            assertThatThrownBy(() -> n1.callAsync(id, "remote", Duration.ofSeconds(30)).get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOfSatisfying(MailboxFullException.class,
                            fullOn("n2"));
            for (int i = 0; i < 20; i++) {
                n1.cast(id, "dropped at n2");
            }
            assertThat(n1.<Integer>call(steady, "inc")).as("other children are not disturbed").isEqualTo(1);
            await().untilAsserted(() -> assertThat(log.lines("refused a cast from node n1", "is full")).isEqualTo(1));
        }
        assertThat(ThreadCount.now() - threadsBefore).as("threads while refusing").isLessThan(50);

        gate.countDown();
        assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo("first");
        List<Object> expected = new ArrayList<>();
        expected.add("first");
        expected.addAll(accepted);
        await().untilAsserted(() -> assertThat(TestChildren.SEQUENCE.get(id)).isEqualTo(expected));
        assertThat(n1.<String>call(id, "after")).isEqualTo("after");
    }
}
