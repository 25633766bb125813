package io.distributedsupervisor.zookeeper.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.spi.Delivery;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Many frames in flight on one connection, written in coalesced batches: per-pair order, every
 * request answered by its own reply, and requests issued from the event loop itself.
 */
class PipeliningTest extends TransportTestSupport {

    @Test
    void ten_thousand_mixed_sends_and_requests_from_one_thread_arrive_in_order() throws Exception {
        Recorder atB = new Recorder((m, r) -> r.reply(utf8("ack " + text(m))));
        NodeTransport a = start("a", echo("a"));
        NodeTransport b = start("b", atB);

        List<CompletableFuture<Delivery>> replies = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            if (i % 3 == 0) {
                replies.add(a.request("b", b.address(), utf8(Integer.toString(i))));
            } else {
                assertThat(a.send("b", b.address(), utf8(Integer.toString(i)))).isEqualTo(Delivery.SENT);
            }
        }

        await().atMost(WAIT).until(() -> atB.all.size() == 10_000);
        assertThat(atB.all).containsExactlyElementsOf(IntStream.range(0, 10_000).mapToObj(Integer::toString).toList());
        for (int i = 0; i < replies.size(); i++) {
            assertThat(reply(replies.get(i))).isEqualTo("ack " + i * 3);
        }
    }

    @Test
    void eight_threads_of_mixed_requests_and_messages_keep_each_senders_order_and_get_their_own_replies() throws Exception {
        int threads = 8;
        int perThread = 10_000;
        // Half the replies are given at once on the event loop, half later from other threads, so
        // they return out of order and only the request id can match them.
        ExecutorService repliers = Executors.newFixedThreadPool(4);
        closeAfter(repliers::shutdownNow);
        Recorder atB = new Recorder((m, r) -> {
            String text = text(m);
            if (text.hashCode() % 2 == 0) {
                r.reply(utf8("ack " + text));
            } else {
                repliers.execute(() -> r.reply(utf8("ack " + text)));
            }
        });
        NodeTransport a = start("a", echo("a"));
        NodeTransport b = start("b", atB);

        ExecutorService callers = Executors.newFixedThreadPool(threads);
        closeAfter(callers::shutdownNow);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<List<CompletableFuture<Delivery>>>> sent = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            sent.add(callers.submit(() -> {
                go.await();
                List<CompletableFuture<Delivery>> mine = new ArrayList<>();
                for (int i = 0; i < perThread; i++) {
                    byte[] message = utf8(thread + ":" + i);
                    if (i % 2 == 0) {
                        mine.add(a.request("b", b.address(), message));
                    } else {
                        assertThat(a.send("b", b.address(), message)).isEqualTo(Delivery.SENT);
                    }
                }
                return mine;
            }));
        }
        go.countDown();

        for (int t = 0; t < threads; t++) {
            List<CompletableFuture<Delivery>> mine = sent.get(t).get(WAIT.toSeconds() * 3, TimeUnit.SECONDS);
            for (int i = 0; i < mine.size(); i++) {
                assertThat(reply(mine.get(i))).isEqualTo("ack " + t + ":" + i * 2);
            }
        }
        await().atMost(WAIT).until(() -> atB.all.size() == threads * perThread);
        Map<String, Integer> next = new HashMap<>();
        for (String message : atB.all) {
            String thread = message.substring(0, message.indexOf(':'));
            int seq = Integer.parseInt(message.substring(message.indexOf(':') + 1));
            assertThat(seq).as("message %s arrives after its thread's previous one", message).isEqualTo(next.getOrDefault(thread, 0));
            next.put(thread, seq + 1);
        }
        assertThat(next).hasSize(threads).allSatisfy((thread, count) -> assertThat(count).isEqualTo(perThread));
    }

    @Test
    void requests_issued_from_completion_callbacks_run_on_the_event_loop_without_blocking() throws Exception {
        int chains = 64;
        int perChain = 200;
        NodeTransport a = start("a", echo("a"));
        NodeTransport b = start("b", echo("b"));
        NodeTransport c = start("c", echo("c"));
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        CountDownLatch done = new CountDownLatch(chains);
        AtomicInteger onTheLoop = new AtomicInteger();

        // Each reply issues the chain's next request from the callback, on a's event loop; the
        // first callback to get there also opens a's connection to c from the event loop.
        class Chain {
            final int id;

            Chain(int id) {
                this.id = id;
            }

            void issue(int n) {
                String target = n % 2 == 0 ? "b" : "c";
                String address = n % 2 == 0 ? b.address() : c.address();
                String message = id + "/" + n;
                a.request(target, address, utf8(message)).thenAccept(delivery -> {
                    if (!(delivery instanceof Delivery.Replied replied) || !text(replied.reply()).equals(target + ": " + message)) {
                        problems.add(message + " -> " + delivery);
                    }
                    if (Thread.currentThread().getName().startsWith("ds-transport-a-")) {
                        onTheLoop.incrementAndGet();
                    }
                    if (n + 1 < perChain) {
                        issue(n + 1);
                    } else {
                        done.countDown();
                    }
                });
            }
        }
        for (int i = 0; i < chains; i++) {
            new Chain(i).issue(0);
        }

        assertThat(done.await(WAIT.toSeconds() * 3, TimeUnit.SECONDS)).as("every chain finished").isTrue();
        assertThat(problems).isEmpty();
        // A reply that came before its callback was attached runs it on the caller's thread: at
        // most the first two of each chain, which the test thread issued.
        assertThat(onTheLoop.get()).isGreaterThanOrEqualTo(chains * (perChain - 2));
    }
}
