package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.spi.OperatorRequest;
import io.distributedsupervisor.spi.Placement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;

/**
 * What an operator sees of a cluster on ZooKeeper, read directly from its znodes with a node's
 * own settings ({@link ZooKeeperSettings}): the supervisors under the namespace, their members,
 * children, owners, orphans, and live events; and the two writes an operator makes on purpose:
 * requests to the nodes (drain, move, rebalance, pause and resume of rebalancing, run by the
 * nodes themselves, see {@link #request}) and the purge of a supervisor's whole tree. This is
 * what the {@code ds} command-line tool is built on; it needs none of the user's classes.
 *
 * <p>Trust as the nodes have it: with the cluster secret, a member is {@linkplain MemberInfo#verified()
 * verified} when its znode carries a valid proof for the session that holds it, and an owner
 * entry when its proof is valid and its session is its node's verified member session; a
 * succession and a leaving marker count only with a valid proof; the ring is built from the
 * verified members that are not leaving. Without the secret nothing can be verified and every
 * readable member, succession and leaving marker is taken as it reads.
 *
 * <p>Owner entries outlive their sessions ({@link ZnodeLayout}): a child is reported with the
 * entry that stands for it, its own or, once a succession of its session applies, its heir's
 * ({@link SuccessionInfo}).
 *
 * <p>Every answer is an immutable snapshot. Thread-safe; {@link #close()} ends the ZooKeeper
 * session (and every watch of {@link #watch}).
 */
public final class ClusterInspector implements AutoCloseable {
    private final ZooKeeperBackend.Builder settings;
    private final CuratorFramework client;
    private final String describeServer;
    private final ZnodeReader reader;
    private final SupervisorStateReader states;
    private final OperatorRequestClient requests;
    private final SupervisorPurge purges;

    private ClusterInspector(ZooKeeperBackend.Builder settings, CuratorFramework client) {
        this.settings = settings;
        this.client = client;
        this.describeServer = "ZooKeeper at " + settings.connectString + ", namespace /" + settings.namespace;
        this.reader = new ZnodeReader(client, settings.namespace, settings.connectionTimeout, describeServer);
        this.states = new SupervisorStateReader(reader);
        this.requests = new OperatorRequestClient(client, reader, states);
        this.purges = new SupervisorPurge(client, reader);
    }

    /**
     * Connects with a node's settings (e.g. {@link ZooKeeperSettings#builder(java.util.Map)}):
     * its connect string, namespace, timeouts, ZooKeeper credentials and cluster secret. Neither
     * a secret nor credentials are required, unlike for a node: without a secret nothing is
     * verified and no request can be made; without credentials only world-readable znodes can
     * be read.
     *
     * @throws InspectionException {@link InspectionException.Kind#UNREACHABLE} when ZooKeeper
     *                             does not answer within the connection timeout
     */
    public static ClusterInspector connect(ZooKeeperBackend.Builder settings) {
        Objects.requireNonNull(settings, "settings");
        List<ACL> acl = ZooKeeperAcls.of(settings);
        // No credentials: the cluster can only be one with open ACLs, whose znodes are open too.
        List<ACL> ours = acl.isEmpty() ? new ArrayList<>(ZooDefs.Ids.OPEN_ACL_UNSAFE) : acl;
        CuratorFrameworkFactory.Builder b = CuratorFrameworkFactory.builder()
                .connectString(settings.connectString)
                .sessionTimeoutMs((int) settings.sessionTimeout.toMillis())
                .connectionTimeoutMs((int) settings.connectionTimeout.toMillis())
                .retryPolicy(settings.retryPolicy != null ? settings.retryPolicy : new ExponentialBackoffRetry(100, 3, 1000))
                .namespace(settings.namespace)
                .aclProvider(new ACLProvider() {
                    @Override
                    public List<ACL> getDefaultAcl() {
                        return ours;
                    }

                    @Override
                    public List<ACL> getAclForPath(String path) {
                        return ours;
                    }
                });
        byte[] digest = ZooKeeperAcls.digestAuth(settings);
        if (digest != null) {
            b.authorization("digest", digest);
        }
        CuratorFramework client = b.build();
        client.start();
        try {
            if (!client.blockUntilConnected((int) settings.connectionTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new InspectionException(InspectionException.Kind.UNREACHABLE, "ZooKeeper at "
                        + settings.connectString + " did not answer within " + settings.connectionTimeout.toMillis() + " ms"
                        + " (connectionTimeout): is it running, and is connectString right?");
            }
        } catch (InterruptedException e) {
            client.close();
            Thread.currentThread().interrupt();
            throw new InspectionException(InspectionException.Kind.FAILED, "interrupted while connecting to ZooKeeper", e);
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
        return new ClusterInspector(settings, client);
    }

    /** The namespace read, as configured (without a leading {@code /}). */
    public String namespace() {
        return settings.namespace;
    }

    /** Whether members and owners are verified: a cluster secret was given. */
    public boolean verifies() {
        return settings.secret != null && !settings.openMode;
    }

    // ---- what a supervisor holds ----

    /**
     * A member znode.
     *
     * @param node      its name
     * @param address   its transport address; null when the znode could not be read
     * @param startedAt when it joined, epoch milliseconds (0 when unknown)
     * @param version   the library version it runs
     * @param session   the ZooKeeper session that holds it
     * @param verified  whether its proof of the cluster secret is valid for that session
     * @param problem   why it is not verified (no secret given, or what is wrong); null when it is
     * @param leaving   whether it is leaving (a drain or close under way): its {@code leaving/}
     *                  marker is valid for its session; it keeps its children until they are
     *                  handed over, but is out of the ring and gets no new ones
     */
    public record MemberInfo(String node, String address, long startedAt, String version, long session,
                             boolean verified, String problem, boolean leaving) {
    }

    /**
     * The succession of an ended session: from its {@code czxid} on, each owner entry that
     * session left behind (older than it) stands for the heir that the ring over the heirs names
     * for its key, with the czxid as its epoch.
     *
     * @param node    the node whose session ended
     * @param session the ended session
     * @param czxid   the succession's creation zxid: the epoch of the entries the heirs inherit
     * @param heirs   the heirs' names, the members live when it was written
     */
    public record SuccessionInfo(String node, long session, long czxid, List<String> heirs) {
        public SuccessionInfo {
            heirs = List.copyOf(heirs);
        }
    }

    /**
     * A child: a stored spec, an owner entry, or both.
     *
     * @param key           its key in ZooKeeper
     * @param id            its id, decoded from the key (String, Integer, Long or UUID); the key
     *                      itself when it does not decode
     * @param stored        whether its spec is stored ({@code children/})
     * @param owner         the node that runs it: its owner entry's, or the heir's when a
     *                      succession applies to that entry; null when none stands for it (an
     *                      orphan when stored)
     * @param epoch         the standing entry's epoch (the claim's czxid, or the succession's),
     *                      the incarnation's first part; 0 without owner
     * @param restarts      restarts under that claim, the incarnation's second part (0 for an heir's)
     * @param ownerVerified whether the owner entry's proof checks out and the session it stands
     *                      for now is its node's verified member session
     * @param explicitNode  the node it was started on explicitly (it stays there), or null when
     *                      the ring places it
     * @param specClass     the child's class, as its stored spec names it; null when not stored
     *                      or not readable without the codec
     * @param ringNode      the node the ring of the live members gives its key to; null when no
     *                      member is live
     */
    public record ChildInfo(String key, Object id, boolean stored, String owner, long epoch, int restarts,
                            boolean ownerVerified, String explicitNode, String specClass, String ringNode) {
        /** The incarnation as {@code Incarnation.toString} writes it ({@code epoch.restarts}), or null without owner. */
        public String incarnation() {
            return owner == null ? null : epoch + "." + restarts;
        }

        /** Where it should run: its explicit node when that is live, else the ring's. */
        public String placedOn(Set<String> liveNodes) {
            return explicitNode != null && liveNodes.contains(explicitNode) ? explicitNode : ringNode;
        }
    }

    /**
     * A node's load against the ring.
     *
     * @param node    the node
     * @param live    whether it is a live member
     * @param running children whose owner entry names it
     * @param placed  stored children that should run there: the ring's share of the stored
     *                keys (every key placed on a ring of the live members built as the nodes
     *                build theirs) plus those started on it explicitly
     */
    public record NodeShare(String node, boolean live, int running, int placed) {
    }

    /**
     * One supervisor's state, read at one moment (the reads are not one transaction: a change
     * made while reading may show half).
     *
     * @param supervisor  the supervisor's name
     * @param layout      the content of its {@code layout} znode: {@link ZnodeLayout#VERSION} once a node of
     *                    this release started; {@code "none"} when it is missing (an empty supervisor, or the
     *                    first release's flat layout, whose entries are not read); another version when nodes of
     *                    another release run it (their owner entries are not read: children show no owner)
     * @param members     its members, by name
     * @param children    its children, by key
     * @param shares      each live node's load, and each node that owns children without being live
     * @param successions the successions of ended sessions that count (verified ones with a
     *                    secret), by session
     */
    public record SupervisorState(String supervisor, String layout, List<MemberInfo> members, List<ChildInfo> children,
                                  List<NodeShare> shares, List<SuccessionInfo> successions) {
        public SupervisorState {
            members = List.copyOf(members);
            children = List.copyOf(children);
            shares = List.copyOf(shares);
            successions = List.copyOf(successions);
        }

        /**
         * The names of the members in the ring: verified ones (every readable one without a
         * secret) that are not leaving.
         */
        public Set<String> liveNodes() {
            TreeSet<String> live = new TreeSet<>();
            members.stream().filter(m -> SupervisorStateReader.counts(m) && !m.leaving()).forEach(m -> live.add(m.node()));
            return live;
        }

        /** The names of the members that count and are leaving: out of the ring, handing their children over. */
        public Set<String> leavingNodes() {
            TreeSet<String> leaving = new TreeSet<>();
            members.stream().filter(m -> SupervisorStateReader.counts(m) && m.leaving()).forEach(m -> leaving.add(m.node()));
            return leaving;
        }

        /** Stored children with no owner: waiting for a node to start them. */
        public List<ChildInfo> orphans() {
            return children.stream().filter(c -> c.stored() && c.owner() == null).toList();
        }

        /** Children started explicitly on a node that is not a live member. */
        public List<ChildInfo> pinnedToGone() {
            Set<String> live = liveNodes();
            return children.stream().filter(c -> c.explicitNode() != null && !live.contains(c.explicitNode())).toList();
        }

        /** The child with this id (as {@link Placement#keyOf} encodes it), if any. */
        public Optional<ChildInfo> child(Object id) {
            String key = Placement.keyOf(id);
            return children.stream().filter(c -> c.key().equals(key)).findFirst();
        }
    }

    /**
     * The supervisors under the namespace (its top-level folders), sorted.
     *
     * @throws InspectionException NOT_AUTHORIZED when the namespace is not readable with these credentials
     */
    public List<String> supervisors() {
        try {
            return client.getChildren().forPath("/").stream().sorted().toList();
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        } catch (Exception e) {
            throw reader.failure("/", e);
        }
    }

    /**
     * Reads one supervisor.
     *
     * @throws InspectionException NOT_FOUND when there is no such supervisor, NOT_AUTHORIZED when
     *                             its znodes are not readable with these credentials
     */
    public SupervisorState read(String supervisor) {
        return states.read(supervisor, requireSupervisor(supervisor), proofs(supervisor));
    }

    /** The id of a key, or the key itself when it does not decode. */
    static Object decode(String key) {
        try {
            return Placement.idOf(key);
        } catch (IllegalArgumentException e) {
            return key;
        }
    }

    // ---- live events ----

    /**
     * A change seen by {@link #watch}.
     *
     * @param at         when this inspector saw it
     * @param supervisor the supervisor
     * @param kind       what happened
     * @param subject    the member's name, the child's id (decoded as in {@link ChildInfo#id()}), the request's
     *                   name, or the ended session (16 hex digits) of a succession
     * @param node       the node concerned: a new owner's node, a new spec's explicit node, the node whose
     *                   session a succession succeeds; null otherwise
     * @param detail     a joining member's address, a new owner's incarnation, a succession's heirs and
     *                   epoch; null otherwise
     */
    public record Event(Instant at, String supervisor, EventKind kind, Object subject, String node, String detail) {
    }

    /**
     * What an {@link Event} says happened. A failover shows as {@code SESSION_SUCCEEDED}: the
     * ended session's owner entries stay, and stand for its heirs from then on.
     */
    public enum EventKind {
        MEMBER_JOINED, MEMBER_LEAVING, MEMBER_LEFT, OWNER_APPEARED, OWNER_VANISHED, SESSION_SUCCEEDED, SPEC_ADDED,
        SPEC_REMOVED, REQUEST_MADE, REQUEST_ANSWERED, REQUEST_DELETED
    }

    /**
     * Tells {@code events} every change under one supervisor (or the whole namespace, with a null
     * {@code supervisor}), from one ZooKeeper persistent recursive watch, in the order ZooKeeper
     * made them, on a thread of its own, until the returned handle is closed. A change that is
     * gone before it could be read (an owner entry made and deleted at once) is told without
     * its details. What a succession changes is told once, as the succession; the owner entries
     * it applies to do not change.
     *
     * @throws InspectionException NOT_FOUND when there is no such supervisor
     */
    public AutoCloseable watch(String supervisor, Consumer<Event> events) {
        Objects.requireNonNull(events, "events");
        String base = supervisor == null ? "/" : requireSupervisor(supervisor).supervisor();
        return ZnodeWatch.start(client, reader, settings.namespace, base, events);
    }

    // ---- operators' requests ----

    /**
     * A node's answer to a request.
     *
     * @param node   the node
     * @param status {@code ok}, {@code failed} (the operation threw: {@code text} says what) or
     *               {@code refused} (the node could not verify the request)
     * @param text   the outcome
     */
    public record Answer(String node, String status, String text) {
        public boolean ok() {
            return "ok".equals(status);
        }
    }

    /**
     * What became of a request.
     *
     * @param request  its znode's name (deleted once answered)
     * @param asked    the nodes it was for
     * @param answers  the answers, in the order they came
     * @param silent   nodes it was for that did not answer in time (or, for a drain, answered but
     *                 were still members when the time was up)
     * @param left     for a drain: the nodes whose drain was over in time (they closed their
     *                 supervisor, and each child they held was handed over or, if not in time,
     *                 inherited through the succession of their session)
     */
    public record RequestOutcome(String request, List<String> asked, List<Answer> answers, List<String> silent,
                                 List<String> left) {
        public RequestOutcome {
            asked = List.copyOf(asked);
            answers = List.copyOf(answers);
            silent = List.copyOf(silent);
            left = List.copyOf(left);
        }

        /** Every node asked answered {@code ok} (a drained one: or left without its answer), and, for a drain, left. */
        public boolean succeeded() {
            return silent.isEmpty() && answers.stream().allMatch(Answer::ok);
        }
    }

    /**
     * Asks the nodes of {@code supervisor} to run {@code action} and waits for their answers:
     * writes a request znode signed with the cluster secret under {@code requests/}, which the
     * node(s) watch; each runs it with its public operation and writes its outcome back. A drain
     * is answered when it starts, and then waited for until the node has left. The request is
     * deleted at the end, answered or not.
     *
     * @param node    the node to ask ({@link OperatorRequest.Action#DRAIN}, {@code MOVE}: the
     *                child's new node, which runs the move); null for every live member
     *                ({@code REBALANCE} and the pause and resume of rebalancing)
     * @param childId {@code MOVE}: the child's id (String, Integer, Long or UUID); else null
     * @param timeout how long to wait for the answers (and a drain's end)
     * @throws InspectionException REFUSED without a cluster secret (unless in open mode),
     *                             NOT_FOUND for an unknown supervisor, node or child
     */
    public RequestOutcome request(String supervisor, OperatorRequest.Action action, String node, Object childId,
                                  Duration timeout) {
        Objects.requireNonNull(action, "action");
        if (settings.secret == null && !settings.openMode) {
            throw new InspectionException(InspectionException.Kind.REFUSED, "a request to the nodes is signed with the "
                    + "cluster secret, and none was given: set DS_CLUSTER_SECRET or the setting secretFile as the nodes have it");
        }
        SupervisorState state = read(supervisor);
        return requests.request(state, proofs(supervisor), action, node, childId, timeout);
    }

    /** When a drain of {@code node} is over: see {@link OperatorRequestClient#drained}. */
    java.util.function.Predicate<String> drained(SupervisorState state, String node) {
        return requests.drained(state, node, proofs(state.supervisor()));
    }

    // ---- purge ----

    /**
     * What a purge deleted.
     *
     * @param supervisor the supervisor
     * @param specs      the stored specs it held
     * @param znodes     every znode deleted, the supervisor's own included
     */
    public record PurgeResult(String supervisor, int specs, int znodes) {
    }

    /**
     * Deletes a supervisor's whole tree: members, leaving markers, specs, owner entries,
     * successions, requests, the layout marker (everything under its znode). Refused while
     * any member znode exists, unless {@code force}: live nodes would go on with their children
     * while the cluster's record of them is gone.
     *
     * @throws InspectionException NOT_FOUND for an unknown supervisor, REFUSED while members
     *                             live without {@code force}
     */
    public PurgeResult purge(String supervisor, boolean force) {
        ZnodeLayout layout = requireSupervisor(supervisor);
        return purges.purge(supervisor, layout, force);
    }

    // ---- reading ----

    private MemberProofs proofs(String supervisor) {
        return MemberProofs.of(settings, supervisor);
    }

    private ZnodeLayout requireSupervisor(String supervisor) {
        Objects.requireNonNull(supervisor, "supervisor");
        if (supervisor.isEmpty() || supervisor.contains("/")) {
            throw new InspectionException(InspectionException.Kind.NOT_FOUND, "'" + supervisor
                    + "' is no supervisor name (a name without /)");
        }
        ZnodeLayout layout = ZnodeLayout.of(supervisor);
        try {
            if (client.checkExists().forPath(layout.supervisor()) == null) {
                List<String> known = supervisors();
                throw new InspectionException(InspectionException.Kind.NOT_FOUND, "no supervisor " + supervisor + " in "
                        + describeServer + " (there " + (known.isEmpty() ? "is none" : "are: " + String.join(", ", known))
                        + ")");
            }
        } catch (InspectionException e) {
            throw e;
        } catch (Exception e) {
            throw reader.failure(layout.supervisor(), e);
        }
        return layout;
    }

    @Override
    public void close() {
        client.close();
    }

    @Override
    public String toString() {
        return "ClusterInspector{" + describeServer + "}";
    }
}
