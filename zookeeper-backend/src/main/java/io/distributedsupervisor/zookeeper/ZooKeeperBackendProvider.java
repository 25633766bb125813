package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.spi.Backend;
import io.distributedsupervisor.spi.BackendProvider;
import io.distributedsupervisor.zookeeper.transport.TransportConfig;
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
 *   <tr><td>secret</td><td>the cluster secret (at least 32 bytes); required unless openMode=true. As
 *   a system property ({@code -Dds.zookeeper.secret}) it works but logs a warning: command lines
 *   are visible to every user of the host</td></tr>
 *   <tr><td>secretFile</td><td>the path of a file holding the cluster secret (instead of secret)</td></tr>
 *   <tr><td>openMode</td><td>true to run the transport unauthenticated</td></tr>
 *   <tr><td>sessionTimeoutMs, connectionTimeoutMs</td><td>15000, 10000</td></tr>
 *   <tr><td>namespace</td><td>distributed-supervisor</td></tr>
 *   <tr><td>digestAcl</td><td>{@code user:password}: digest ACLs on every znode</td></tr>
 *   <tr><td>digestAclFile</td><td>the path of a file holding {@code user:password} (instead of digestAcl)</td></tr>
 *   <tr><td>saslAcl</td><td>a SASL principal: SASL ACLs on every znode (the client authenticates through JAAS)</td></tr>
 *   <tr><td>openAcl</td><td>true to leave every znode writable by any ZooKeeper client (trusted networks and tests)</td></tr>
 *   <tr><td>bindHost, port, advertisedHost</td><td>127.0.0.1, 0 (any free), the bind host</td></tr>
 *   <tr><td>tls</td><td>false; true: TLS for the transport with the JVM's default {@code SSLContext}
 *   (its key and trust stores from {@code javax.net.ssl.keyStore}, {@code javax.net.ssl.trustStore}
 *   and their passwords, as JSSE reads them)</td></tr>
 *   <tr><td>requireTls</td><td>false; true: refuse to start without tls</td></tr>
 *   <tr><td>maxFrameBytes</td><td>16777216</td></tr>
 *   <tr><td>eventLoopThreads</td><td>2: the transport's event-loop threads</td></tr>
 *   <tr><td>nativeTransport</td><td>true: native epoll where available (else NIO); false: NIO</td></tr>
 *   <tr><td>maxPendingHandshakes, maxPendingHandshakesPerAddress</td><td>256, 16: inbound transport
 *   connections in the handshake at once, in all and from one address; beyond, closed at once</td></tr>
 *   <tr><td>failoverMarginMs</td><td>0: wait this long after a claim vanished before taking the child over</td></tr>
 * </table>
 * An unknown setting is an error, so that a typo does not silently leave a default in place.
 * Without secret or secretFile, the cluster secret is read from the environment variable
 * {@value #SECRET_ENV}.
 * ACL credentials are required: without digestAcl, digestAclFile, saslAcl or openAcl=true, the
 * environment variable {@value #DIGEST_ACL_ENV} ({@code user:password}) is read; without that
 * either, the backend refuses to build.
 */
public final class ZooKeeperBackendProvider implements BackendProvider {
    static final Set<String> SETTINGS = Set.of("connectString", "secret", "secretFile", "openMode", "sessionTimeoutMs",
            "connectionTimeoutMs", "namespace", "digestAcl", "digestAclFile", "saslAcl", "openAcl", "bindHost", "port",
            "advertisedHost", "maxFrameBytes", "failoverMarginMs", "eventLoopThreads", "nativeTransport", "tls", "requireTls",
            "maxPendingHandshakes", "maxPendingHandshakesPerAddress");
    /** The environment variable that holds the cluster secret when neither secret nor secretFile is set. */
    static final String SECRET_ENV = "DS_CLUSTER_SECRET";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ZooKeeperBackendProvider.class);
    /** The environment variable that holds {@code user:password} when no ACL setting is given. */
    static final String DIGEST_ACL_ENV = "DS_ZOOKEEPER_DIGEST_ACL";

    private final java.util.function.UnaryOperator<String> environment;

    /** The provider ServiceLoader finds: reads the process's environment ({@value #SECRET_ENV}, {@value #DIGEST_ACL_ENV}). */
    public ZooKeeperBackendProvider() {
        this(System::getenv);
    }

    /** A provider that reads {@code environment} instead of the process's; for tests. */
    ZooKeeperBackendProvider(java.util.function.UnaryOperator<String> environment) {
        this.environment = environment;
    }

    @Override
    public String name() {
        return "zookeeper";
    }

    @Override
    public Backend create(Map<String, String> config) {
        Map<String, String> c = new HashMap<>();
        Set<String> fromProperties = new java.util.HashSet<>();
        for (String s : SETTINGS) {
            String prop = System.getProperty("ds.zookeeper." + s);
            if (prop != null) {
                c.put(s, prop);
                fromProperties.add(s);
            }
        }
        for (Map.Entry<String, String> e : config.entrySet()) {
            if (!SETTINGS.contains(e.getKey())) {
                throw new IllegalArgumentException("unknown zookeeper backend setting '" + e.getKey() + "'; known: "
                        + new java.util.TreeSet<>(SETTINGS));
            }
            c.put(e.getKey(), e.getValue());
            fromProperties.remove(e.getKey());
        }
        String connect = c.get("connectString");
        if (connect == null) {
            throw new IllegalArgumentException("the zookeeper backend needs connectString (or -Dds.zookeeper.connectString)");
        }
        ZooKeeperBackend.Builder b = ZooKeeperBackend.builder(connect);
        secret(c, fromProperties.contains("secret"), b);
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
        acl(c, b);
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
        if (c.containsKey("maxPendingHandshakes") || c.containsKey("maxPendingHandshakesPerAddress")) {
            b.maxPendingHandshakes(c.containsKey("maxPendingHandshakes") ? (int) number(c, "maxPendingHandshakes")
                            : TransportConfig.DEFAULT_MAX_PENDING_HANDSHAKES,
                    c.containsKey("maxPendingHandshakesPerAddress") ? (int) number(c, "maxPendingHandshakesPerAddress")
                            : TransportConfig.DEFAULT_MAX_PENDING_HANDSHAKES_PER_ADDRESS);
        }
        if (c.containsKey("tls") && bool(c, "tls")) {
            b.tls(defaultTls());
        }
        if (c.containsKey("requireTls")) {
            b.requireTls(bool(c, "requireTls"));
        }
        return b.build();
    }

    /**
     * The cluster secret: the setting secret or secretFile (not both), else the environment's
     * {@value #SECRET_ENV} (without leading and trailing white space), else none.
     */
    private void secret(Map<String, String> c, boolean fromProperty, ZooKeeperBackend.Builder b) {
        if (c.containsKey("secret") && c.containsKey("secretFile")) {
            throw new IllegalArgumentException("zookeeper backend settings secret and secretFile: set one, not both");
        }
        if (c.containsKey("secret")) {
            if (fromProperty) {
                LOG.warn("the cluster secret comes from the system property ds.zookeeper.secret: a JVM's command line is "
                        + "visible to every user of the host (ps, /proc/<pid>/cmdline) and kept in shell histories and "
                        + "process listings; set the environment variable {} or the setting secretFile instead", SECRET_ENV);
            }
            b.secret(c.get("secret"));
        } else if (c.containsKey("secretFile")) {
            b.secretFile(java.nio.file.Path.of(c.get("secretFile").trim()));
        } else {
            String env = environment.apply(SECRET_ENV);
            if (env != null && !env.isBlank()) {
                try {
                    b.secret(env.strip());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("the environment variable " + SECRET_ENV + ": " + e.getMessage(), e);
                }
            }
        }
    }

    /**
     * The ACL settings: digestAcl or digestAclFile (not both), saslAcl, openAcl; the environment's
     * {@value #DIGEST_ACL_ENV} when none of them asks for credentials or openness.
     */
    private void acl(Map<String, String> c, ZooKeeperBackend.Builder b) {
        if (c.containsKey("digestAcl") && c.containsKey("digestAclFile")) {
            throw new IllegalArgumentException("zookeeper backend settings digestAcl and digestAclFile: set one, not both");
        }
        boolean open = c.containsKey("openAcl") && bool(c, "openAcl");
        b.openAcl(open);
        if (c.containsKey("saslAcl")) {
            b.saslAcl(c.get("saslAcl").trim());
        }
        if (c.containsKey("digestAcl")) {
            digest(b, c.get("digestAcl"), "digestAcl");
        } else if (c.containsKey("digestAclFile")) {
            digest(b, readFile(c.get("digestAclFile")), "the file of digestAclFile (" + c.get("digestAclFile") + ")");
        } else if (!open && !c.containsKey("saslAcl")) {
            String env = environment.apply(DIGEST_ACL_ENV);
            if (env != null && !env.isBlank()) {
                digest(b, env, "the environment variable " + DIGEST_ACL_ENV);
            }
        }
    }

    private static void digest(ZooKeeperBackend.Builder b, String value, String where) {
        String v = value.strip();
        int colon = v.indexOf(':');
        if (colon <= 0 || colon == v.length() - 1) {
            // The value is a password: never in the message.
            throw new IllegalArgumentException(where + " must hold user:password (a non-empty user and password)");
        }
        b.digestAcl(v.substring(0, colon), v.substring(colon + 1));
    }

    private static String readFile(String path) {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of(path.trim()));
        } catch (java.io.IOException | RuntimeException e) {
            throw new IllegalArgumentException("zookeeper backend setting digestAclFile: cannot read " + path + ": " + e);
        }
    }

    private static javax.net.ssl.SSLContext defaultTls() {
        try {
            return javax.net.ssl.SSLContext.getDefault();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalArgumentException("zookeeper backend setting tls=true: the JVM's default SSLContext cannot be "
                    + "made (check javax.net.ssl.keyStore and javax.net.ssl.trustStore and their passwords): " + e, e);
        }
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
