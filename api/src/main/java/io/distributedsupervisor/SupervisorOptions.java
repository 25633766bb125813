package io.distributedsupervisor;

import io.distributedsupervisor.codec.CborCodec;
import io.distributedsupervisor.spi.Backend;
import io.distributedsupervisor.spi.Listener;
import io.distributedsupervisor.spi.MessageCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The options of {@link DistributedSupervisor#start}: the Elixir library's {@code start_link}
 * options plus what a JVM cluster needs. Immutable; made with {@link #builder(String)}, which
 * checks every value when it is set or at {@link Builder#build()}, so a bad option fails at once
 * with a message that names it.
 *
 * <table>
 *   <caption>Options and defaults</caption>
 *   <tr><th>option</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>name</td><td>required</td><td>{@code [A-Za-z0-9_.-]{1,64}}: the supervisor, the same on every node</td></tr>
 *   <tr><td>nodeName</td><td>host name + "-" + process id</td><td>this node's name, unique in the cluster</td></tr>
 *   <tr><td>cacheChildren</td><td>true</td><td>store specs so children survive the loss of their node</td></tr>
 *   <tr><td>nodes</td><td>empty: every live member</td><td>restrict the ring to these nodes</td></tr>
 *   <tr><td>monitorNodes</td><td>false</td><td>node up/down events to listeners; allows ACTIVE rebalance
 *       (the ring follows membership either way, unlike Elixir's {@code monitor_nodes})</td></tr>
 *   <tr><td>rebalance</td><td>PASSIVE</td><td>whether running children move to a node that joins</td></tr>
 *   <tr><td>listeners</td><td>none, plus ServiceLoader's</td><td>process and node events</td></tr>
 *   <tr><td>serviceLoaderListeners</td><td>true</td><td>also use every {@link Listener} found by ServiceLoader</td></tr>
 *   <tr><td>backend</td><td>the single BackendProvider on the class path</td><td>coordination storage and transport</td></tr>
 *   <tr><td>maxRestarts / maxRestartWindow</td><td>100 in 1 s</td><td>per child; more crashes than that give it up</td></tr>
 *   <tr><td>callTimeout</td><td>5 s</td><td>default timeout of call and of startChild</td></tr>
 *   <tr><td>reconcileInterval</td><td>10 s</td><td>the slow timer of the failover reconciliation</td></tr>
 *   <tr><td>settleTime</td><td>3 s</td><td>how long a node that has just started holds back the stored
 *       children without owner that it found, so that nodes starting together share them by the ring
 *       (see {@link Builder#settleTime}); 0: off</td></tr>
 *   <tr><td>codec / allowList</td><td>CBOR behind the default allow-list</td><td>how payloads cross between nodes;
 *       the classes that may (see {@link CborCodec})</td></tr>
 *   <tr><td>mailboxLimit</td><td>100,000</td><td>messages a child may have waiting; beyond,
 *       {@link MailboxFullException}</td></tr>
 *   <tr><td>drainTimeout</td><td>30 s</td><td>how long {@code drain()} and {@code close()} hand children over;
 *       what is left then starts afresh elsewhere, as after a crash</td></tr>
 *   <tr><td>shutdownHook</td><td>true</td><td>a JVM shutdown hook (SIGTERM, {@code System.exit}) runs
 *       {@code close()}, so the children move instead of waiting for the node's session to expire</td></tr>
 *   <tr><td>maxMovesPerSecond</td><td>500</td><td>planned moves ({@link MoveCause#JOIN},
 *       {@link MoveCause#EXPLICIT}) this node starts within any one second</td></tr>
 *   <tr><td>maxMovesInFlight</td><td>64</td><td>such moves under way at once on this node</td></tr>
 *   <tr><td>moveVeto</td><td>{@link MoveVeto#allowAll()}</td><td>asked before each planned move</td></tr>
 *   <tr><td>childInstantiator</td><td>{@link ChildInstantiator#reflective()}</td><td>builds each
 *       incarnation's instance from the spec's class and argument; the dependency-injection hook</td></tr>
 *   <tr><td>ticker / scheduler</td><td>{@link Ticker#system()}, {@link Scheduler#system()}</td><td>the runtime's
 *       time, injectable for tests</td></tr>
 * </table>
 */
public final class SupervisorOptions {
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    static final Pattern NODE_NAME = Pattern.compile("[A-Za-z0-9_.@-]{1,128}");

    private final String name;
    private final String nodeName;
    private final boolean cacheChildren;
    private final List<String> nodes;
    private final boolean monitorNodes;
    private final Rebalance rebalance;
    private final List<Listener> listeners;
    private final boolean serviceLoaderListeners;
    private final Backend backend;
    private final String backendName;
    private final Map<String, String> backendConfig;
    private final int maxRestarts;
    private final Duration maxRestartWindow;
    private final Duration callTimeout;
    private final Duration reconcileInterval;
    private final Duration settleTime;
    private final MessageCodec codec;
    private final int mailboxLimit;
    private final Duration drainTimeout;
    private final boolean shutdownHook;
    private final int maxMovesPerSecond;
    private final int maxMovesInFlight;
    private final MoveVeto moveVeto;
    private final Ticker ticker;
    private final Scheduler scheduler;
    private final ChildInstantiator childInstantiator;

    private SupervisorOptions(Builder b) {
        this.name = b.name;
        this.nodeName = b.nodeName != null ? b.nodeName : defaultNodeName();
        this.cacheChildren = b.cacheChildren;
        this.nodes = List.copyOf(b.nodes);
        this.monitorNodes = b.monitorNodes;
        this.rebalance = b.rebalance;
        this.listeners = List.copyOf(b.listeners);
        this.serviceLoaderListeners = b.serviceLoaderListeners;
        this.backend = b.backend;
        this.backendName = b.backendName;
        this.backendConfig = Map.copyOf(b.backendConfig);
        this.maxRestarts = b.maxRestarts;
        this.maxRestartWindow = b.maxRestartWindow;
        this.callTimeout = b.callTimeout;
        this.reconcileInterval = b.reconcileInterval;
        this.settleTime = b.settleTime;
        this.codec = b.codec != null ? b.codec : CborCodec.allowing(b.allowList);
        this.mailboxLimit = b.mailboxLimit;
        this.drainTimeout = b.drainTimeout;
        this.shutdownHook = b.shutdownHook;
        this.maxMovesPerSecond = b.maxMovesPerSecond;
        this.maxMovesInFlight = b.maxMovesInFlight;
        this.moveVeto = b.moveVeto;
        this.ticker = b.ticker;
        this.scheduler = b.scheduler;
        this.childInstantiator = b.childInstantiator;
    }

    /**
     * A builder for a supervisor named {@code name}.
     *
     * @throws IllegalArgumentException if the name does not match {@code [A-Za-z0-9_.-]{1,64}}
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    private static String defaultNodeName() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "node";
        }
        String cleaned = host.replaceAll("[^A-Za-z0-9_.-]", "_");
        if (cleaned.length() > 100) {
            cleaned = cleaned.substring(0, 100);
        }
        return cleaned + "-" + ProcessHandle.current().pid();
    }

    public String name() {
        return name;
    }

    public String nodeName() {
        return nodeName;
    }

    public boolean cacheChildren() {
        return cacheChildren;
    }

    /** The nodes the ring is restricted to; empty means every live member. */
    public List<String> nodes() {
        return nodes;
    }

    public boolean monitorNodes() {
        return monitorNodes;
    }

    public Rebalance rebalance() {
        return rebalance;
    }

    /** The listeners given explicitly (ServiceLoader's are added at start). */
    public List<Listener> listeners() {
        return listeners;
    }

    public boolean serviceLoaderListeners() {
        return serviceLoaderListeners;
    }

    /** The backend instance given, if any; the supervisor does not close it. */
    public Optional<Backend> backend() {
        return Optional.ofNullable(backend);
    }

    /** The BackendProvider name given, if any; a backend made from it is closed with the supervisor. */
    public Optional<String> backendName() {
        return Optional.ofNullable(backendName);
    }

    public Map<String, String> backendConfig() {
        return backendConfig;
    }

    public int maxRestarts() {
        return maxRestarts;
    }

    public Duration maxRestartWindow() {
        return maxRestartWindow;
    }

    public Duration drainTimeout() {
        return drainTimeout;
    }

    public boolean shutdownHook() {
        return shutdownHook;
    }

    public Duration callTimeout() {
        return callTimeout;
    }

    public Duration reconcileInterval() {
        return reconcileInterval;
    }

    /** How long after its start this node holds back the orphans it found; zero: not at all (see {@link Builder#settleTime}). */
    public Duration settleTime() {
        return settleTime;
    }

    /** The codec of every payload that crosses to another node, and of stored specs. */
    public MessageCodec codec() {
        return codec;
    }

    /** How many messages a child of this node may have waiting before more are refused. */
    public int mailboxLimit() {
        return mailboxLimit;
    }

    /**
     * How many {@link MoveCause#JOIN} and {@link MoveCause#EXPLICIT} moves this node starts within
     * any one second, at most.
     */
    public int maxMovesPerSecond() {
        return maxMovesPerSecond;
    }

    /** How many {@link MoveCause#JOIN} and {@link MoveCause#EXPLICIT} moves this node has under way at once, at most. */
    public int maxMovesInFlight() {
        return maxMovesInFlight;
    }

    /** Asked before each planned move of a child of this node. */
    public MoveVeto moveVeto() {
        return moveVeto;
    }

    public Ticker ticker() {
        return ticker;
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    /** Builds each incarnation's instance; see {@link ChildInstantiator}. */
    public ChildInstantiator childInstantiator() {
        return childInstantiator;
    }

    @Override
    public String toString() {
        return "SupervisorOptions{name=" + name + ", node=" + nodeName + ", cacheChildren=" + cacheChildren
                + ", nodes=" + nodes + ", monitorNodes=" + monitorNodes + ", rebalance=" + rebalance
                + ", listeners=" + listeners.size() + ", maxRestarts=" + maxRestarts + "/" + maxRestartWindow
                + ", callTimeout=" + callTimeout + ", settleTime=" + settleTime + "}";
    }

    /** Builds {@link SupervisorOptions}; not thread-safe. */
    public static final class Builder {
        private final String name;
        private String nodeName;
        private boolean cacheChildren = true;
        private List<String> nodes = List.of();
        private boolean monitorNodes;
        private Rebalance rebalance = Rebalance.PASSIVE;
        private final List<Listener> listeners = new ArrayList<>();
        private boolean serviceLoaderListeners = true;
        private Backend backend;
        private String backendName;
        private Map<String, String> backendConfig = Map.of();
        private int maxRestarts = 100;
        private Duration maxRestartWindow = Duration.ofSeconds(1);
        private Duration callTimeout = Duration.ofSeconds(5);
        private Duration reconcileInterval = Duration.ofSeconds(10);
        private Duration settleTime = Duration.ofSeconds(3);
        private MessageCodec codec;
        private List<String> allowList = List.of();
        private int mailboxLimit = 100_000;
        private Duration drainTimeout = Duration.ofSeconds(30);
        private boolean shutdownHook = true;
        private int maxMovesPerSecond = 500;
        private int maxMovesInFlight = 64;
        private MoveVeto moveVeto = MoveVeto.allowAll();
        private Ticker ticker = Ticker.system();
        private Scheduler scheduler = Scheduler.system();
        private ChildInstantiator childInstantiator = ChildInstantiator.reflective();

        private Builder(String name) {
            Objects.requireNonNull(name, "supervisor name");
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("invalid supervisor name '" + name
                        + "': use 1 to 64 characters of A-Z a-z 0-9 _ . -");
            }
            this.name = name;
        }

        /** This node's name: 1 to 128 characters of A-Z a-z 0-9 _ . @ -, unique in the cluster. */
        public Builder nodeName(String nodeName) {
            Objects.requireNonNull(nodeName, "nodeName");
            if (!NODE_NAME.matcher(nodeName).matches()) {
                throw new IllegalArgumentException("invalid node name '" + nodeName
                        + "': use 1 to 128 characters of A-Z a-z 0-9 _ . @ -");
            }
            this.nodeName = nodeName;
            return this;
        }

        public Builder cacheChildren(boolean cacheChildren) {
            this.cacheChildren = cacheChildren;
            return this;
        }

        /** Restricts the ring to these node names (those of them that are live). */
        public Builder nodes(List<String> nodes) {
            Objects.requireNonNull(nodes, "nodes");
            for (String n : nodes) {
                Objects.requireNonNull(n, "a node in nodes");
                if (!NODE_NAME.matcher(n).matches()) {
                    throw new IllegalArgumentException("invalid node name in nodes: '" + n + "'");
                }
            }
            this.nodes = List.copyOf(nodes);
            return this;
        }

        /**
         * Whether listeners get node up and down events ({@link Listener#onNodeUp},
         * {@link Listener#onNodeDown}), and whether {@link Rebalance#ACTIVE} may be chosen. Default
         * {@code false}.
         *
         * <p>Unlike the Elixir library's {@code monitor_nodes} option, this does <em>not</em> decide
         * whether the hash ring follows the cluster: here the ring always follows live membership
         * (restricted to {@link #nodes} when given), with either value, so every node computes the
         * same placement and the children of a lost node always start again on the survivors.
         * {@code false} only spares the listeners the node events (node terminate events, on a
         * graceful close, are sent either way).
         */
        public Builder monitorNodes(boolean monitorNodes) {
            this.monitorNodes = monitorNodes;
            return this;
        }

        public Builder rebalance(Rebalance rebalance) {
            this.rebalance = Objects.requireNonNull(rebalance, "rebalance");
            return this;
        }

        /** Adds listeners (in addition to those found by ServiceLoader, unless switched off). */
        public Builder listeners(List<? extends Listener> listeners) {
            Objects.requireNonNull(listeners, "listeners");
            listeners.forEach(l -> this.listeners.add(Objects.requireNonNull(l, "a listener")));
            return this;
        }

        /**
         * Whether every {@link Listener} found by {@link java.util.ServiceLoader} is added too; default
         * true. One whose class is among those given to {@link #listeners} is left out: the one given replaces it.
         */
        public Builder serviceLoaderListeners(boolean enabled) {
            this.serviceLoaderListeners = enabled;
            return this;
        }

        /** Uses this backend instance; the caller keeps ownership and closes it. */
        public Builder backend(Backend backend) {
            this.backend = Objects.requireNonNull(backend, "backend");
            this.backendName = null;
            return this;
        }

        /** Uses the BackendProvider of this name, found by ServiceLoader, with this configuration. */
        public Builder backend(String providerName, Map<String, String> config) {
            this.backendName = Objects.requireNonNull(providerName, "backend provider name");
            this.backendConfig = Map.copyOf(Objects.requireNonNull(config, "backend config"));
            this.backend = null;
            return this;
        }

        /** Restarts allowed per child within {@link #maxRestartWindow}; 0 gives a child up at its first crash. */
        public Builder maxRestarts(int maxRestarts) {
            if (maxRestarts < 0) {
                throw new IllegalArgumentException("maxRestarts must not be negative: " + maxRestarts);
            }
            this.maxRestarts = maxRestarts;
            return this;
        }

        public Builder maxRestartWindow(Duration window) {
            this.maxRestartWindow = positive(window, "maxRestartWindow");
            return this;
        }

        public Builder callTimeout(Duration timeout) {
            this.callTimeout = positive(timeout, "callTimeout");
            return this;
        }

        /**
         * How long {@code drain()} and {@code close()} may take to hand this node's children over
         * (default 30 s, as Kubernetes' default grace period). A child not handed over by then is
         * left to the ordinary failover: it starts afresh on the ring's node when this node's
         * session closes, without its handed-over state, and the drain reports it.
         */
        public Builder drainTimeout(Duration timeout) {
            this.drainTimeout = positive(timeout, "drainTimeout");
            return this;
        }

        /**
         * Whether a JVM shutdown hook closes this node (default true): on SIGTERM or
         * {@code System.exit} the node drains, its children move to the other nodes with their
         * handed-over state, and callers see no failure; without it they wait for this node's
         * session to expire (15 s by default on ZooKeeper). Turn it off only to close the node in
         * a hook of your own. The hook is removed when the node closes.
         */
        public Builder shutdownHook(boolean on) {
            this.shutdownHook = on;
            return this;
        }

        public Builder reconcileInterval(Duration interval) {
            this.reconcileInterval = positive(interval, "reconcileInterval");
            return this;
        }

        /**
         * How long a node that has just started waits before it claims the stored children it
         * <em>found</em> without an owner (default 3 s; zero turns it off). Without it, after a
         * restart of the whole cluster the first node up would claim every child (its ring is just
         * itself), and with {@link Rebalance#PASSIVE} they would stay there.
         *
         * <p>The rule: for {@code settleTime} after this node joined (its start; a new session after a
         * lost one does not start it again), it does not claim a stored spec without owner that the
         * ring places on it, unless it saw that spec's owner entry go while it ran. So:
         * <ul>
         *   <li>Nodes that all start within the settle time of each other share the children by the
         *       ring of all of them: when the first one's settle time is over, the others are members
         *       already, and each node claims only what that ring gives it.</li>
         *   <li>A node that stays alone starts every child once its settle time is over, no later.</li>
         *   <li>A failover is never delayed: the children of a node that dies or closes while this one
         *       runs lose their owner entries in its sight, and are claimed at once, by a node that is
         *       settling as by any other. A spec pinned to a live node ({@code startChild(spec, node)})
         *       is not held either (where it runs does not depend on who else joins), nor is any
         *       {@code startChild}: it never waits for the settle time.</li>
         *   <li>With {@link #nodes} given, the settle time ends as soon as every node listed is live:
         *       the ring cannot grow any more.</li>
         * </ul>
         * Set it to about how long your nodes take to start one after another; a node that starts
         * later than that gets the children the ring gives it only as new ones start, or by
         * {@link Rebalance#ACTIVE}. Measured on the {@link #ticker}.
         *
         * @throws IllegalArgumentException if negative
         */
        public Builder settleTime(Duration settleTime) {
            Objects.requireNonNull(settleTime, "settleTime");
            if (settleTime.isNegative()) {
                throw new IllegalArgumentException("settleTime must not be negative: " + settleTime);
            }
            this.settleTime = settleTime;
            return this;
        }

        /**
         * The codec of every payload that crosses to another node (arguments, messages, replies,
         * exceptions) and of stored specs. Every node of a cluster needs one that reads what the
         * others write. Default: {@link CborCodec} with the default allow-list plus
         * {@link #allowList}.
         */
        public Builder codec(MessageCodec codec) {
            this.codec = Objects.requireNonNull(codec, "codec");
            return this;
        }

        /**
         * Classes the default codec may carry beyond its defaults: your child classes, their
         * arguments, messages, replies and exceptions. Patterns as {@link java.io.ObjectInputFilter}
         * writes them: {@code com.example.Foo}, {@code com.example.*} (a package),
         * {@code com.example.**} (a package and its subpackages).
         *
         * @throws IllegalArgumentException if a pattern is malformed
         */
        public Builder allowList(Collection<String> patterns) {
            Objects.requireNonNull(patterns, "allowList");
            CborCodec.allowing(patterns); // checks the patterns now, naming a bad one
            this.allowList = List.copyOf(patterns);
            return this;
        }

        /**
         * How many messages a child of this node may have waiting (default 100,000): a message
         * beyond is refused with {@link MailboxFullException}, so that a child that cannot keep up
         * costs its node bounded memory and its senders learn of it at once.
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder mailboxLimit(int limit) {
            if (limit <= 0) {
                throw new IllegalArgumentException("mailboxLimit must be positive: " + limit);
            }
            this.mailboxLimit = limit;
            return this;
        }

        /**
         * How many planned moves of children ({@link MoveCause#JOIN}: {@link Rebalance#ACTIVE} after
         * a join; {@link MoveCause#EXPLICIT}: {@link DistributedSupervisor#rebalance()}) this node
         * starts within any one second, at most (default 500): the moves' start times never hold
         * more than this many within any window of one second. Moves beyond wait in a queue, in
         * order. The hand-overs of a closing or draining node ({@link MoveCause#LEAVE},
         * {@link MoveCause#DRAIN}) are not limited. Set it alike on every node: each node limits
         * the moves of its own children.
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder maxMovesPerSecond(int moves) {
            if (moves <= 0) {
                throw new IllegalArgumentException("maxMovesPerSecond must be positive: " + moves);
            }
            this.maxMovesPerSecond = moves;
            return this;
        }

        /**
         * How many {@link MoveCause#JOIN} and {@link MoveCause#EXPLICIT} moves this node has under
         * way at once, at most (default 64): a move is under way from its start until its child
         * was stopped here and handed over. The hand-overs of a closing or draining node are not
         * limited.
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder maxMovesInFlight(int moves) {
            if (moves <= 0) {
                throw new IllegalArgumentException("maxMovesInFlight must be positive: " + moves);
            }
            this.maxMovesInFlight = moves;
            return this;
        }

        /**
         * Asked before each planned move of a child of this node, whatever its {@link MoveCause}:
         * allow, delay (ask again later) or veto (the child stays). Default
         * {@link MoveVeto#allowAll()}. See {@link MoveVeto} for when and where it is called.
         */
        public Builder moveVeto(MoveVeto veto) {
            this.moveVeto = Objects.requireNonNull(veto, "moveVeto");
            return this;
        }

        /** The runtime's clock (default {@link Ticker#system()}); for tests that move time by hand. */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /** Where the runtime's timers run (default {@link Scheduler#system()}); for tests that fire them by hand. */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * How each incarnation's instance is built from its spec's class and argument (default
         * {@link ChildInstantiator#reflective()}): the hook for a container that injects the
         * child's dependencies. Install the same one on every node; see {@link ChildInstantiator}
         * for the contract.
         */
        public Builder childInstantiator(ChildInstantiator instantiator) {
            this.childInstantiator = Objects.requireNonNull(instantiator, "childInstantiator");
            return this;
        }

        private static Duration positive(Duration d, String what) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive: " + d);
            }
            return d;
        }

        /**
         * @throws IllegalArgumentException if {@code Rebalance.ACTIVE} is asked without {@code monitorNodes(true)},
         *                                  or both a codec and an allow-list for the default codec are given
         */
        public SupervisorOptions build() {
            if (rebalance == Rebalance.ACTIVE && !monitorNodes) {
                throw new IllegalArgumentException("Rebalance.ACTIVE needs monitorNodes(true)");
            }
            if (codec != null && !allowList.isEmpty()) {
                throw new IllegalArgumentException("allowList configures the default codec; a codec given with codec(...) "
                        + "has its own allow-list");
            }
            return new SupervisorOptions(this);
        }
    }
}
