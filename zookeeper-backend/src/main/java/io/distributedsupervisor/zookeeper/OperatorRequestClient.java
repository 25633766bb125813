package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.spi.OperatorRequest;
import io.distributedsupervisor.spi.Owner;
import io.distributedsupervisor.zookeeper.ClusterInspector.Answer;
import io.distributedsupervisor.zookeeper.ClusterInspector.ChildInfo;
import io.distributedsupervisor.zookeeper.ClusterInspector.MemberInfo;
import io.distributedsupervisor.zookeeper.ClusterInspector.RequestOutcome;
import io.distributedsupervisor.zookeeper.ClusterInspector.SupervisorState;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;

/**
 * The tool's end of the operators' request channel ({@link OperatorRequests} is the nodes'):
 * checks whom a request can be for against a supervisor's snapshot, writes it signed under
 * {@code requests/}, waits for the answers of the nodes it is for (woken by a watch on the
 * request; a drain's end, which its answer precedes, is polled), and deletes the request,
 * answered or not.
 */
final class OperatorRequestClient {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final CuratorFramework client;
    private final ZnodeReader reader;
    private final SupervisorStateReader states;

    OperatorRequestClient(CuratorFramework client, ZnodeReader reader, SupervisorStateReader states) {
        this.client = client;
        this.reader = reader;
        this.states = states;
    }

    /**
     * Asks the nodes of {@code state}'s supervisor to run {@code action} ({@link ClusterInspector#request}),
     * signed with {@code proofs}: checks that the node, or every live one, can be asked and the
     * child exists, then {@linkplain #submit submits} the request.
     *
     * @throws InspectionException REFUSED when a member asked does not verify, NOT_FOUND for an
     *                             unknown node or child
     */
    RequestOutcome request(SupervisorState state, MemberProofs proofs, OperatorRequest.Action action, String node,
                           Object childId, Duration timeout) {
        String supervisor = state.supervisor();
        Set<String> live = state.liveNodes();
        String childKey = null;
        if (action == OperatorRequest.Action.MOVE) {
            Objects.requireNonNull(childId, "childId");
            Optional<ChildInfo> child = state.child(childId);
            if (child.isEmpty() || !child.get().stored()) {
                throw new InspectionException(InspectionException.Kind.NOT_FOUND, "no child " + childId
                        + " in supervisor " + supervisor + (child.isPresent() ? " with a stored spec (it cannot move)" : ""));
            }
            childKey = child.get().key();
        }
        List<MemberInfo> unverified = state.members().stream().filter(m -> !SupervisorStateReader.counts(m)).toList();
        boolean askedUnverified = node == null ? live.isEmpty()
                : unverified.stream().anyMatch(m -> m.node().equals(node));
        if (!unverified.isEmpty() && askedUnverified) {
            MemberInfo m = node == null ? unverified.get(0) : unverified.stream().filter(x -> x.node().equals(node))
                    .findFirst().orElseThrow();
            throw new InspectionException(InspectionException.Kind.REFUSED, "member " + m.node() + " of supervisor "
                    + supervisor + " does not verify with the cluster secret given (" + m.problem() + "): give the "
                    + "nodes' secret (DS_CLUSTER_SECRET or the setting secretFile)");
        }
        if (node != null && !live.contains(node)) {
            throw new InspectionException(InspectionException.Kind.NOT_FOUND, "no live node " + node + " in supervisor "
                    + supervisor + (state.leavingNodes().contains(node) ? " (it is leaving: a drain or close is under way)"
                    : "") + " (live: " + (live.isEmpty() ? "none" : String.join(", ", live)) + ")");
        }
        if (node == null && live.isEmpty()) {
            throw new InspectionException(InspectionException.Kind.NOT_FOUND, "supervisor " + supervisor
                    + " has no live node to ask");
        }
        List<String> asked = node == null ? List.copyOf(live) : List.of(node);
        ZnodeLayout layout = ZnodeLayout.of(supervisor);
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        String to = node == null ? RequestZnode.EVERY_NODE : node;
        RequestZnode.Request request = new RequestZnode.Request(action, to, childKey,
                action == OperatorRequest.Action.MOVE ? node : null, System.currentTimeMillis(),
                HexFormat.of().formatHex(nonce), "").signedBy(proofs);
        return submit(layout, request, asked,
                action == OperatorRequest.Action.DRAIN ? drained(state, node, proofs) : null, timeout);
    }

    /**
     * When a drain of {@code node} is over. A draining node marks itself leaving (it keeps its
     * member znode), hands its children over, and then closes its supervisor: its member znode
     * goes then (deleted, or with its session). So the drain is over when the member znode of the
     * session asked is gone (or held by another session: the node started again), and no owner
     * entry it held when asked stands for that session any more: each is handed over (its znode
     * rewritten or deleted) or inherited through the succession of its session, which a survivor
     * writes once the session has ended. Only those entries are read again: a drain starts
     * nothing there.
     */
    Predicate<String> drained(SupervisorState state, String node, MemberProofs proofs) {
        ZnodeLayout layout = ZnodeLayout.of(state.supervisor());
        long session = state.members().stream().filter(m -> m.node().equals(node)).mapToLong(MemberInfo::session)
                .findFirst().orElse(0);
        Map<String, String> owners = reader.entries(layout, false);
        Map<String, String> held = new TreeMap<>();
        state.children().stream().filter(c -> node.equals(c.owner()) && owners.containsKey(c.key()))
                .forEach(c -> held.put(owners.get(c.key()), c.key()));
        return n -> {
            ZnodeReader.Read member = reader.readOne(layout.member(n));
            if (member != null && member.stat().getEphemeralOwner() == session) {
                return false;
            }
            Successions successions = new Successions();
            states.successions(layout, proofs, successions);
            return reader.readAll(List.copyOf(held.keySet())).entrySet().stream().noneMatch(e -> {
                String key = held.get(e.getKey());
                Owner raw = SupervisorStateReader.entry(proofs, key, e.getValue());
                return raw != null && successions.resolve(key, raw).session() == session;
            });
        };
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
