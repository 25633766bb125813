package io.distributedsupervisor.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;

import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.Pid;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Steady call load for failure tests: one virtual thread per node calls the ids round-robin
 * ("inc", 500 ms timeout) until closed; failures are expected while nodes fail and are only
 * counted. {@link #close()} waits for the callers to end.
 */
final class CallLoad implements AutoCloseable {
    private final List<Thread> callers = new ArrayList<>();
    private final AtomicBoolean calling = new AtomicBoolean(true);
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    CallLoad(List<DistributedSupervisor> nodes, List<String> ids) {
        for (DistributedSupervisor ds : nodes) {
            callers.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; calling.get(); i++) {
                    try {
                        ds.call(ids.get(i % ids.size()), "inc", Duration.ofMillis(500));
                        answered.incrementAndGet();
                    } catch (RuntimeException e) {
                        failed.incrementAndGet();
                    }
                }
            }));
        }
    }

    long answered() {
        return answered.get();
    }

    @Override
    public void close() throws InterruptedException {
        calling.set(false);
        for (Thread t : callers) {
            t.join(30_000);
        }
    }

    /** Every child the nodes run, by id; fails if an id runs on two nodes. */
    static Map<Object, Pid> runningOnce(List<DistributedSupervisor> nodes) {
        Map<Object, Pid> all = new HashMap<>();
        for (DistributedSupervisor ds : nodes) {
            for (Pid p : ds.localChildren()) {
                assertThat(all.put(p.id(), p)).as("%s runs twice", p.id()).isNull();
            }
        }
        return all;
    }
}
