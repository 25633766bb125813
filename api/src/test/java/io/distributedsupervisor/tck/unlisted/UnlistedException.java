package io.distributedsupervisor.tck.unlisted;

/** An exception whose class the suite's allow-list does not name. */
public final class UnlistedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UnlistedException(String message) {
        super(message);
    }
}
