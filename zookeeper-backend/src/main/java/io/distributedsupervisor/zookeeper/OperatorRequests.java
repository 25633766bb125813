package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.spi.OperatorRequest;
import io.distributedsupervisor.spi.SessionListener;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's end of the operators' request channel: it watches {@code requests/} (a persistent
 * watch of its own), hands each request meant for this node to the runtime
 * ({@link SessionListener#onOperatorRequest}) and writes the outcome back into the request's
 * znode, where the {@code ds} tool waits for it (see {@link RequestZnode} for the format).
 *
 * <p>A request is run only by a node that was a member when it was made (its member znode is
 * older than the request's), and only if its proof matches the cluster secret (in open mode nothing is
 * checked, as for members), its znode was made within {@link #MAX_AGE} of the time it names,
 * and its nonce was not seen by this node before: a ZooKeeper writer without the secret can
 * neither make a request nor run a copy of a real one again while this node remembers it. A
 * request that fails these checks is reported ({@link UntrustedEntries}) and answered
 * {@code refused}, with the reason. Requests older than {@link #MAX_AGE} are deleted by whichever
 * node sees them first, so the folder stays small when a tool died before cleaning up.
 *
 * <p>Everything runs on one thread of its own, never on ZooKeeper's event thread.
 */
final class OperatorRequests implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OperatorRequests.class);
    /** How long a request is valid and kept. */
    static final Duration MAX_AGE = Duration.ofMinutes(10);

    private final CuratorFramework client;
    private final String node;
    private final String supervisor;
    private final ZnodeLayout layout;
    private final String folder;
    private final MemberProofs proofs;
    private final SessionListener listener;
    private final UntrustedEntries untrusted;
    private final List<ACL> acl;
    private final ExecutorService serial;
    /** Requests this node has looked at: run, refused, or for another node. Only names still listed are kept. */
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    /** The nonces of the requests run or refused here, with their creation time: dropped after {@link #MAX_AGE}. */
    private final Map<String, Long> nonces = new ConcurrentHashMap<>();
    /** The creation zxid of this node's member znode: requests made before it are not for this run of the node. */
    private long joinedAt;
    private volatile boolean closed;

    OperatorRequests(CuratorFramework client, String supervisor, String node, MemberProofs proofs,
                     SessionListener listener, UntrustedEntries untrusted, List<ACL> acl) {
        this.client = client;
        this.node = node;
        this.supervisor = supervisor;
        this.layout = ZnodeLayout.of(supervisor);
        this.folder = layout.requests();
        this.proofs = proofs;
        this.listener = listener;
        this.untrusted = untrusted;
        this.acl = acl;
        // A virtual worker: requests are rare, and a supervisor may cost at most one platform thread.
        this.serial = Executors.newSingleThreadExecutor(Thread.ofVirtual()
                .name("ds-requests-" + supervisor + "-" + node).factory());
    }

    /** Makes the folder (with the backend's ACL), starts the watch and reads what is there. */
    void start() throws Exception {
        try {
            client.create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT).forPath(folder);
        } catch (KeeperException.NodeExistsException e) {
            // Made before; its ACL is checked next.
        }
        ZooKeeperAcls.check(client, acl, folder, true, node);
        Stat member = client.checkExists().forPath(layout.member(node));
        joinedAt = member == null ? Long.MAX_VALUE : member.getCzxid();
        Watcher watcher = event -> submit();
        client.watchers().add().withMode(AddWatchMode.PERSISTENT).usingWatcher(watcher).forPath(folder);
        submit();
    }

    private void submit() {
        if (closed) {
            return;
        }
        try {
            serial.execute(this::scan);
        } catch (RejectedExecutionException e) {
            // Closed meanwhile.
        }
    }

    private void scan() {
        if (closed) {
            return;
        }
        try {
            List<String> names = client.getChildren().forPath(folder);
            seen.retainAll(names);
            long now = System.currentTimeMillis();
            nonces.values().removeIf(t -> now - t > 2 * MAX_AGE.toMillis());
            for (String name : names.stream().sorted().toList()) {
                if (!closed && !seen.contains(name)) {
                    look(name, now);
                }
            }
        } catch (Exception e) {
            if (!closed) {
                LOG.warn("node {}: could not read the operators' requests under {}: {}", node, folder, e.toString());
            }
        }
    }

    private void look(String name, long now) throws Exception {
        String path = layout.request(name);
        Stat stat = new Stat();
        byte[] data;
        try {
            data = client.getData().storingStatIn(stat).forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return;
        }
        if (now - stat.getCtime() > MAX_AGE.toMillis()) {
            try {
                client.delete().forPath(path);
                LOG.info("node {}: deleted the operator request {}, older than {}", node, name, MAX_AGE);
            } catch (KeeperException.NoNodeException | KeeperException.NotEmptyException e) {
                // Deleted by another node or the tool.
            }
            return;
        }
        seen.add(name);
        RequestZnode.Parsed parsed;
        try {
            parsed = RequestZnode.parse(name, data);
        } catch (IllegalArgumentException e) {
            untrusted.report(path, stat.getCzxid(), e.getMessage());
            return;
        }
        RequestZnode.Request r = parsed.request();
        // A request made before this node joined was for an earlier run of it, or for the members
        // of that time: a drain left behind by a tool that died must not drain the node started again.
        if (!r.isFor(node) || stat.getCzxid() < joinedAt || parsed.outcomes().stream().anyMatch(o -> o.node().equals(node))) {
            return;
        }
        try {
            proofs.checkRequest(name, r.body(), r.proof());
            if (Math.abs(stat.getCtime() - r.createdAt()) > MAX_AGE.toMillis()) {
                throw new IllegalArgumentException("operator request " + name + " names a time " + MAX_AGE
                        + " or more away from its znode's: a copy of an old request");
            }
            if (nonces.putIfAbsent(r.nonce(), r.createdAt()) != null) {
                throw new IllegalArgumentException("operator request " + name + " is a copy of one this node ran already");
            }
        } catch (IllegalArgumentException e) {
            untrusted.report(path, stat.getCzxid(), e.getMessage());
            answer(path, new RequestZnode.Outcome(node, "refused", e.getMessage()));
            return;
        }
        OperatorRequest request = new OperatorRequest(path, r.action(), r.childKey(), r.node());
        CompletionStage<String> outcome;
        try {
            outcome = listener.onOperatorRequest(request);
        } catch (RuntimeException e) {
            outcome = CompletableFuture.failedFuture(e);
        }
        outcome.whenComplete((text, error) -> {
            RequestZnode.Outcome o = error == null ? new RequestZnode.Outcome(node, "ok", String.valueOf(text))
                    : new RequestZnode.Outcome(node, "failed", describe(error));
            try {
                serial.execute(() -> answer(path, o));
            } catch (RejectedExecutionException closedMeanwhile) {
                LOG.info("node {}: operator request {} ended after this session closed: {}", node, name, o.line());
            }
        });
    }

    private static String describe(Throwable error) {
        Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    /** Appends this node's outcome to the request's znode, whoever else writes there meanwhile. */
    private void answer(String path, RequestZnode.Outcome outcome) {
        for (int attempt = 0; attempt < 20 && !closed; attempt++) {
            try {
                Stat stat = new Stat();
                byte[] data = client.getData().storingStatIn(stat).forPath(path);
                client.setData().withVersion(stat.getVersion()).forPath(path, RequestZnode.withOutcome(data, outcome));
                return;
            } catch (KeeperException.BadVersionException e) {
                // Another node answered meanwhile: read again.
            } catch (KeeperException.NoNodeException e) {
                return;
            } catch (Exception e) {
                LOG.warn("node {}: could not write the outcome of operator request {}: {}", node, path, e.toString());
                return;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        serial.shutdown();
        try {
            serial.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
