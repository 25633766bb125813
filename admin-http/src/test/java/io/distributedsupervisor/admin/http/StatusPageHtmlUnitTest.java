package io.distributedsupervisor.admin.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.htmlunit.BrowserVersion;
import org.htmlunit.WebClient;
import org.htmlunit.html.DomElement;
import org.htmlunit.html.DomNode;
import org.htmlunit.html.HtmlPage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The page in HtmlUnit's browser engine (no install needed), against a live 3-node cluster: it
 * shows the children per node, and when a node dies it shows the node gone, the children counts
 * move to the survivors, and the failover's timeline. Script errors fail the test.
 */
class StatusPageHtmlUnitTest {
    private static final int CHILDREN = 24;

    private LiveCluster cluster;
    private StatusPage page;
    private WebClient browser;
    private final List<String> scriptErrors = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        cluster = new LiveCluster(3);
        cluster.startWorkers(CHILDREN);
        page = StatusPage.builder().supervisors(cluster.nodes()).start();
        browser = new WebClient(BrowserVersion.CHROME);
        browser.getOptions().setThrowExceptionOnScriptError(false);
        browser.setJavaScriptErrorListener(new org.htmlunit.javascript.SilentJavaScriptErrorListener() {
            @Override
            public void scriptException(HtmlPage p, org.htmlunit.ScriptException e) {
                scriptErrors.add(e.getMessage());
            }
        });
    }

    @AfterEach
    void stop() {
        try {
            if (browser != null) {
                browser.close();
            }
            if (page != null) {
                page.close();
            }
        } finally {
            cluster.close();
        }
    }

    @Test
    void thePageShowsAFailoverAsItHappens() throws Exception {
        HtmlPage html = browser.getPage(page.uri().toURL());
        assertThat(html.getTitleText()).isEqualTo("DistributedSupervisor status");

        Map<String, Integer> before = cluster.childrenPerNode("n1");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(shown(html)).isEqualTo(before));
        String victim = before.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        String survivor = victim.equals("n1") ? "n2" : "n1";
        assertThat(before.get(victim)).isPositive();
        assertThat((Object) html.querySelector("svg.ring")).as("the ring is drawn").isNotNull();

        cluster.crash(victim);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Map<String, Integer> now = shown(html);
            assertThat(now.get(victim)).as("%s is gone and has no children", victim).isZero();
            assertThat(row(html, victim).getAttribute("class")).contains("gone");
            assertThat(now.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(CHILDREN);
            assertThat(now).isEqualTo(withoutZeros(cluster.childrenPerNode(survivor), victim));
            DomNode timeline = html.querySelector("#timeline .tl[data-node='" + victim + "']");
            assertThat(timeline).as("a failover timeline for %s", victim).isNotNull();
            assertThat(timeline.asNormalizedText()).contains(victim + " left the ring without a goodbye", "took over",
                    "every child placed again");
        });
        for (String n : List.of("n1", "n2", "n3")) {
            if (!n.equals(victim)) {
                assertThat(shown(html).get(n)).as("children on %s", n).isGreaterThanOrEqualTo(before.getOrDefault(n, 0));
            }
        }
        assertThat(html.querySelectorAll("#event-rows tr[data-type='takeover']")).isNotEmpty();
        assertThat(scriptErrors).isEmpty();
    }

    /** Children per node as the page shows them. */
    private static Map<String, Integer> shown(HtmlPage html) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (DomNode row : html.querySelectorAll("tr.node-row")) {
            DomElement e = (DomElement) row;
            for (org.htmlunit.html.HtmlElement td : e.getElementsByTagName("td")) {
                if (td.getAttribute("class").contains("count") && !td.getAttribute("class").contains("ring-count")) {
                    counts.put(e.getAttribute("data-node"), Integer.parseInt(td.getTextContent().trim()));
                }
            }
        }
        return counts;
    }

    private static DomElement row(HtmlPage html, String node) {
        return html.querySelector("tr.node-row[data-node='" + node + "']");
    }

    private static Map<String, Integer> withoutZeros(Map<String, Integer> view, String gone) {
        Map<String, Integer> m = new LinkedHashMap<>(view);
        m.put(gone, 0);
        return m;
    }
}
