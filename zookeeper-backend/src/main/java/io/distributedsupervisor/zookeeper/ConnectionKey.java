package io.distributedsupervisor.zookeeper;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;

/**
 * What a {@link SharedConnection} is made of: two joins share one only if all of it is equal.
 * Objects given in code (retry policy, TLS context, ticker) count by identity, so backends share
 * a connection when they are given the same instances (or the defaults).
 */
record ConnectionKey(String node, String connectString, Duration sessionTimeout, Duration connectionTimeout,
                     Object retry, String namespace, String digestUser, String digestPassword,
                     List<String> saslPrincipals, boolean openAcl, String bindHost, int port, String advertisedHost,
                     ByteBuffer secret, boolean openMode, Identity tls, boolean requireTls, int maxFrameBytes,
                     int eventLoopThreads, boolean nativeTransport, int maxPendingHandshakes,
                     int maxPendingHandshakesPerAddress, double leaseFraction, Identity ticker) {

    static ConnectionKey of(ZooKeeperBackend.Builder c, String node) {
        return new ConnectionKey(node, c.connectString, c.sessionTimeout, c.connectionTimeout, c.retryKey, c.namespace,
                c.digestUser, c.digestPassword, List.copyOf(c.saslPrincipals), c.openAcl, c.bindHost, c.port,
                c.advertisedHost, c.secret == null ? null : ByteBuffer.wrap(c.secret.clone()).asReadOnlyBuffer(),
                c.openMode, new Identity(c.tls), c.requireTls, c.maxFrameBytes, c.eventLoopThreads, c.nativeTransport,
                c.maxPendingHandshakes, c.maxPendingHandshakesPerAddress, c.leaseFraction, new Identity(c.ticker));
    }

    @Override
    public String toString() {
        // No credentials, no secret.
        return "ConnectionKey[" + node + " on " + connectString + ", namespace " + namespace + "]";
    }

    /** An object compared by identity (an {@code SSLContext} or a {@code Ticker} has no useful equals). */
    record Identity(Object of) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Identity other && other.of == of;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(of);
        }
    }
}
