package io.distributedsupervisor.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * bom/pom.xml has no parent (a user who imports it would get the parent's dependencyManagement of
 * test tools as well), so its version and the versions it pins are kept in step with the parent
 * POM by hand. This test is the check: the same version, the same Netty, Curator, ZooKeeper and
 * Jackson, and every published module (every module without {@code maven.deploy.skip}) in the
 * BOM.
 */
class BomAlignmentTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final List<String> PINNED = List.of("netty.version", "curator.version", "zookeeper.version",
            "jackson.version");

    @Test
    void theBomPinsWhatTheBuildUses() throws Exception {
        Element parent = read(ROOT.resolve("pom.xml"));
        Element bom = read(ROOT.resolve("bom/pom.xml"));

        assertThat(child(bom, "parent")).as("the BOM has no parent").isNull();
        assertThat(text(bom, "version")).as("the BOM's version").isEqualTo(text(parent, "version"));
        for (String property : PINNED) {
            assertThat(text(child(bom, "properties"), property)).as("bom/pom.xml's " + property)
                    .isNotNull()
                    .isEqualTo(text(child(parent, "properties"), property));
        }

        Set<String> published = new TreeSet<>();
        for (Element module : children(child(parent, "modules"), "module")) {
            Path pom = ROOT.resolve(module.getTextContent().trim()).resolve("pom.xml");
            Element project = read(pom);
            Element properties = child(project, "properties");
            boolean skipped = "true".equals(properties == null ? null : text(properties, "maven.deploy.skip"));
            if (!skipped && !"pom".equals(text(project, "packaging"))) {
                published.add(text(project, "artifactId"));
            }
        }
        Set<String> managed = new TreeSet<>();
        for (Element dependency : children(child(child(bom, "dependencyManagement"), "dependencies"), "dependency")) {
            if ("io.distributedsupervisor".equals(text(dependency, "groupId"))) {
                managed.add(text(dependency, "artifactId"));
                assertThat(text(dependency, "version")).isEqualTo("${project.version}");
            }
        }
        assertThat(published).as("the published modules").contains("distributed-supervisor-api");
        assertThat(managed).as("the modules bom/pom.xml manages").isEqualTo(published);
    }

    private static Element read(Path pom) throws Exception {
        assertThat(pom).exists();
        try (var in = Files.newInputStream(pom)) {
            return DocumentBuilderFactory.newDefaultInstance().newDocumentBuilder().parse(in).getDocumentElement();
        }
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> found = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                found.add(e);
            }
        }
        return found;
    }

    private static Element child(Element parent, String name) {
        List<Element> found = children(parent, name);
        return found.isEmpty() ? null : found.get(0);
    }

    private static String text(Element parent, String name) {
        Element e = child(parent, name);
        return e == null ? null : e.getTextContent().trim();
    }
}
