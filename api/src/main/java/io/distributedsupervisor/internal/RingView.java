package io.distributedsupervisor.internal;

import io.distributedsupervisor.DistributedSupervisorException;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** The ring as this node sees it: the live members, restricted to the {@code nodes} option when given. */
final class RingView {
    private final String supervisor;
    private final Set<String> filter;
    private volatile HashRing ring = HashRing.of(List.of());

    RingView(String supervisor, List<String> restrictedTo) {
        this.supervisor = supervisor;
        this.filter = restrictedTo.isEmpty() ? null : Set.copyOf(restrictedTo);
    }

    HashRing current() {
        return ring;
    }

    /**
     * Rebuilds the ring from the members read now, and returns them. Synchronized, and the members
     * are read inside: two threads refresh it (the backend's event thread and the coordinator), and
     * one that read the members earlier must not write its older ring last. A caller that acts on
     * the members uses the ones returned, so that the ring it reads is never older than they are;
     * {@code observer} sees every set read, in the order read.
     */
    synchronized Set<String> refresh(Supplier<? extends Collection<String>> members, Consumer<Set<String>> observer) {
        Set<String> all = Set.copyOf(members.get());
        observer.accept(all);
        Set<String> live = new HashSet<>(all);
        if (filter != null) {
            live.retainAll(filter);
        }
        ring = HashRing.of(live);
        return all;
    }

    /**
     * Whether the ring holds every node it ever may: true only with the {@code nodes} option, once
     * each node it names is live. Without it, any node may still join.
     */
    boolean complete() {
        return filter != null && ring.nodes().size() == filter.size();
    }

    /** @throws DistributedSupervisorException when no node is live */
    String nodeFor(String key) {
        HashRing r = ring;
        if (r.isEmpty()) {
            throw new DistributedSupervisorException("supervisor " + supervisor + " has no live node in its ring"
                    + (filter == null ? "" : " (restricted to " + filter + ")"));
        }
        return r.nodeFor(key);
    }
}
