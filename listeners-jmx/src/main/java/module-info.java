/**
 * The JMX listener of DistributedSupervisor: {@link io.distributedsupervisor.jmx.JmxListener},
 * a {@link io.distributedsupervisor.spi.Listener} that {@code ServiceLoader} finds, publishes one
 * MXBean per supervisor and node, with JMX notifications.
 */
module io.distributedsupervisor.jmx {
    // Transitive: JmxListener implements the api's Listener, and its public methods take an
    // MBeanServer and return an ObjectName.
    requires transitive io.distributedsupervisor;
    requires transitive java.management;
    requires org.slf4j;

    // Exported, not only for users: the platform MBean server (java.management) reads the
    // MXBean interface and its ChildInfo record reflectively, which needs them exported.
    exports io.distributedsupervisor.jmx;

    provides io.distributedsupervisor.spi.Listener with io.distributedsupervisor.jmx.JmxListener;
}
