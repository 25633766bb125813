package io.distributedsupervisor.spring;

import io.distributedsupervisor.micrometer.MicrometerListener;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

/**
 * The supervisor's meters ({@link MicrometerListener}) on the application's registries: the
 * listener publishes on a composite registry of its own from the supervisor's start, and each
 * registry Spring Boot binds joins that composite. Boot may make its registries after the
 * supervisor started (or never, without a registry): what happened before a registry joined is
 * not on it, as for any binder.
 */
final class SupervisorMeterBinder implements MeterBinder {
    private final CompositeMeterRegistry meters = new CompositeMeterRegistry();
    private final MicrometerListener listener = new MicrometerListener(meters);

    /** The listener to add to the supervisor's options: it replaces the one ServiceLoader finds. */
    MicrometerListener listener() {
        return listener;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        meters.add(registry);
    }

    @Override
    public String toString() {
        return "SupervisorMeterBinder{" + listener + "}";
    }
}
