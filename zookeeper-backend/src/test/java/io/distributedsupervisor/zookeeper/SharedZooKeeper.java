package io.distributedsupervisor.zookeeper;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One ZooKeeper test server for a test class (a start costs about half a second), closed after
 * its last test even when tests fail. Register it as a static field with {@code @RegisterExtension};
 * {@link #harness()} gives each test a harness in a namespace of its own on it.
 */
final class SharedZooKeeper implements BeforeAllCallback, AfterAllCallback {
    private EmbeddedZooKeeper server;

    @Override
    public void beforeAll(ExtensionContext context) {
        server = new EmbeddedZooKeeper();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    /** The shared server itself, for tests that build their own harnesses or clients on it. */
    EmbeddedZooKeeper server() {
        if (server == null) {
            throw new IllegalStateException("the shared ZooKeeper server is not running (register the extension as a static field)");
        }
        return server;
    }

    ZooKeeperHarness harness() {
        if (server == null) {
            throw new IllegalStateException("the shared ZooKeeper server is not running (register the extension as a static field)");
        }
        return new ZooKeeperHarness(server);
    }
}
