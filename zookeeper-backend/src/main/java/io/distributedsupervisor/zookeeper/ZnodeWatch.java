package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.zookeeper.ClusterInspector.Event;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.Watcher;

/**
 * The event stream of {@link ClusterInspector#watch}: one ZooKeeper persistent recursive watch
 * on a supervisor's znode (or the namespace's root), whose events are read and told as
 * {@link ZnodeEvents} translates them, in ZooKeeper's order, on a daemon thread of its own,
 * until {@link #close()}.
 */
final class ZnodeWatch implements AutoCloseable {
    private final CuratorFramework client;
    private final String base;
    private final ExecutorService thread;
    private final Watcher watcher;

    private ZnodeWatch(CuratorFramework client, String base, ExecutorService thread, Watcher watcher) {
        this.client = client;
        this.base = base;
        this.thread = thread;
        this.watcher = watcher;
    }

    /**
     * Watches everything under {@code base} (a path as {@code client}, with {@code namespace} set,
     * spells it) and tells {@code events} each change.
     *
     * @throws InspectionException when the watch cannot be added
     */
    static ZnodeWatch start(CuratorFramework client, ZnodeReader reader, String namespace, String base,
                            Consumer<Event> events) {
        ExecutorService thread = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon()
                .name("ds-inspector-watch").unstarted(r));
        String rawPrefix = "/" + namespace;
        Watcher watcher = event -> {
            if (event.getPath() == null || event.getType() == Watcher.Event.EventType.None) {
                return;
            }
            String path = event.getPath().startsWith(rawPrefix + "/") ? event.getPath().substring(rawPrefix.length())
                    : event.getPath();
            Watcher.Event.EventType type = event.getType();
            try {
                thread.execute(() -> ZnodeEvents.translate(reader, path, type, events));
            } catch (RejectedExecutionException closed) {
                // The watch was closed.
            }
        };
        try {
            client.watchers().add().withMode(AddWatchMode.PERSISTENT_RECURSIVE).usingWatcher(watcher).forPath(base);
        } catch (Exception e) {
            thread.shutdownNow();
            throw reader.failure(base, e);
        }
        return new ZnodeWatch(client, base, thread, watcher);
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            client.watchers().remove(watcher).quietly().forPath(base);
        } catch (Exception e) {
            // The session may be gone; its watches with it.
        }
    }
}
