package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.ChildSpec;
import java.io.Serializable;

/** What a {@code children/<key>} znode holds, through the codec: the spec and its explicit node (or null). */
record StoredSpec(ChildSpec spec, String node) implements Serializable {
}
