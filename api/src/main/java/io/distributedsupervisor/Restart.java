package io.distributedsupervisor;

/** When a child that stopped is started again (OTP's restart values). */
public enum Restart {
    /** Always restarted, whatever the reason it stopped for, and moved to a survivor when its node dies. */
    PERMANENT,
    /**
     * Restarted only after an abnormal exit: a crash, a {@code stop(reason)} with a reason that
     * is not normal or shutdown, or the loss of its node. A normal stop ends it for good.
     */
    TRANSIENT,
    /** Never restarted, not on a crash and not after its node is lost. Its spec is never stored. */
    TEMPORARY
}
