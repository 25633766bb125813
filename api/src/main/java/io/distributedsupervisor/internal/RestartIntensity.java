package io.distributedsupervisor.internal;

/**
 * OTP's restart intensity for one child: at most {@code maxRestarts} restarts within a sliding
 * window. Used only from the child's own thread; holds memory only once the child has crashed.
 */
final class RestartIntensity {
    private final long[] times;
    private int size;
    private int head;

    RestartIntensity(int maxRestarts) {
        this.times = new long[Math.max(1, maxRestarts)];
    }

    /**
     * Records a restart at {@code now}; false when that would be more than {@code maxRestarts}
     * restarts within {@code windowNanos} (the child is to be given up).
     */
    boolean allow(long now, int maxRestarts, long windowNanos) {
        if (maxRestarts == 0) {
            return false;
        }
        while (size > 0 && now - times[head] >= windowNanos) {
            head = (head + 1) % times.length;
            size--;
        }
        if (size == maxRestarts) {
            return false;
        }
        times[(head + size) % times.length] = now;
        size++;
        return true;
    }
}
