package io.distributedsupervisor.tck.supervisor;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The lifecycle every supervisor contract shares: a fresh harness of the backend under test
 * before each test (before the contract's own set-up, as JUnit runs a superclass's first), closed
 * after it, also when the test failed.
 */
public abstract class HarnessContract {
    /** A fresh cluster harness of the backend under test; closed after each test. */
    protected abstract ClusterHarness newHarness();

    protected ClusterHarness harness;

    @BeforeEach
    void openHarness() {
        harness = newHarness();
    }

    @AfterEach
    void closeHarness() {
        harness.close();
    }
}
