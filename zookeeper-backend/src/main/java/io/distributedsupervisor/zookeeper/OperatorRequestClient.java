package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.zookeeper.ClusterInspector.Answer;
import io.distributedsupervisor.zookeeper.ClusterInspector.RequestOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;

/**
 * The tool's end of the operators' request channel ({@link OperatorRequests} is the nodes'):
 * writes a signed request under {@code requests/}, waits for the answers of the nodes it is for
 * (woken by a watch on the request; a drain's end, which its answer precedes, is polled),
 * and deletes the request, answered or not.
 */
final class OperatorRequestClient {
    private final CuratorFramework client;
    private final ZnodeReader reader;

    OperatorRequestClient(CuratorFramework client, ZnodeReader reader) {
        this.client = client;
        this.reader = reader;
    }

    /**
     * Writes {@code request}, waits at most {@code timeout} for {@code asked} to answer; for a
     * drain ({@code gone} not null), also until {@code gone} says each node asked is gone.
     */
    RequestOutcome submit(ZnodeLayout layout, RequestZnode.Request request, List<String> asked,
                          Predicate<String> gone, Duration timeout) {
        String path;
        try {
            path = client.create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT_SEQUENTIAL)
                    .forPath(layout.requests() + "/r-", RequestZnode.data(request));
        } catch (Exception e) {
            throw reader.failure(layout.requests(), e);
        }
        try {
            return await(path, asked, gone, timeout);
        } finally {
            try {
                client.delete().quietly().forPath(path);
            } catch (Exception e) {
                // The nodes delete requests older than OperatorRequests.MAX_AGE.
            }
        }
    }

    private RequestOutcome await(String path, List<String> asked, Predicate<String> gone, Duration timeout) {
        boolean drain = gone != null;
        long deadline = System.nanoTime() + timeout.toNanos();
        String name = path.substring(path.lastIndexOf('/') + 1);
        Semaphore changed = new Semaphore(0);
        while (true) {
            RequestZnode.Parsed parsed;
            try {
                byte[] data = client.getData().usingWatcher((Watcher) e -> changed.release()).forPath(path);
                parsed = RequestZnode.parse(name, data);
            } catch (KeeperException.NoNodeException e) {
                throw new InspectionException(InspectionException.Kind.FAILED, "request " + path
                        + " was deleted before every node answered (by another client?)");
            } catch (IllegalArgumentException e) {
                throw new InspectionException(InspectionException.Kind.FAILED, "request " + path + " holds something "
                        + "this tool cannot read: " + e.getMessage());
            } catch (Exception e) {
                throw reader.failure(path, e);
            }
            Map<String, Answer> answers = new LinkedHashMap<>();
            for (RequestZnode.Outcome o : parsed.outcomes()) {
                answers.putIfAbsent(o.node(), new Answer(o.node(), o.status(), o.text()));
            }
            List<String> left = new ArrayList<>();
            if (drain) {
                for (String n : asked) {
                    if (gone.test(n)) {
                        left.add(n);
                    }
                }
            }
            // A drained node may leave before its answer is written: having left, it did what was asked.
            List<String> silent = asked.stream().filter(n -> !answers.containsKey(n) && !left.contains(n)).toList();
            boolean drained = !drain || answers.values().stream().noneMatch(Answer::ok)
                    || left.size() == asked.size();
            boolean expired = System.nanoTime() - deadline >= 0;
            if ((silent.isEmpty() && drained) || expired) {
                List<String> waitedFor = new ArrayList<>(silent);
                if (expired && drain) {
                    answers.values().stream().filter(Answer::ok).map(Answer::node)
                            .filter(n -> !left.contains(n)).forEach(waitedFor::add);
                }
                return new RequestOutcome(name, asked, List.copyOf(answers.values()), waitedFor, left);
            }
            try {
                // A watch wakes this at once on an answer; a drain's end is polled.
                changed.tryAcquire(Math.max(1, Math.min(250, (deadline - System.nanoTime()) / 1_000_000)),
                        TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InspectionException(InspectionException.Kind.FAILED, "interrupted while waiting for " + path);
            }
        }
    }
}
