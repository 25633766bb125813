package io.distributedsupervisor.admin.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.distributedsupervisor.ChildCrashedException;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The page in a real browser: Debian's Chromium, driven by Selenium through Debian's chromedriver,
 * against a live 3-node cluster, opened with a token as an operator would open a page bound
 * elsewhere than localhost. It sees the page go live over server-sent events, a crash, then a node
 * die and its children counts move to the survivors, and saves a screenshot of the page
 * ({@code target/status-page.png}; with {@code -Dstatus-page.screenshot=docs}, {@code docs/status-page.png},
 * which the README shows). Skipped, saying why, where Chromium or
 * chromedriver is not installed ({@code apt-get install chromium chromium-driver}; {@code .ci/run}
 * installs them).
 */
class StatusPageBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final String TOKEN = "browser-test-token-0123456789";
    private static final int CHILDREN = 48;

    @TempDir
    Path profile;

    private LiveCluster cluster;
    private StatusPage page;
    private ChromeDriver browser;

    @BeforeEach
    void start() {
        assumeTrue(Files.isExecutable(CHROMEDRIVER) && Files.isExecutable(CHROMIUM),
                "Chromium or chromedriver is not installed (" + CHROMIUM + ", " + CHROMEDRIVER + "): the status page's "
                        + "browser test is skipped; apt-get install -y chromium chromium-driver runs it");
        cluster = new LiveCluster(3);
        cluster.startWorkers(CHILDREN);
        page = StatusPage.builder().supervisors(cluster.nodes()).token(TOKEN).start();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // This machine's network is closed: no first-run, sync, component or background fetches.
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1440,1100", "--user-data-dir=" + profile.toAbsolutePath());
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterEach
    void stop() {
        try {
            if (browser != null) {
                browser.quit();
            }
            if (page != null) {
                page.close();
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    @Test
    void aRealBrowserSeesAFailoverLiveAndTheScreenshotIsSaved() throws Exception {
        browser.get(page.uri() + "?token=" + TOKEN);
        await().ignoreExceptionsInstanceOf(StaleElementReferenceException.class).atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(browser.findElement(By.id("mode")).getText()).isEqualTo("live (server-sent events)"));
        assertThat(browser.getCurrentUrl()).as("the token is taken out of the address bar").doesNotContain(TOKEN);

        Map<String, Integer> before = cluster.childrenPerNode("n1");
        await().ignoreExceptionsInstanceOf(StaleElementReferenceException.class).atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(shown()).isEqualTo(before));

        assertThatThrownBy(() -> cluster.node("n1").call("worker-1", "crash")).isInstanceOf(ChildCrashedException.class);
        await().ignoreExceptionsInstanceOf(StaleElementReferenceException.class).atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(browser.findElements(By.cssSelector("#event-rows tr[data-type='crash']"))).isNotEmpty();
            assertThat(browser.findElements(By.cssSelector("#event-rows tr[data-type='restart']"))).isNotEmpty();
        });

        String victim = before.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        String survivor = victim.equals("n1") ? "n2" : "n1";
        cluster.crash(victim);

        await().ignoreExceptionsInstanceOf(StaleElementReferenceException.class).atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Map<String, Integer> now = shown();
            assertThat(now.get(victim)).as("%s shown with no children", victim).isZero();
            assertThat(browser.findElement(By.cssSelector("tr.node-row[data-node='" + victim + "']")).getAttribute("class"))
                    .contains("gone");
            Map<String, Integer> expected = new LinkedHashMap<>(cluster.childrenPerNode(survivor));
            expected.put(victim, 0);
            assertThat(now).isEqualTo(expected);
            assertThat(now.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(CHILDREN);
            WebElement timeline = browser.findElement(By.cssSelector("#timeline .tl[data-node='" + victim + "']"));
            assertThat(timeline.getText()).contains(victim + " left the ring without a goodbye", "took over",
                    "every child placed again");
        });
        assertThat(browser.findElement(By.id("mode")).getText()).isEqualTo("live (server-sent events)");

        byte[] png = browser.getScreenshotAs(OutputType.BYTES);
        assertThat(png).hasSizeGreaterThan(10_000);
        String target = System.getProperty("statusPage.screenshot");
        if (target != null) {
            File file = new File(target);
            Files.createDirectories(file.toPath().getParent());
            Files.write(file.toPath(), png);
        }
    }

    /** Children per node as the page shows them, read in one step (the page redraws its tables on each update). */
    private Map<String, Integer> shown() {
        Object read = browser.executeScript("var m = {}; document.querySelectorAll('tr.node-row').forEach(function (r) {"
                + " m[r.getAttribute('data-node')] = parseInt(r.querySelector('td.count').textContent, 10); }); return m;");
        Map<String, Integer> counts = new LinkedHashMap<>();
        ((Map<?, ?>) read).forEach((k, v) -> counts.put((String) k, ((Number) v).intValue()));
        return counts;
    }
}
