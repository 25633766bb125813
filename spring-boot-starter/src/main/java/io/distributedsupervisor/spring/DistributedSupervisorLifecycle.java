package io.distributedsupervisor.spring;

import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.DrainReport;
import io.distributedsupervisor.SupervisorOptions;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Ties the supervisor to the application context: it starts once every singleton bean exists
 * (so children, which may be started at once by failover or by a stored spec, find the beans
 * they need), and on the context's close it {@link DistributedSupervisor#drain() drains}: the
 * children of this node move to the others, with their state if they implement
 * {@code handoff}. Its phase is {@link SmartLifecycle#DEFAULT_PHASE}: it starts after, and stops
 * before, the lifecycle beans of lower phases (such as Boot's web server), so the application's
 * own endpoints can still reach the children while they move away.
 */
public class DistributedSupervisorLifecycle implements SmartLifecycle {
    private static final Log LOG = LogFactory.getLog(DistributedSupervisorLifecycle.class);

    private final SupervisorOptions options;
    private volatile DistributedSupervisor supervisor;
    private volatile DrainReport lastDrain;

    public DistributedSupervisorLifecycle(SupervisorOptions options) {
        this.options = options;
    }

    @Override
    public synchronized void start() {
        if (supervisor == null) {
            supervisor = DistributedSupervisor.start(options);
        }
    }

    @Override
    public synchronized void stop() {
        DistributedSupervisor s = supervisor;
        if (s != null) {
            lastDrain = s.drain();
            LOG.info("supervisor " + s.name() + " on node " + s.node() + " drained: " + lastDrain);
            supervisor = null;
        }
    }

    @Override
    public boolean isRunning() {
        return supervisor != null;
    }

    @Override
    public int getPhase() {
        return DEFAULT_PHASE;
    }

    /** The running supervisor. @throws IllegalStateException if it is not running (before start, after stop) */
    public DistributedSupervisor supervisor() {
        DistributedSupervisor s = supervisor;
        if (s == null) {
            throw new IllegalStateException("the distributed supervisor " + options.name() + " is not running "
                    + "(it starts when the application context has been refreshed and stops when it closes)");
        }
        return s;
    }

    /** Whether it is running, without throwing. */
    DistributedSupervisor supervisorOrNull() {
        return supervisor;
    }

    /** What the last stop's drain reported; null before. */
    public DrainReport lastDrain() {
        return lastDrain;
    }

    public SupervisorOptions options() {
        return options;
    }
}
