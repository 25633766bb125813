package io.distributedsupervisor.tck;

import io.distributedsupervisor.spi.Owner;
import io.distributedsupervisor.spi.SessionListener;
import io.distributedsupervisor.spi.SessionState;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** A {@link SessionListener} that keeps everything it is told, and on which threads. */
public final class RecordingListener implements SessionListener {

    /** One {@code onOwnerRemoved} call. */
    public record OwnerRemoved(String key, Owner previous) {
    }

    private final AtomicInteger membersChanged = new AtomicInteger();
    private final List<OwnerRemoved> ownersRemoved = Collections.synchronizedList(new ArrayList<>());
    private final List<String> specsRemoved = Collections.synchronizedList(new ArrayList<>());
    private final List<String> inherited = Collections.synchronizedList(new ArrayList<>());
    private final List<SessionState> states = Collections.synchronizedList(new ArrayList<>());
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    /** The {@code more} of the last {@code onInherited}. */
    private volatile boolean inheritedPartsFollow;

    @Override
    public void onMembersChanged() {
        threads.add(Thread.currentThread());
        membersChanged.incrementAndGet();
    }

    @Override
    public void onOwnerRemoved(String key, Owner previous) {
        threads.add(Thread.currentThread());
        ownersRemoved.add(new OwnerRemoved(key, previous));
    }

    @Override
    public void onInherited(java.util.Collection<String> keys, boolean more) {
        threads.add(Thread.currentThread());
        inherited.addAll(keys);
        inheritedPartsFollow = more;
    }

    @Override
    public void onSpecRemoved(String key) {
        threads.add(Thread.currentThread());
        specsRemoved.add(key);
    }

    @Override
    public void onSessionState(SessionState state) {
        threads.add(Thread.currentThread());
        states.add(state);
    }

    public int membersChanged() {
        return membersChanged.get();
    }

    public List<OwnerRemoved> ownersRemoved() {
        synchronized (ownersRemoved) {
            return List.copyOf(ownersRemoved);
        }
    }

    /** The keys told inherited, in the order told (a key may be told again). */
    public List<String> inherited() {
        synchronized (inherited) {
            return List.copyOf(inherited);
        }
    }

    /** Whether the last telling of inherited keys said that more parts of its succession follow. */
    public boolean inheritedPartsFollow() {
        return inheritedPartsFollow;
    }

    public List<String> specsRemoved() {
        synchronized (specsRemoved) {
            return List.copyOf(specsRemoved);
        }
    }

    public List<SessionState> states() {
        synchronized (states) {
            return List.copyOf(states);
        }
    }

    /** The threads any callback ran on. */
    public Set<Thread> threads() {
        return Set.copyOf(threads);
    }
}
