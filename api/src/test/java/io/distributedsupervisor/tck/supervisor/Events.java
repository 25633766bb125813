package io.distributedsupervisor.tck.supervisor;

import io.distributedsupervisor.ChildStatus;
import io.distributedsupervisor.ExitReason;
import io.distributedsupervisor.Pid;
import io.distributedsupervisor.spi.Listener;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** A listener that records every event with the node it was registered on and the thread it ran on. */
public final class Events implements Listener {

    public record Event(String onNode, String type, Object subject, Pid pid, ExitReason reason,
                 List<ChildStatus> statuses, Map<String, Object> info, Thread thread) {
    }

    private final String onNode;
    private final List<Event> sink;

    /** A listener for node {@code onNode} that writes into {@code sink} (shared by several nodes). */
    public Events(String onNode, List<Event> sink) {
        this.onNode = onNode;
        this.sink = sink;
    }

    public static List<Event> sink() {
        return new CopyOnWriteArrayList<>();
    }

    public static List<Event> of(List<Event> sink, String type) {
        return sink.stream().filter(e -> e.type().equals(type)).toList();
    }

    public static List<Event> of(List<Event> sink, String type, Predicate<Event> p) {
        return sink.stream().filter(e -> e.type().equals(type)).filter(p).toList();
    }

    private void add(String type, Object subject, Pid pid, ExitReason reason, List<ChildStatus> statuses,
                     Map<String, Object> info) {
        sink.add(new Event(onNode, type, subject, pid, reason, statuses, info, Thread.currentThread()));
    }

    @Override
    public void onSupervisorStart(io.distributedsupervisor.DistributedSupervisor supervisor) {
        add("sup-start", supervisor.node(), null, null, null, null);
    }

    @Override
    public void onSupervisorStop(io.distributedsupervisor.DistributedSupervisor supervisor) {
        add("sup-stop", supervisor.node(), null, null, null, null);
    }

    @Override
    public void onProcessStart(String supervisor, Object id, Pid pid) {
        add("start", id, pid, null, null, null);
    }

    @Override
    public void onProcessStop(String supervisor, Object id, List<Pid> pids, ExitReason reason) {
        add("stop", id, pids.get(0), reason, null, null);
    }

    @Override
    public void onNodeUp(String supervisor, String node, Map<String, Object> info) {
        add("up", node, null, null, null, info);
    }

    @Override
    public void onNodeDown(String supervisor, String node, Map<String, Object> info) {
        add("down", node, null, null, null, info);
    }

    @Override
    public void onNodeTerminate(String supervisor, String node, Object reason, List<ChildStatus> statuses) {
        add("terminate", node, null, null, statuses, null);
    }
}
