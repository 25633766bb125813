package io.distributedsupervisor.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distributedsupervisor.spi.MessageHandler;
import io.distributedsupervisor.spi.NodeSession;
import io.distributedsupervisor.spi.Responder;
import io.distributedsupervisor.spi.SessionListener;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.Configuration;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.auth.DigestLoginModule;
import org.apache.zookeeper.server.auth.ProviderRegistry;
import org.apache.zookeeper.server.auth.SASLAuthenticationProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code saslAcl}: the znodes belong to a SASL principal, the client authenticating through
 * ZooKeeper's usual JAAS settings; here DIGEST-MD5 on a server in this JVM. The JAAS configuration,
 * the client's section name and the server's SASL provider are JVM-wide, so they are set for this
 * test only and put back after it.
 */
class SaslAclTest {
    private static final String CLIENT_SECTION = "DsSaslAclTestClient";
    private static final String PRINCIPAL = "ds-sasl";
    private static final String PROVIDER_PROPERTY = ProviderRegistry.AUTHPROVIDER_PROPERTY_PREFIX + "sasl";

    private Configuration previousJaas;
    private String previousSection;
    private EmbeddedZooKeeper server;

    @BeforeEach
    void start() {
        previousJaas = Configuration.getConfiguration();
        Configuration.setConfiguration(new Configuration() {
            @Override
            public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
                Map<String, String> options = switch (name) {
                    case "Server" -> Map.of("user_" + PRINCIPAL, "sasl-password");
                    case CLIENT_SECTION -> Map.of("username", PRINCIPAL, "password", "sasl-password");
                    default -> null;
                };
                return options == null ? null : new AppConfigurationEntry[] {new AppConfigurationEntry(
                        DigestLoginModule.class.getName(), AppConfigurationEntry.LoginModuleControlFlag.REQUIRED, options)};
            }
        });
        previousSection = System.setProperty(ZKClientConfig.LOGIN_CONTEXT_NAME_KEY, CLIENT_SECTION);
        server = new EmbeddedZooKeeper();
        // After the server's start: the first server of the JVM initializes the registry afresh.
        System.setProperty(PROVIDER_PROPERTY, SASLAuthenticationProvider.class.getName());
        ProviderRegistry.addOrUpdateProvider(PROVIDER_PROPERTY);
    }

    @AfterEach
    void stop() {
        try {
            server.close();
        } finally {
            if (previousSection == null) {
                System.clearProperty(ZKClientConfig.LOGIN_CONTEXT_NAME_KEY);
            } else {
                System.setProperty(ZKClientConfig.LOGIN_CONTEXT_NAME_KEY, previousSection);
            }
            ProviderRegistry.removeProvider("sasl");
            System.clearProperty(PROVIDER_PROPERTY);
            Configuration.setConfiguration(previousJaas);
        }
    }

    @Test
    void theZnodesBelongToTheSaslPrincipal() throws Exception {
        ZooKeeperBackend backend = ZooKeeperBackend.builder(server.connectString()).secret(EmbeddedZooKeeper.TEST_SECRET)
                .saslAcl(PRINCIPAL).namespace("sasl").sessionTimeout(Duration.ofSeconds(4)).build();
        try (backend; CuratorFramework insider = client(true); CuratorFramework outsider = client(false)) {
            NodeSession a = backend.join("DS", "a", new SessionListener() {
            }, new MessageHandler() {
                @Override
                public void onRequest(String fromNode, byte[] message, Responder responder) {
                }

                @Override
                public void onMessage(String fromNode, byte[] message) {
                }
            });
            a.claimNew("k", null);
            List<ACL> ours = List.of(new ACL(ZooDefs.Perms.ALL, new Id("sasl", PRINCIPAL)));
            for (String path : List.of("/sasl", "/sasl/DS", "/sasl/DS/members", "/sasl/DS/members/a",
                    ZnodeLayout.of("DS").withPrefix("/sasl").owner("k"))) {
                assertThat(insider.getACL().forPath(path)).as(path).isEqualTo(ours);
                assertThatThrownBy(() -> outsider.getData().forPath(path)).as(path)
                        .isInstanceOf(KeeperException.NoAuthException.class);
            }
            assertThat(a.members()).containsOnlyKeys("a");
        }
    }

    /** A client of the server: SASL-authenticated as the principal, or without SASL at all. */
    private CuratorFramework client(boolean sasl) throws InterruptedException {
        ZKClientConfig config = new ZKClientConfig();
        config.setProperty(ZKClientConfig.ENABLE_CLIENT_SASL_KEY, Boolean.toString(sasl));
        CuratorFramework c = CuratorFrameworkFactory.builder().connectString(server.connectString())
                .retryPolicy(new RetryOneTime(100)).zkClientConfig(config).build();
        c.start();
        assertThat(c.blockUntilConnected(10, TimeUnit.SECONDS)).isTrue();
        return c;
    }
}
