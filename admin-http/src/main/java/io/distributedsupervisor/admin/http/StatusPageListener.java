package io.distributedsupervisor.admin.http;

import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.spi.Listener;
import io.distributedsupervisor.spi.ListenerEvent;

/**
 * Records the events a {@link StatusPage} shows (starts, stops and crashes, node events, moves,
 * failovers) in one journal per JVM, which keeps the most recent ones. {@code ServiceLoader} finds
 * it, so every supervisor started with this module on the class or module path feeds it; a
 * supervisor started with {@code serviceLoaderListeners(false)} needs it in its listeners
 * ({@link StatusPage#listener()}). Add it once per supervisor: every instance feeds the same journal.
 *
 * <p>It never blocks the supervisor's listener thread: an event is turned into a small JSON value,
 * kept, and offered to each open page's bounded queue, which drops its oldest entry when full.
 */
public final class StatusPageListener implements Listener {
    /**
     * The one supervisor this listener serves (ServiceLoader makes one listener per supervisor), so
     * that a page shows its own supervisors' events and not those of an earlier supervisor of the
     * same names; null before the start, or when one instance serves several supervisors (then the
     * names tell).
     */
    private volatile DistributedSupervisor source;
    private volatile boolean shared;

    /** For {@code ServiceLoader}; {@link StatusPage#listener()} gives one too. */
    public StatusPageListener() {
    }

    @Override
    public void onSupervisorStart(DistributedSupervisor supervisor) {
        synchronized (this) {
            if (source == null && !shared) {
                source = supervisor;
            } else if (source != supervisor) {
                shared = true;
                source = null;
            }
        }
    }

    @Override
    public void onEvent(ListenerEvent event) {
        EventJournal.JVM.record(event, source);
    }
}
