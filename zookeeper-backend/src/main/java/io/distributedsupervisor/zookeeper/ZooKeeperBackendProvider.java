package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.spi.Backend;
import io.distributedsupervisor.spi.BackendProvider;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The {@code zookeeper} backend for {@code SupervisorOptions.Builder.backend("zookeeper", config)}.
 * Each setting may also come from a system property {@code ds.zookeeper.<setting>}; the map wins.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><td>connectString</td><td>required: the ensemble, e.g. {@code zk1:2181,zk2:2181}</td></tr>
 *   <tr><td>secret</td><td>the cluster secret (at least 16 bytes); required unless openMode=true</td></tr>
 *   <tr><td>openMode</td><td>true to run the transport unauthenticated</td></tr>
 *   <tr><td>sessionTimeoutMs, connectionTimeoutMs</td><td>15000, 10000</td></tr>
 *   <tr><td>namespace</td><td>distributed-supervisor</td></tr>
 *   <tr><td>digestAcl</td><td>{@code user:password}: digest ACLs on every znode</td></tr>
 *   <tr><td>bindHost, port, advertisedHost</td><td>127.0.0.1, 0 (any free), the bind host</td></tr>
 *   <tr><td>maxFrameBytes</td><td>16777216</td></tr>
 *   <tr><td>eventLoopThreads</td><td>2: the transport's event-loop threads</td></tr>
 *   <tr><td>nativeTransport</td><td>true: native epoll where available (else NIO); false: NIO</td></tr>
 *   <tr><td>failoverMarginMs</td><td>0: wait this long after a claim vanished before taking the child over</td></tr>
 * </table>
 * An unknown setting is an error, so that a typo does not silently leave a default in place.
 */
public final class ZooKeeperBackendProvider implements BackendProvider {
    static final Set<String> SETTINGS = Set.of("connectString", "secret", "openMode", "sessionTimeoutMs",
            "connectionTimeoutMs", "namespace", "digestAcl", "bindHost", "port", "advertisedHost",
            "maxFrameBytes", "failoverMarginMs", "eventLoopThreads", "nativeTransport");

    @Override
    public String name() {
        return "zookeeper";
    }

    @Override
    public Backend create(Map<String, String> config) {
        Map<String, String> c = new HashMap<>();
        for (String s : SETTINGS) {
            String prop = System.getProperty("ds.zookeeper." + s);
            if (prop != null) {
                c.put(s, prop);
            }
        }
        for (Map.Entry<String, String> e : config.entrySet()) {
            if (!SETTINGS.contains(e.getKey())) {
                throw new IllegalArgumentException("unknown zookeeper backend setting '" + e.getKey() + "'; known: "
                        + new java.util.TreeSet<>(SETTINGS));
            }
            c.put(e.getKey(), e.getValue());
        }
        String connect = c.get("connectString");
        if (connect == null) {
            throw new IllegalArgumentException("the zookeeper backend needs connectString (or -Dds.zookeeper.connectString)");
        }
        ZooKeeperBackend.Builder b = ZooKeeperBackend.builder(connect);
        if (c.containsKey("secret")) {
            b.secret(c.get("secret"));
        }
        if (c.containsKey("openMode")) {
            b.openMode(bool(c, "openMode"));
        }
        if (c.containsKey("sessionTimeoutMs")) {
            b.sessionTimeout(Duration.ofMillis(number(c, "sessionTimeoutMs")));
        }
        if (c.containsKey("connectionTimeoutMs")) {
            b.connectionTimeout(Duration.ofMillis(number(c, "connectionTimeoutMs")));
        }
        if (c.containsKey("namespace")) {
            b.namespace(c.get("namespace"));
        }
        if (c.containsKey("digestAcl")) {
            String acl = c.get("digestAcl");
            int colon = acl.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("digestAcl must be user:password");
            }
            b.digestAcl(acl.substring(0, colon), acl.substring(colon + 1));
        }
        if (c.containsKey("bindHost")) {
            b.bindHost(c.get("bindHost"));
        }
        if (c.containsKey("port")) {
            b.port((int) number(c, "port"));
        }
        if (c.containsKey("advertisedHost")) {
            b.advertisedHost(c.get("advertisedHost"));
        }
        if (c.containsKey("failoverMarginMs")) {
            b.failoverMargin(Duration.ofMillis(number(c, "failoverMarginMs")));
        }
        if (c.containsKey("maxFrameBytes")) {
            b.maxFrameBytes((int) number(c, "maxFrameBytes"));
        }
        if (c.containsKey("eventLoopThreads")) {
            b.eventLoopThreads((int) number(c, "eventLoopThreads"));
        }
        if (c.containsKey("nativeTransport")) {
            b.nativeTransport(bool(c, "nativeTransport"));
        }
        return b.build();
    }

    private static long number(Map<String, String> c, String key) {
        try {
            return Long.parseLong(c.get(key).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("zookeeper backend setting " + key + " must be a number, got '"
                    + c.get(key) + "'");
        }
    }

    private static boolean bool(Map<String, String> c, String key) {
        String v = c.get(key).trim();
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException("zookeeper backend setting " + key + " must be true or false, got '" + v + "'");
        }
        return Boolean.parseBoolean(v);
    }
}
