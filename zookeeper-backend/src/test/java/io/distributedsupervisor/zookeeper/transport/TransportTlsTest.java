package io.distributedsupervisor.zookeeper.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.distributedsupervisor.spi.Delivery;
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

/** TLS under the handshake: a self-signed EC certificate made with the JDK's keytool, trusted by both nodes. */
class TransportTlsTest extends TransportTestSupport {
    private static final char[] PASSWORD = "changeit".toCharArray();

    @TempDir
    static Path folder;
    private static SSLContext tls;

    @BeforeAll
    static void makeCertificate() throws Exception {
        Path keystore = folder.resolve("node.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "node", "-keyalg", "EC", "-groupname", "secp256r1", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD),
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2")
                .redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes());
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).as("keytool finished").isTrue();
        assertThat(keytool.exitValue()).as("keytool: %s", output).isZero();

        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            keys.load(in, PASSWORD);
        }
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("node", keys.getCertificate("node"));

        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, PASSWORD);
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trusted);
        tls = SSLContext.getInstance("TLS");
        tls.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
    }

    @Test
    void request_and_reply_over_tls() {
        NodeTransport a = start("a", echo("a"), c -> c.tls(tls));
        NodeTransport b = start("b", new Recorder((m, r) -> r.reply(m)), c -> c.tls(tls));
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
    void tls_over_nio_works_too() {
        NodeTransport a = start("a", echo("a"), c -> c.tls(tls).nativeTransport(false));
        NodeTransport b = start("b", echo("b"), c -> c.tls(tls).nativeTransport(false));

        assertThat(reply(a.request("b", b.address(), utf8("over tls and nio")))).isEqualTo("b: over tls and nio");
    }
}
