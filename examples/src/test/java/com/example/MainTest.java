package com.example;

import org.junit.jupiter.api.Test;

/** Runs the app as {@code java -ea com.example.Main} would: its asserts are on under Maven's test run. */
class MainTest {

    @Test
    void theAppRunsToTheEnd() throws Exception {
        Main.main(new String[0]);
    }
}
