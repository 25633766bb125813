package io.distributedsupervisor.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.distributedsupervisor.ChildSpec;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.SupervisorOptions;
import io.distributedsupervisor.Ticker;
import io.distributedsupervisor.inmemory.InMemoryCluster;
import io.distributedsupervisor.spi.Listener;
import io.distributedsupervisor.spi.NodeReadings;
import io.distributedsupervisor.spi.Timings;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The runtime's Timings hook, as a listener sees it: on the injected ticker, a clock read only when observed, never failing a call. */
class TimingsHookTest {
    private final InMemoryCluster cluster = new InMemoryCluster();

    @AfterEach
    void close() {
        cluster.close();
    }

    /** The system ticker, counting the reads made on one thread. */
    private static final class CountingTicker implements Ticker {
        volatile Thread counted;
        long reads;

        @Override
        public long read() {
            if (Thread.currentThread() == counted) {
                reads++;
            }
            return System.nanoTime();
        }

        long readsDuring(Runnable r) {
            reads = 0;
            counted = Thread.currentThread();
            try {
                r.run();
            } finally {
                counted = null;
            }
            return reads;
        }
    }

    private DistributedSupervisor node(String name, Ticker ticker, Listener... listeners) {
        return cluster.start(SupervisorOptions.builder("Hook").nodeName(name).ticker(ticker)
                .allowList(List.of("io.distributedsupervisor.micrometer.*"))
                .serviceLoaderListeners(false).listeners(List.of(listeners)));
    }

    @Test
    void withNoObserverACallReadsTheClockNoMoreAndWithOneOnceMore() {
        CountingTicker plainTicker = new CountingTicker();
        CountingTicker observedTicker = new CountingTicker();
        long[] told = new long[1];
        Listener observer = new Listener() {
            @Override
            public Timings timings(NodeReadings node) {
                return new Timings() {
                    @Override
                    public void call(boolean remote, boolean ok, long nanos) {
                        told[0] = nanos;
                    }
                };
            }
        };
        DistributedSupervisor plain = node("plain", plainTicker, new Listener() { }); // a listener, but no observer
        DistributedSupervisor observed = node("observed", observedTicker, observer);
        plain.startChild(ChildSpec.of(TestChildren.Counter.class).withId("p"), "plain");
        observed.startChild(ChildSpec.of(TestChildren.Counter.class).withId("o"), "observed");
        plain.call("p", "inc");
        observed.call("o", "inc"); // warmed up: both children run and have a thread

        long withNone = plainTicker.readsDuring(() -> plain.call("p", "inc"));
        long withOne = observedTicker.readsDuring(() -> observed.call("o", "inc"));

        assertThat(withOne).isEqualTo(withNone + 1); // the end of the call; its start is its deadline's reading
        assertThat(told[0]).isPositive();
    }

    @Test
    void anObserverThatThrowsFailsNoCallAndTheOthersStillHear() {
        long[] calls = new long[1];
        Listener throwing = new Listener() {
            @Override
            public Timings timings(NodeReadings node) {
                return new Timings() {
                    @Override
                    public void call(boolean remote, boolean ok, long nanos) {
                        throw new IllegalStateException("a broken observer");
                    }
                };
            }
        };
        Listener counting = new Listener() {
            @Override
            public Timings timings(NodeReadings node) {
                return new Timings() {
                    @Override
                    public void call(boolean remote, boolean ok, long nanos) {
                        calls[0]++;
                    }
                };
            }
        };
        DistributedSupervisor ds = node("n1", Ticker.system(), throwing, counting);
        ds.startChild(ChildSpec.of(TestChildren.Counter.class).withId("c"));

        assertThat(ds.<Integer>call("c", "inc")).isEqualTo(1);
        assertThat(ds.<Integer>call("c", "inc")).isEqualTo(2);
        assertThat(calls[0]).isEqualTo(2);
    }
}
