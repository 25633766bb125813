package io.distributedsupervisor.internal;

import io.distributedsupervisor.ExitReason;
import io.distributedsupervisor.SupervisorOptions;
import io.distributedsupervisor.Ticker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a child restarts after an exit, as OTP's supervisor decides: by its {@code Restart}
 * policy (PERMANENT always, TRANSIENT after an abnormal exit, TEMPORARY never), and at most
 * {@code maxRestarts} times within {@code maxRestartWindow}, beyond which it is given up. Made at a
 * child's first exit, used on its own thread.
 */
final class ChildRestarts {
    private static final Logger LOG = LoggerFactory.getLogger(ChildRestarts.class);

    private final LocalChild child;
    private final SupervisorOptions options;
    private final Ticker ticker;
    private final RestartIntensity intensity;

    ChildRestarts(LocalChild child, SupervisorOptions options, Ticker ticker) {
        this.child = child;
        this.options = options;
        this.ticker = ticker;
        this.intensity = new RestartIntensity(options.maxRestarts());
    }

    /** Null when the child restarts after {@code reason}; else the reason it ends for good (a give-up, or the exit itself). */
    ExitReason afterExit(ExitReason reason) {
        boolean restart = switch (child.spec.restart()) {
            case PERMANENT -> true;
            case TRANSIENT -> !reason.isNormal();
            case TEMPORARY -> false;
        };
        if (!restart) {
            return reason;
        }
        if (!intensity.allow(ticker.read(), options.maxRestarts(), options.maxRestartWindow().toNanos())) {
            LOG.error("child {} of supervisor {} crashed more than {} times within {}: given up, spec removed",
                    child.id, options.name(), options.maxRestarts(), options.maxRestartWindow(), reason.cause());
            return ExitReason.givenUp(reason);
        }
        return null;
    }
}
