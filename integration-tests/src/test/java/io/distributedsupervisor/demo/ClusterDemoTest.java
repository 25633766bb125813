package io.distributedsupervisor.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The README's first command must work: run the demo as bin/demo does, smaller, and read its verdict. */
class ClusterDemoTest {

    @Test
    void demoEndsWithAPassingVerdict() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = ClusterDemo.run(new String[] {"--nodes", "3", "--children", "200"},
                new PrintStream(out, true, StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(printed).as(printed).contains("Launched 3 node JVMs").contains("Started 200 children")
                .contains("kill -9 n3").contains("Started n3 again")
                .containsPattern("Verdict: children lost 0, duplicates 0, failover \\d+ ms, 200/200 answered -> OK");
        assertThat(code).isZero();
    }

    @Test
    void badOptionsAreNamed() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = ClusterDemo.run(new String[] {"--nodes"}, new PrintStream(out, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(2);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--nodes needs a value").contains("usage: bin/demo");
    }
}
