/**
 * The status page of DistributedSupervisor: {@link io.distributedsupervisor.admin.http.StatusPage},
 * a live HTML page and JSON endpoints for the supervisors of one JVM, on the JDK's built-in HTTP
 * server; {@link io.distributedsupervisor.admin.http.StatusPageListener}, found by
 * {@code ServiceLoader}, records the events it shows.
 */
module io.distributedsupervisor.admin.http {
    requires transitive io.distributedsupervisor;
    requires jdk.httpserver;
    requires com.fasterxml.jackson.databind;
    requires org.slf4j;

    exports io.distributedsupervisor.admin.http;

    provides io.distributedsupervisor.spi.Listener with io.distributedsupervisor.admin.http.StatusPageListener;
}
