package io.distributedsupervisor.zookeeper.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.distributedsupervisor.spi.Delivery;
import io.distributedsupervisor.tck.LogCapture;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS under the handshake, with self-signed EC certificates made by the JDK's keytool: "node"
 * names localhost and 127.0.0.1, "elsewhere" only elsewhere.example; both are trusted by every
 * context here, so that what fails is the check under test (a missing client certificate, a host
 * the certificate does not name), not the trust.
 */
class TransportTlsTest extends TransportTestSupport {
    private static final char[] PASSWORD = "changeit".toCharArray();

    @TempDir
    static Path folder;
    /** Holds the certificate naming 127.0.0.1. */
    private static SSLContext tls;
    /** Holds the certificate naming elsewhere.example only. */
    private static SSLContext elsewhere;
    /** Trusts both, presents no certificate. */
    private static SSLContext anonymous;

    @BeforeAll
    static void makeCertificates() throws Exception {
        KeyStore node = certificate("node", "CN=localhost", "SAN=dns:localhost,ip:127.0.0.1");
        KeyStore other = certificate("elsewhere", "CN=elsewhere.example", "SAN=dns:elsewhere.example");
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("node", node.getCertificate("node"));
        trusted.setCertificateEntry("elsewhere", other.getCertificate("elsewhere"));
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trusted);

        tls = context(node, trustManagers);
        elsewhere = context(other, trustManagers);
        anonymous = SSLContext.getInstance("TLS");
        anonymous.init(null, trustManagers.getTrustManagers(), null);
    }

    private static KeyStore certificate(String alias, String dname, String san) throws Exception {
        Path keystore = folder.resolve(alias + ".p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD),
                "-dname", dname, "-ext", san, "-validity", "2")
                .redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes());
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).as("keytool finished").isTrue();
        assertThat(keytool.exitValue()).as("keytool: %s", output).isZero();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            keys.load(in, PASSWORD);
        }
        return keys;
    }

    private static SSLContext context(KeyStore keys, TrustManagerFactory trustManagers) throws Exception {
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, PASSWORD);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
        return context;
    }

    @Test
    void request_and_reply_over_tls() {
        NodeTransport a = start("a", echo("a"), c -> c.tls(tls));
        NodeTransport b = start("b", new Recorder((m, r) -> r.reply(m)), c -> c.tls(tls).requireTls(true));
        byte[] large = new byte[200_000];
        large[199_999] = 7;

        assertThat(reply(a.request("b", b.address(), utf8("over tls")))).isEqualTo("over tls");
        assertThat(reply(b.request("a", a.address(), utf8("and back")))).isEqualTo("a: and back");
        assertThat(outcome(a.request("b", b.address(), large), Delivery.Replied.class).reply()).isEqualTo(large);
    }

    @Test
    void a_plain_tcp_node_cannot_talk_to_a_tls_node_which_keeps_serving() {
        NodeTransport b = start("b", echo("b"), c -> c.tls(tls));
        NodeTransport plain = start("plain", echo("plain"));
        NodeTransport a = start("a", echo("a"), c -> c.tls(tls));

        assertThat(outcome(plain.request("b", b.address(), utf8("hello")), Delivery.NotSent.class).reason()).contains("peer b");
        assertThat(reply(a.request("b", b.address(), utf8("hello")))).isEqualTo("b: hello");
    }

    @Test
    void a_dialler_without_a_client_certificate_is_refused_and_the_node_keeps_serving() {
        LogCapture log = closeAfter(LogCapture.start());
        Recorder atB = echo("b");
        NodeTransport b = start("b", atB, c -> c.tls(tls));
        NodeTransport anon = start("anon", echo("anon"), c -> c.tls(anonymous));
        NodeTransport a = start("a", echo("a"), c -> c.tls(tls));

        assertThat(outcome(anon.request("b", b.address(), utf8("let me in")), Delivery.NotSent.class).reason())
                .contains("peer b").contains("TLS failed");
        await().atMost(WAIT).untilAsserted(() -> assertThat(log.lines("TLS failed", "connection from")).isEqualTo(1));
        assertThat(reply(a.request("b", b.address(), utf8("hello")))).isEqualTo("b: hello");
        assertThat(atB.requests).containsExactly("hello");
    }

    @Test
    void a_peer_whose_certificate_does_not_name_the_dialled_host_is_refused() {
        Recorder atImpostor = echo("b");
        // A certificate of the cluster's issuer, but for another host than the one dialled.
        NodeTransport impostor = start("b", atImpostor, c -> c.tls(elsewhere));
        NodeTransport a = start("a", echo("a"), c -> c.tls(tls));

        assertThat(outcome(a.request("b", impostor.address(), utf8("secret stuff")), Delivery.NotSent.class).reason())
                .contains("peer b").contains("TLS failed");
        assertThat(atImpostor.requests).isEmpty();
    }

    @Test
    void require_tls_without_tls_is_refused_at_build() {
        assertThatThrownBy(() -> TransportConfig.builder("a").secret(SECRET).requireTls(true).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("requireTls")
                .hasMessageContaining("in the clear");
        assertThat(TransportConfig.builder("a").secret(SECRET).tls(tls).requireTls(true).build().requireTls()).isTrue();
    }

    @Test
    void tls_over_nio_works_too() {
        NodeTransport a = start("a", echo("a"), c -> c.tls(tls).nativeTransport(false));
        NodeTransport b = start("b", echo("b"), c -> c.tls(tls).nativeTransport(false));

        assertThat(reply(a.request("b", b.address(), utf8("over tls and nio")))).isEqualTo("b: over tls and nio");
    }
}
