package io.distributedsupervisor.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one owner of this node's local children, as OTP's supervisor is of its own: every change
 * (a child added after its claim, one gone, all dropped when the session is lost or the node
 * crashes, the session whose claims count) is an event run by one {@link SerialExecutor}, one at
 * a time, so that no two of them interleave. Reads ({@link #get}) touch no lock.
 *
 * <p>A child is added only under the current session: a claim made by a session that has since
 * been lost (its entries may already be another node's) is refused, so the caller gives it
 * back instead of running a copy that could be doubled elsewhere.
 */
final class ChildTable {
    private final ConcurrentHashMap<String, LocalChild> children = new ConcurrentHashMap<>();
    private final SerialExecutor owner = new SerialExecutor();
    // Touched only by tasks of the owner.
    private long session = Long.MIN_VALUE;
    private boolean open = true;

    LocalChild get(String key) {
        return children.get(key);
    }

    /** The children now: a live view, weakly consistent. */
    Collection<LocalChild> children() {
        return Collections.unmodifiableCollection(children.values());
    }

    int size() {
        return children.size();
    }

    /** Adds {@code child}; false when its claim's session is not the current one, the key is taken, or the table is closed. */
    boolean add(LocalChild child) {
        return run(() -> open && child.claimSession() == session && children.putIfAbsent(child.key, child) == null);
    }

    /** Forgets {@code child}, if it is still the one under its key. */
    void remove(LocalChild child) {
        owner.execute(() -> children.remove(child.key, child));
    }

    /**
     * Takes out the child under {@code key} if it runs under exactly this claim ({@code session}
     * and {@code epoch}), else returns null. Run after every change asked for before it, so a
     * child that released its claim itself is gone from the table by then.
     */
    LocalChild takeClaimed(String key, long session, long epoch) {
        return run(() -> {
            LocalChild c = children.get(key);
            if (c == null || c.claimSession() != session || c.currentPid().incarnation().epoch() != epoch) {
                return null;
            }
            children.remove(key, c);
            return c;
        });
    }

    /**
     * Claims of {@code newSession} count from now on; every child of an earlier session is taken
     * out and returned, for the caller to abort (their claims are gone).
     */
    List<LocalChild> useSession(long newSession) {
        return run(() -> {
            session = newSession;
            return drainAll();
        });
    }

    /**
     * No child is added any more; the children stay (each leaves when it is handed over, so that
     * one waiting for its turn keeps serving) and are returned.
     */
    List<LocalChild> seal() {
        return run(() -> {
            open = false;
            return new ArrayList<>(children.values());
        });
    }

    /** No child is added any more; every child is taken out and returned. */
    List<LocalChild> close() {
        return run(() -> {
            open = false;
            return drainAll();
        });
    }

    private List<LocalChild> drainAll() {
        List<LocalChild> all = new ArrayList<>(children.values());
        children.clear();
        return all;
    }

    /** Runs {@code task} on the owner and waits for its result (at once, when no other thread is running the owner). */
    private <T> T run(java.util.function.Supplier<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        owner.execute(() -> {
            try {
                result.complete(task.get());
            } catch (RuntimeException | Error e) {
                result.completeExceptionally(e);
            }
        });
        return result.join();
    }
}
