package io.distributedsupervisor.zookeeper.transport;

import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/** This JVM's threads and open file descriptors, to show that an attack leaves them bounded. */
final class Resources {
    private Resources() {
    }

    static int threads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    /** Open file descriptors (sockets included), or -1 where the JVM cannot tell (not Unix). */
    static long fileDescriptors() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof UnixOperatingSystemMXBean unix ? unix.getOpenFileDescriptorCount() : -1;
    }
}
