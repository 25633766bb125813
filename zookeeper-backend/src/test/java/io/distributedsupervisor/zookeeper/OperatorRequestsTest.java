package io.distributedsupervisor.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.spi.OperatorRequest;
import io.distributedsupervisor.spi.SessionListener;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node's end of the operators' request channel on a real ZooKeeper server: which requests it
 * runs (signed, for it, made while it is a member, not seen before) and what it writes back.
 */
class OperatorRequestsTest {
    @RegisterExtension
    static final SharedZooKeeper ZOOKEEPER = new SharedZooKeeper();
    private static final ZnodeLayout LAYOUT = ZnodeLayout.of("DS");
    private static final AtomicInteger NAMESPACES = new AtomicInteger();
    private static final byte[] SECRET = EmbeddedZooKeeper.TEST_SECRET.getBytes(StandardCharsets.UTF_8);

    private final String namespace = "requests-" + NAMESPACES.incrementAndGet();
    private final MemberProofs proofs = MemberProofs.of(SECRET, namespace + "/DS", "DS");
    private final List<OperatorRequest> ran = new CopyOnWriteArrayList<>();
    private final List<String> untrusted = new CopyOnWriteArrayList<>();
    private final SessionListener listener = new SessionListener() {
        @Override
        public CompletionStage<String> onOperatorRequest(OperatorRequest request) {
            ran.add(request);
            return request.action() == OperatorRequest.Action.MOVE
                    ? CompletableFuture.failedFuture(new IllegalStateException("no such child here"))
                    : CompletableFuture.completedFuture("done " + request.action());
        }

        @Override
        public void onUntrusted(String what, String why) {
            untrusted.add(what + ": " + why);
        }
    };
    private CuratorFramework client;
    private OperatorRequests requests;

    @BeforeEach
    void connect() throws Exception {
        client = CuratorFrameworkFactory.builder().connectString(ZOOKEEPER.server().connectString()).namespace(namespace)
                .retryPolicy(new RetryOneTime(100)).build();
        client.start();
        client.create().creatingParentsIfNeeded().forPath(LAYOUT.requests());
    }

    @AfterEach
    void close() {
        if (requests != null) {
            requests.close();
        }
        client.close();
    }

    private void join() throws Exception {
        client.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(LAYOUT.member("n1"));
        requests = new OperatorRequests(client, "DS", "n1", proofs, listener,
                new UntrustedEntries("n1", listener, () -> false), new ArrayList<>(ZooDefs.Ids.OPEN_ACL_UNSAFE));
        requests.start();
    }

    private String request(OperatorRequest.Action action, String to, String key, String node, String nonce, MemberProofs signer)
            throws Exception {
        return write(RequestZnode.data(new RequestZnode.Request(action, to, key, node, System.currentTimeMillis(), nonce, "")
                .signedBy(signer)));
    }

    private String write(byte[] data) throws Exception {
        return client.create().withMode(CreateMode.PERSISTENT_SEQUENTIAL).forPath(LAYOUT.requests() + "/r-", data);
    }

    private String answered(String path) throws Exception {
        await().atMost(Duration.ofSeconds(20)).until(() -> text(path).contains("\n@n1 "));
        String t = text(path);
        return t.substring(t.indexOf("\n@n1 ") + 1);
    }

    private String text(String path) throws Exception {
        return new String(client.getData().forPath(path), StandardCharsets.UTF_8);
    }

    @Test
    void aSignedRequestForThisNodeRunsOnceAndItsOutcomeIsWrittenBack() throws Exception {
        join();
        String path = request(OperatorRequest.Action.PAUSE_REBALANCING, "n1", null, null, "nonce-1", proofs);
        assertThat(answered(path)).isEqualTo("@n1 ok done PAUSE_REBALANCING");
        assertThat(ran).singleElement().satisfies(r -> {
            assertThat(r.action()).isEqualTo(OperatorRequest.Action.PAUSE_REBALANCING);
            assertThat(r.id()).isEqualTo(path);
        });

        String failing = request(OperatorRequest.Action.MOVE, RequestZnode.EVERY_NODE, "sw-1", "n2", "nonce-2", proofs);
        assertThat(answered(failing)).isEqualTo("@n1 failed IllegalStateException: no such child here");
        assertThat(ran.get(1)).isEqualTo(new OperatorRequest(failing, OperatorRequest.Action.MOVE, "sw-1", "n2"));
        assertThat(untrusted).isEmpty();
    }

    @Test
    void aForgedRequestOrACopyOfARealOneIsRefusedAndReported() throws Exception {
        join();
        String forged = request(OperatorRequest.Action.DRAIN, "n1", null, null, "nonce-f",
                MemberProofs.of("another-secret-of-32-bytes-or-more!!".getBytes(StandardCharsets.UTF_8), namespace + "/DS", "DS"));
        assertThat(answered(forged)).startsWith("@n1 refused operator request ")
                .contains("its proof does not match the cluster secret");

        String real = request(OperatorRequest.Action.REBALANCE, "n1", null, null, "nonce-r", proofs);
        answered(real);
        String asMade = text(real).substring(0, text(real).indexOf("\n@"));
        String copy = write(asMade.getBytes(StandardCharsets.UTF_8));
        assertThat(answered(copy)).startsWith("@n1 refused ").endsWith("is a copy of one this node ran already");

        assertThat(ran).extracting(OperatorRequest::action).containsExactly(OperatorRequest.Action.REBALANCE);
        assertThat(untrusted).hasSize(2);
    }

    @Test
    void requestsForAnotherNodeOrMadeBeforeThisNodeJoinedAreLeftAlone() throws Exception {
        String before = request(OperatorRequest.Action.DRAIN, "n1", null, null, "nonce-b", proofs);
        join();
        String other = request(OperatorRequest.Action.DRAIN, "n2", null, null, "nonce-o", proofs);
        // Requests are read in the order they were made: once this one is answered, the others were read.
        String last = request(OperatorRequest.Action.RESUME_REBALANCING, RequestZnode.EVERY_NODE, null, null, "nonce-l", proofs);
        assertThat(answered(last)).isEqualTo("@n1 ok done RESUME_REBALANCING");
        assertThat(text(before)).doesNotContain("\n@");
        assertThat(text(other)).doesNotContain("\n@");
        assertThat(ran).extracting(OperatorRequest::action).containsExactly(OperatorRequest.Action.RESUME_REBALANCING);
    }

    @Test
    void aMalformedRequestIsReportedAndNotAnswered() throws Exception {
        join();
        String bad = write("ds2-request\nSELF_DESTRUCT\nn1\n\n\n0\nn\n-".getBytes(StandardCharsets.UTF_8));
        String last = request(OperatorRequest.Action.PAUSE_REBALANCING, "n1", null, null, "nonce-m", proofs);
        answered(last);
        assertThat(text(bad)).doesNotContain("\n@");
        assertThat(untrusted).singleElement().asString().contains("unknown action SELF_DESTRUCT");
    }
}
