package io.distributedsupervisor.internal;

import io.distributedsupervisor.Child;
import io.distributedsupervisor.ChildContext;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.ExitReason;
import io.distributedsupervisor.Pid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One incarnation of a {@link LocalChild}: the instance built from the spec, and the
 * {@link ChildContext} its callbacks get, valid for it alone (its {@link #pid()} is this
 * incarnation's). Used only on the child's own thread.
 */
final class ChildInstance implements ChildContext {
    private static final Logger LOG = LoggerFactory.getLogger(ChildInstance.class);

    private final LocalChild child;
    private final Pid pid;
    private Child instance;
    private ExitReason selfStop;
    private final Object handoffState;

    ChildInstance(LocalChild child, Pid pid, Object handoffState) {
        this.child = child;
        this.pid = pid;
        this.handoffState = handoffState;
    }

    /** Builds the instance and runs its {@code init}; what either throws is thrown. */
    void init() throws Exception {
        instance = ChildFactory.create(child.spec.type(), child.spec.arg(), child.host.options().childInstantiator());
        instance.init(this);
    }

    /** Runs the handler of a message of {@code kind}; a call's value is returned. */
    Object handle(int kind, Object payload) throws Exception {
        return switch (kind) {
            case Letter.CALL -> instance.handleCall(payload, this);
            case Letter.CAST -> {
                instance.handleCast(payload, this);
                yield null;
            }
            default -> {
                instance.handleInfo(payload, this);
                yield null;
            }
        };
    }

    /** The stop the child asked for in its last callback, if it did; asked once. */
    ExitReason takeSelfStop() {
        ExitReason r = selfStop;
        selfStop = null;
        return r;
    }

    /** The state to hand to the next node on a planned move; null when none, or when it threw (logged). */
    Object handoff() {
        Child c = instance;
        if (c == null) {
            return null;
        }
        try {
            return c.handoff(this);
        } catch (Throwable t) {
            LOG.warn("handoff of child {} threw; its next incarnation starts fresh", child.id, t);
            return null;
        }
    }

    /** Calls {@code terminate} if {@code init} had built an instance; what it throws is logged. */
    void terminate(ExitReason reason) {
        Child c = instance;
        instance = null;
        if (c == null) {
            return;
        }
        try {
            c.terminate(reason, this);
        } catch (Throwable t) {
            LOG.warn("terminate of child {} threw", child.id, t);
        }
    }

    @Override
    public Object id() {
        return child.id;
    }

    @Override
    public Pid pid() {
        return pid;
    }

    @Override
    public Object arg() {
        return child.spec.arg();
    }

    @Override
    public java.util.Optional<Object> handoffState() {
        return java.util.Optional.ofNullable(handoffState);
    }

    @Override
    public DistributedSupervisor supervisor() {
        return child.host.supervisorApi();
    }

    @Override
    public void stop() {
        selfStop = ExitReason.normal();
    }

    @Override
    public void stop(Object reason) {
        selfStop = reason instanceof ExitReason r ? r : ExitReason.custom(reason);
    }

    @Override
    public String toString() {
        return "ChildContext{" + pid + "}";
    }
}
