package io.distributedsupervisor.admin.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distributedsupervisor.DistributedSupervisor;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The endpoints as a script or a probe uses them, over real HTTP, on a live 3-node cluster. */
class StatusPageTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "a-token-of-enough-length-0123";

    private static LiveCluster cluster;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startCluster() {
        cluster = new LiveCluster(3);
        cluster.startWorkers(30);
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @Test
    void statusShowsMembersWithAddressAndChildrenPerNodeAgainstTheRing() throws Exception {
        try (StatusPage page = StatusPage.builder().supervisors(cluster.nodes()).start()) {
            assertThat(page.address().getAddress().isLoopbackAddress()).as("binds to localhost by default").isTrue();
            HttpResponse<String> r = get(page.uri().resolve("/api/status"), null);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
            JsonNode s = JSON.readTree(r.body()).get("supervisors").get(0);
            assertThat(s.get("name").asText()).isEqualTo(LiveCluster.NAME);
            assertThat(s.get("children").asInt()).isEqualTo(30);
            assertThat(texts(s.get("ring"))).containsExactly("n1", "n2", "n3");
            Map<String, Integer> expected = cluster.childrenPerNode("n1");
            DistributedSupervisor n1 = cluster.node("n1");
            double shares = 0;
            for (JsonNode n : s.get("nodes")) {
                String node = n.get("node").asText();
                assertThat(n.get("member").asBoolean()).isTrue();
                assertThat(n.get("address").asText()).as("address of %s", node).contains(":");
                assertThat(n.get("children").asInt()).as("children on %s", node).isEqualTo(expected.getOrDefault(node, 0));
                long byRing = n1.children().keySet().stream().filter(id -> n1.nodeFor(id).equals(node)).count();
                assertThat(n.get("ringChildren").asLong()).isEqualTo(byRing);
                assertThat(n.get("share").asDouble()).isBetween(0.05, 0.95);
                shares += n.get("share").asDouble();
            }
            assertThat(shares).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
            assertThat(s.get("orphans").get("count").asInt()).isZero();
            assertThat(s.get("localNodes")).hasSize(3);

            HttpResponse<String> h = get(page.uri().resolve("/api/health"), null);
            assertThat(h.statusCode()).isEqualTo(200);
            JsonNode health = JSON.readTree(h.body());
            assertThat(health.get("ready").asBoolean()).isTrue();
            assertThat(health.get("nodes")).hasSize(3).allSatisfy(n -> {
                assertThat(n.get("ready").asBoolean()).isTrue();
                assertThat(n.get("connection").asText()).isEqualTo("CONNECTED");
                assertThat(n.get("leaseRemainingMillis").asLong()).isPositive();
                assertThat(n.get("members")).hasSize(3);
            });

            HttpResponse<String> missing = get(page.uri().resolve("/nope"), null);
            assertThat(missing.statusCode()).isEqualTo(404);
            assertThat(JSON.readTree(missing.body()).get("error").asText()).contains("/nope", "/api/status");
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(page.uri().resolve("/api/status"))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
            HttpResponse<String> badAfter = get(page.uri().resolve("/api/events/recent?after=x"), null);
            assertThat(badAfter.statusCode()).isEqualTo(400);
            assertThat(badAfter.body()).contains("after must be");
        }
    }

    @Test
    void boundElsewhereThanLocalhostItRefusesToStartWithoutATokenAndThenEveryRequestNeedsIt() throws Exception {
        assertThatThrownBy(() -> StatusPage.builder().supervisors(cluster.nodes()).bindAddress("0.0.0.0").start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0.0.0.0").hasMessageContaining("token");
        assertThatThrownBy(() -> StatusPage.builder().token("short")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 16 characters");
        assertThatThrownBy(() -> StatusPage.builder().start()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one supervisor");

        try (StatusPage page = StatusPage.builder().supervisors(cluster.nodes()).bindAddress("0.0.0.0").token(TOKEN).start()) {
            URI base = URI.create("http://127.0.0.1:" + page.address().getPort() + "/");
            HttpResponse<String> none = get(base.resolve("/api/status"), null);
            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
            assertThat(get(base.resolve("/api/status"), "wrong-token-of-enough-length").statusCode()).isEqualTo(401);
            assertThat(get(base.resolve("/api/status"), TOKEN).statusCode()).isEqualTo(200);
            assertThat(get(base.resolve("/api/health"), TOKEN).statusCode()).isEqualTo(200);
            assertThat(get(base.resolve("/api/status?token=" + TOKEN), null).statusCode())
                    .as("the JSON endpoints take the header only").isEqualTo(401);
            HttpResponse<String> html = get(base.resolve("/?token=" + TOKEN), null);
            assertThat(html.statusCode()).as("the page may be opened with ?token=").isEqualTo(200);
            assertThat(html.body()).contains("<title>DistributedSupervisor status</title>").doesNotContain(TOKEN);
            assertThat(html.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(v -> assertThat(v)
                    .contains("default-src 'none'"));
            assertThat(get(base.resolve("/"), null).statusCode()).isEqualTo(401);
            HttpResponse<InputStream> stream = http.send(HttpRequest.newBuilder(base.resolve("/api/events?token=" + TOKEN)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertThat(stream.statusCode()).as("EventSource sends no header: ?token= on the stream").isEqualTo(200);
            stream.body().close();
        }
    }

    @Test
    void theEventStreamSendsTheStatusAndEachEventAsItHappens() throws Exception {
        StatusPage page = StatusPage.builder().supervisors(cluster.nodes()).start();
        Thread reader = null;
        try {
            HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(page.uri().resolve("/api/events")).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
            List<String[]> messages = new CopyOnWriteArrayList<>();
            reader = Thread.ofVirtual().start(() -> read(r.body(), messages));
            await().atMost(Duration.ofSeconds(10)).until(() -> names(messages).containsAll(List.of("hello", "status", "history")));
            cluster.node("n2").startChild(io.distributedsupervisor.ChildSpec.of(LiveCluster.Worker.class).withId("sse-1"));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(messages).anySatisfy(m -> {
                assertThat(m[0]).isEqualTo("event");
                JsonNode e = JSON.readTree(m[1]);
                assertThat(e.get("type").asText()).isEqualTo("start");
                assertThat(e.get("id").asText()).isEqualTo("sse-1");
                assertThat(e.get("node").asText()).isEqualTo(cluster.node("n1").nodeFor("sse-1"));
                assertThat(e.get("seq").asLong()).isPositive();
            }));
            // The status goes out again when it changed: 31 children now.
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(messages).anySatisfy(m -> {
                assertThat(m[0]).isEqualTo("status");
                assertThat(JSON.readTree(m[1]).get("supervisors").get(0).get("children").asInt()).isEqualTo(31);
            }));
            HttpResponse<String> recent = get(page.uri().resolve("/api/events/recent?after=0"), null);
            assertThat(JSON.readTree(recent.body()).findValuesAsText("id")).contains("sse-1");
        } finally {
            page.close();
            cluster.node("n1").terminateChild((Object) "sse-1");
        }
        reader.join(10_000);
        assertThat(reader.isAlive()).as("the stream ends when the page closes").isFalse();
    }

    @Test
    void aSupervisorWithoutServiceLoaderListenersFeedsThePageThroughItsListenerAndEachPageShowsOnlyItsOwn() throws Exception {
        try (io.distributedsupervisor.inmemory.InMemoryCluster memory = new io.distributedsupervisor.inmemory.InMemoryCluster()) {
            DistributedSupervisor solo = memory.start(io.distributedsupervisor.SupervisorOptions.builder("solo").nodeName("m1")
                    .serviceLoaderListeners(false).listeners(List.of(StatusPage.listener()))
                    .allowList(List.of("io.distributedsupervisor.admin.http.*")).shutdownHook(false));
            try (StatusPage page = StatusPage.builder().supervisor(solo).start()) {
                solo.startChild(io.distributedsupervisor.ChildSpec.of(LiveCluster.Worker.class).withId("solo-1"));
                cluster.node("n1").startChild(io.distributedsupervisor.ChildSpec.of(LiveCluster.Worker.class).withId("other-1"));
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(JSON.readTree(
                        get(page.uri().resolve("/api/events/recent"), null).body()).findValuesAsText("id")).contains("solo-1"));
                JsonNode events = JSON.readTree(get(page.uri().resolve("/api/events/recent"), null).body());
                assertThat(events.findValuesAsText("supervisor")).containsOnly("solo");
                JsonNode status = JSON.readTree(get(page.uri().resolve("/api/status"), null).body()).get("supervisors");
                assertThat(status).hasSize(1);
                assertThat(status.get(0).get("children").asInt()).isEqualTo(1);
                assertThat(status.get(0).get("localNodes").get(0).get("leaseRemainingMillis").isNull())
                        .as("the in-memory lease does not run out by time").isTrue();
            } finally {
                cluster.node("n1").terminateChild((Object) "other-1");
            }
        }
    }

    private HttpResponse<String> get(URI uri, String bearer) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static List<String> names(List<String[]> messages) {
        return messages.stream().map(m -> m[0]).toList();
    }

    /** Reads server-sent events: each as {event name, data}. */
    private static void read(InputStream in, List<String[]> into) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String event = "message";
            StringBuilder data = new StringBuilder();
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isEmpty()) {
                    if (!data.isEmpty()) {
                        into.add(new String[] {event, data.toString()});
                    }
                    event = "message";
                    data.setLength(0);
                } else if (line.startsWith("event: ")) {
                    event = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data.append(line.substring(6));
                }
            }
        } catch (java.io.IOException e) {
            // The stream ended.
        }
    }
}
