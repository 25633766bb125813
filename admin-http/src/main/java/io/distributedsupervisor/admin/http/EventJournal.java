package io.distributedsupervisor.admin.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.ExitReason;
import io.distributedsupervisor.spi.ListenerEvent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The events of this JVM's supervisors, as JSON values with a sequence number, the last
 * {@link #CAPACITY} kept; each page subscribes to the new ones. Called on the supervisors'
 * listener threads: it only appends and hands the entry to subscribers, which must not block.
 */
final class EventJournal {
    static final EventJournal JVM = new EventJournal();
    static final int CAPACITY = 500;
    static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One event: its sequence number, the supervisor that reported it (null when the listener
     * serves several: then its supervisor's and node's names tell which page shows it), and its JSON text.
     */
    record Entry(long seq, DistributedSupervisor source, String supervisor, String node, String json) {
    }

    private final ArrayDeque<Entry> recent = new ArrayDeque<>();
    private final List<Consumer<Entry>> subscribers = new CopyOnWriteArrayList<>();
    private long seq;

    void subscribe(Consumer<Entry> subscriber) {
        subscribers.add(subscriber);
    }

    void unsubscribe(Consumer<Entry> subscriber) {
        subscribers.remove(subscriber);
    }

    /** The kept entries after {@code after}, oldest first. */
    synchronized List<Entry> since(long after) {
        List<Entry> result = new ArrayList<>();
        for (Entry e : recent) {
            if (e.seq() > after) {
                result.add(e);
            }
        }
        return result;
    }

    void record(ListenerEvent event, DistributedSupervisor source) {
        ObjectNode json = describe(event);
        Entry entry;
        synchronized (this) {
            seq++;
            entry = new Entry(seq, source, event.supervisor(), event.node(), json.put("seq", seq).toString());
            if (recent.size() == CAPACITY) {
                recent.removeFirst();
            }
            recent.addLast(entry);
        }
        for (Consumer<Entry> s : subscribers) {
            s.accept(entry);
        }
    }

    /** The event as the page shows it: {@code type} is start, restart, takeover, stop, crash, nodeUp, nodeDown, nodeLeft, failover, move or untrusted. */
    static ObjectNode describe(ListenerEvent event) {
        ObjectNode o = JSON.createObjectNode();
        o.put("at", System.currentTimeMillis()).put("supervisor", event.supervisor()).put("node", event.node());
        switch (event) {
            case ListenerEvent.ProcessStarted e -> o.put("type", switch (e.reason()) {
                case STARTED -> "start";
                case RESTARTED -> "restart";
                case TAKEN_OVER -> "takeover";
            }).put("id", String.valueOf(e.id())).put("pid", e.pid().toString());
            case ListenerEvent.ProcessStopped e -> {
                ExitReason.Kind kind = e.reason().kind();
                boolean crash = kind == ExitReason.Kind.ERROR || kind == ExitReason.Kind.CUSTOM
                        || kind == ExitReason.Kind.KILLED || kind == ExitReason.Kind.GIVEN_UP;
                o.put("type", crash ? "crash" : "stop").put("id", String.valueOf(e.id())).put("reason", kind.name())
                        .put("detail", e.reason().toString());
            }
            case ListenerEvent.NodeUp e -> o.put("type", "nodeUp").put("subject", e.joined());
            case ListenerEvent.NodeDown e -> o.put("type", "nodeDown").put("subject", e.lost());
            case ListenerEvent.NodeTerminated e -> o.put("type", "nodeLeft").put("subject", e.closed())
                    .put("children", e.statuses().size());
            case ListenerEvent.Failover e -> {
                o.put("type", "failover").put("children", e.children()).put("tookMillis", e.took().toMillis());
                ArrayNode lost = o.putArray("lostNodes");
                e.lostNodes().forEach(lost::add);
            }
            case ListenerEvent.Move e -> o.put("type", "move").put("id", String.valueOf(e.id())).put("from", e.from())
                    .put("to", e.to()).put("cause", e.cause().name()).put("outcome", e.outcome().name())
                    .put("tookMillis", e.took().toMillis());
            case ListenerEvent.Untrusted e -> o.put("type", "untrusted").put("subject", e.what()).put("detail", e.why());
        }
        return o;
    }
}
