/**
 * The Micrometer listener of DistributedSupervisor:
 * {@link io.distributedsupervisor.micrometer.MicrometerListener}, a
 * {@link io.distributedsupervisor.spi.Listener} that {@code ServiceLoader} finds, publishes each
 * supervisor's counters, gauges and timers on a Micrometer {@code MeterRegistry}.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"}) // Micrometer has no module-info, only Automatic-Module-Name
module io.distributedsupervisor.micrometer {
    // Transitive: MicrometerListener implements the api's Listener and takes a MeterRegistry.
    requires transitive io.distributedsupervisor;
    requires transitive micrometer.core;

    exports io.distributedsupervisor.micrometer;

    provides io.distributedsupervisor.spi.Listener with io.distributedsupervisor.micrometer.MicrometerListener;
}
