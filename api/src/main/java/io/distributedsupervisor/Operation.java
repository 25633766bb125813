package io.distributedsupervisor;

/** The operations of {@link DistributedSupervisor} that can fail for reasons outside the child, named in their exceptions. */
public enum Operation {
    /** {@code startChild} and {@code startChildAsync}. */
    START_CHILD("startChild"),
    /** {@code call} and {@code callAsync}. */
    CALL("call"),
    /** {@code cast}. */
    CAST("cast"),
    /** {@code send}. */
    SEND("send"),
    /** {@code terminateChild}. */
    TERMINATE_CHILD("terminateChild"),
    /** {@code move}. */
    MOVE("move");

    private final String method;

    Operation(String method) {
        this.method = method;
    }

    /** The method's name, as a user writes it: {@code startChild}, {@code call}, ... */
    public String method() {
        return method;
    }

    @Override
    public String toString() {
        return method;
    }
}
