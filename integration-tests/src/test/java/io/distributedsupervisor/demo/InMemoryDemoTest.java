package io.distributedsupervisor.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The README's first command must work: run the demo as bin/demo does, smaller, and read its verdict. */
class InMemoryDemoTest {

    @Test
    void demoEndsWithAPassingVerdict() {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            InMemoryDemo.main(new String[] {"3", "300"});
        } finally {
            System.setOut(original);
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("Started 300 children").contains("300/300 children answer a call")
                .containsPattern("Verdict: children lost 0, duplicates 0, failover \\d+ ms -> OK");
    }
}
