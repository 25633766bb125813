package io.distributedsupervisor.zookeeper;

/**
 * The combinations of settings {@link ZooKeeperBackend.Builder#build()} refuses, each with a
 * message saying what is missing or contradictory and how to set it: no cluster secret without
 * {@code openMode(true)}, {@code requireTls(true)} without a TLS context, no ACL credentials
 * without {@code openAcl(true)}, credentials with {@code openAcl(true)}, and a retry policy
 * together with the settings that shape the default one. Each setting's own range is checked by
 * its builder method.
 *
 * <p>Runs on the thread that calls {@code build()}, before the settings are copied.
 */
final class SettingsCheck {
    private SettingsCheck() {
    }

    /** @throws IllegalArgumentException naming the first combination refused */
    static void check(ZooKeeperBackend.Builder b) {
        if (b.secret == null && !b.openMode) {
            throw new IllegalArgumentException("no cluster secret: set secret(...) or secretFile(...) (the provider: "
                    + "the environment variable DS_CLUSTER_SECRET or the setting secretFile) so that nodes authenticate "
                    + "each other, or openMode(true) to run the transport unauthenticated on a trusted network");
        }
        if (b.requireTls && b.tls == null) {
            throw new IllegalArgumentException("requireTls is set but no TLS context is given (tls(SSLContext), or the "
                    + "provider's setting tls=true): the transport would run in the clear");
        }
        boolean credentials = b.digestUser != null || !b.saslPrincipals.isEmpty();
        if (!credentials && !b.openAcl) {
            throw new IllegalArgumentException("no ZooKeeper ACL credentials: set digestAcl(user, password) (or "
                    + "saslAcl(principal)) so that only this cluster's nodes can read and write its znodes, or "
                    + "openAcl(true) to leave them writable by any ZooKeeper client (trusted networks and tests only)");
        }
        if (credentials && b.openAcl) {
            throw new IllegalArgumentException("openAcl(true) leaves the znodes writable by any ZooKeeper client, "
                    + "which contradicts digestAcl/saslAcl: set one or the other");
        }
        boolean retrySettings = b.retryBaseSleep != null || b.retryMaxSleep != null || b.retryMaxRetries != null;
        if (b.retryPolicy != null && retrySettings) {
            throw new IllegalArgumentException("retryPolicy(RetryPolicy) and retryBaseSleep/retryMaxSleep/retryMaxRetries "
                    + "(which shape the default policy) both set: set one or the other");
        }
    }
}
