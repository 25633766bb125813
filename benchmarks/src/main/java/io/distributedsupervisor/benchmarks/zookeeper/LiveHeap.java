package io.distributedsupervisor.benchmarks.zookeeper;

import java.lang.management.ManagementFactory;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * Live heap by a class histogram ({@code jcmd GC.class_histogram}, which collects first): its
 * total without the JVM's filler objects and arrays ({@code jdk.internal.vm.Filler*}), dead space
 * that the heap's used bytes count and that moved by tens of megabytes between two weighings of
 * one node (benchmarks/README.md, "What a child taken over costs its heir").
 */
final class LiveHeap {
    private LiveHeap() {
    }

    /** The live bytes that {@code histogram}, a class histogram's text, shows, fillers left out. */
    static long of(String histogram) {
        long total = -1;
        long fillers = 0;
        for (String line : histogram.split("\n")) {
            String[] w = line.trim().split("\\s+");
            if (w.length >= 3 && w[0].equals("Total")) {
                total = Long.parseLong(w[2]);
            } else if (w.length >= 4 && w[0].endsWith(":") && w[3].replace("[L", "").startsWith("jdk.internal.vm.Filler")) {
                fillers += Long.parseLong(w[2]);
            }
        }
        if (total < 0) {
            throw new IllegalStateException("no Total in the class histogram:\n" + histogram);
        }
        return total - fillers;
    }

    /** This JVM's, through the {@code DiagnosticCommand} MBean (what {@code jcmd} calls). */
    static long ofThisJvm() {
        try {
            String histogram = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
            return of(histogram);
        } catch (JMException e) {
            throw new IllegalStateException("no class histogram of this JVM", e);
        }
    }
}
