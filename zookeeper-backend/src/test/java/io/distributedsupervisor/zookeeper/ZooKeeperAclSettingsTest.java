package io.distributedsupervisor.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ZooKeeper closed by default: the builder and the provider want ACL credentials, or openAcl said out loud. */
class ZooKeeperAclSettingsTest {
    private static ZooKeeperBackend.Builder withSecret() {
        return ZooKeeperBackend.builder("zk:2181").secret("acl-settings-test-cluster-secret-0123");
    }

    @Test
    void withoutCredentialsTheBuilderRefusesNamingBothWaysOut() {
        assertThatThrownBy(() -> withSecret().build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no ZooKeeper ACL credentials").hasMessageContaining("digestAcl(user, password)")
                .hasMessageContaining("openAcl(true)").hasMessageContaining("saslAcl");
        assertThatThrownBy(() -> withSecret().openAcl(true).digestAcl("u", "p").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("set one or the other");
        assertThatThrownBy(() -> withSecret().saslAcl(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThat(withSecret().openAcl(true).build().config().openAcl).isTrue();
    }

    @Test
    void theAclOfEachWay() throws Exception {
        assertThat(ZooKeeperAcls.of(withSecret().openAcl(true).build().config())).isEqualTo(ZooDefs.Ids.OPEN_ACL_UNSAFE);
        assertThat(ZooKeeperAcls.of(withSecret().digestAcl("ds", "pw").build().config())).containsExactly(
                new ACL(ZooDefs.Perms.ALL, new Id("digest", DigestAuthenticationProvider.generateDigest("ds:pw"))));
        assertThat(ZooKeeperAcls.of(withSecret().saslAcl("ds/host@REALM").saslAcl("ops").build().config())).containsExactly(
                new ACL(ZooDefs.Perms.ALL, new Id("sasl", "ds/host@REALM")), new ACL(ZooDefs.Perms.ALL, new Id("sasl", "ops")));
        List<ACL> both = ZooKeeperAcls.of(withSecret().digestAcl("ds", "pw").saslAcl("ops").build().config());
        assertThat(both).hasSize(2);
        assertThat(ZooKeeperAcls.describe(both)).isEqualTo("[digest:ds:…:cdrwa, sasl:ops:cdrwa]")
                .as("no password hash in messages").doesNotContain(DigestAuthenticationProvider.generateDigest("ds:pw")
                        .substring(3));
    }

    private static ZooKeeperBackend provided(Map<String, String> settings, Map<String, String> environment) {
        Map<String, String> all = new HashMap<>(settings);
        all.put("connectString", "zk:2181");
        all.put("secret", "acl-settings-test-cluster-secret-0123");
        return (ZooKeeperBackend) new ZooKeeperBackendProvider(environment).create(all);
    }

    @Test
    void theProviderTakesCredentialsFromASettingAFileOrTheEnvironment(@TempDir Path dir) throws Exception {
        Map<String, String> noEnv = Map.of();
        assertThat(provided(Map.of("digestAcl", "ds:pw:with:colons"), noEnv).config().digestPassword)
                .isEqualTo("pw:with:colons");
        Path file = dir.resolve("zk-acl");
        Files.writeString(file, "ds:from-file\n");
        ZooKeeperBackend.Builder fromFile = provided(Map.of("digestAclFile", file.toString()), noEnv).config();
        assertThat(fromFile.digestUser + ":" + fromFile.digestPassword).isEqualTo("ds:from-file");
        Map<String, String> env = Map.of(ZooKeeperBackendProvider.DIGEST_ACL_ENV, "ds:from-env");
        ZooKeeperBackend.Builder fromEnv = provided(Map.of(), env).config();
        assertThat(fromEnv.digestUser + ":" + fromEnv.digestPassword).isEqualTo("ds:from-env");
        assertThat(provided(Map.of("digestAcl", "ds:given"), env).config().digestPassword).as("a setting wins")
                .isEqualTo("given");
        assertThat(provided(Map.of("openAcl", "true"), env).config().digestUser).as("openAcl ignores the environment")
                .isNull();
        assertThat(provided(Map.of("saslAcl", "ops"), noEnv).config().saslPrincipals).containsExactly("ops");
    }

    @Test
    void theProviderRefusesMissingOrMalformedCredentialsWithoutShowingThem(@TempDir Path dir) {
        Map<String, String> noEnv = Map.of();
        assertThatThrownBy(() -> provided(Map.of(), noEnv)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("digestAcl").hasMessageContaining("openAcl(true)");
        assertThatThrownBy(() -> provided(Map.of("digestAcl", "no-colon-secret"), noEnv))
                .hasMessageContaining("user:password").message().doesNotContain("no-colon-secret");
        assertThatThrownBy(() -> provided(Map.of(), Map.of(ZooKeeperBackendProvider.DIGEST_ACL_ENV, "user:")))
                .hasMessageContaining(ZooKeeperBackendProvider.DIGEST_ACL_ENV);
        assertThatThrownBy(() -> provided(Map.of("digestAcl", "a:b", "digestAclFile", "/x"), noEnv))
                .hasMessageContaining("not both");
        assertThatThrownBy(() -> provided(Map.of("digestAclFile", dir.resolve("missing").toString()), noEnv))
                .hasMessageContaining("digestAclFile").hasMessageContaining("cannot read");
        assertThatThrownBy(() -> provided(Map.of("openAcl", "yes"), noEnv)).hasMessageContaining("true or false");
        assertThatThrownBy(() -> provided(Map.of("openAcl", "true", "digestAcl", "a:b"), noEnv))
                .hasMessageContaining("set one or the other");
    }
}
