package io.distributedsupervisor.spring;

import io.distributedsupervisor.Rebalance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The supervisor's settings under {@code distributed-supervisor.*}. Each maps to the
 * {@link io.distributedsupervisor.SupervisorOptions.Builder} method of the same name; an unset
 * one keeps that builder's default. {@code backend} names the backend provider and
 * {@code zookeeper} / {@code inmemory} are the settings handed to it, as
 * {@code backend(name, Map)} takes them (for ZooKeeper: {@code connectString}, {@code secret},
 * {@code digestAcl}, {@code sessionTimeout}, ...).
 */
@ConfigurationProperties(prefix = "distributed-supervisor")
public class DistributedSupervisorProperties {
    /** Whether to auto-configure a supervisor at all. */
    private boolean enabled = true;
    /** The supervisor's name, the same on every node. */
    private String name = "default";
    /** This node's name, unique in the cluster; default: host name and process id. */
    private String nodeName;
    /** The backend provider: zookeeper or inmemory; default: the single one on the class path. */
    private String backend;
    /** Settings of the zookeeper backend. */
    private Map<String, String> zookeeper = new LinkedHashMap<>();
    /** Settings of the inmemory backend. */
    private Map<String, String> inmemory = new LinkedHashMap<>();
    /** Classes the default codec may carry beyond its defaults (patterns like com.example.**). */
    private List<String> allowList = new ArrayList<>();
    /** Restrict the ring to these nodes; empty: every live member. */
    private List<String> nodes = new ArrayList<>();
    /** Store specs so that children survive the loss of their node (default true). */
    private Boolean cacheChildren;
    /** Node up/down events to listeners; needed for rebalance=active (default false). */
    private Boolean monitorNodes;
    /** Whether running children move to a node that joins: passive (default) or active. */
    private Rebalance rebalance;
    /** Default timeout of call and of startChild (default 5s). */
    private Duration callTimeout;
    /** How long the drain at the context's close may hand children over (default 30s). */
    private Duration drainTimeout;
    /** How long a starting node holds back stored children without owner (default 3s; 0 turns it off). */
    private Duration settleTime;
    /** The slow timer of the failover reconciliation (default 10s). */
    private Duration reconcileInterval;
    /** Restarts of one child allowed within max-restart-window before it is given up (default 100). */
    private Integer maxRestarts;
    /** The window of max-restarts (default 1s). */
    private Duration maxRestartWindow;
    /** Messages a child may have waiting; beyond, MailboxFullException (default 100000). */
    private Integer mailboxLimit;
    /** Planned moves this node starts within any one second (default 500). */
    private Integer maxMovesPerSecond;
    /** Planned moves under way at once on this node (default 64). */
    private Integer maxMovesInFlight;
    /** Also use every Listener found by ServiceLoader (default true). */
    private Boolean serviceLoaderListeners;

    public boolean isEnabled() { return enabled; }
    public void setEnabled(boolean enabled) { this.enabled = enabled; }
    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public String getNodeName() { return nodeName; }
    public void setNodeName(String nodeName) { this.nodeName = nodeName; }
    public String getBackend() { return backend; }
    public void setBackend(String backend) { this.backend = backend; }
    public Map<String, String> getZookeeper() { return zookeeper; }
    public void setZookeeper(Map<String, String> zookeeper) { this.zookeeper = zookeeper; }
    public Map<String, String> getInmemory() { return inmemory; }
    public void setInmemory(Map<String, String> inmemory) { this.inmemory = inmemory; }
    public List<String> getAllowList() { return allowList; }
    public void setAllowList(List<String> allowList) { this.allowList = allowList; }
    public List<String> getNodes() { return nodes; }
    public void setNodes(List<String> nodes) { this.nodes = nodes; }
    public Boolean getCacheChildren() { return cacheChildren; }
    public void setCacheChildren(Boolean cacheChildren) { this.cacheChildren = cacheChildren; }
    public Boolean getMonitorNodes() { return monitorNodes; }
    public void setMonitorNodes(Boolean monitorNodes) { this.monitorNodes = monitorNodes; }
    public Rebalance getRebalance() { return rebalance; }
    public void setRebalance(Rebalance rebalance) { this.rebalance = rebalance; }
    public Duration getCallTimeout() { return callTimeout; }
    public void setCallTimeout(Duration callTimeout) { this.callTimeout = callTimeout; }
    public Duration getDrainTimeout() { return drainTimeout; }
    public void setDrainTimeout(Duration drainTimeout) { this.drainTimeout = drainTimeout; }
    public Duration getSettleTime() { return settleTime; }
    public void setSettleTime(Duration settleTime) { this.settleTime = settleTime; }
    public Duration getReconcileInterval() { return reconcileInterval; }
    public void setReconcileInterval(Duration reconcileInterval) { this.reconcileInterval = reconcileInterval; }
    public Integer getMaxRestarts() { return maxRestarts; }
    public void setMaxRestarts(Integer maxRestarts) { this.maxRestarts = maxRestarts; }
    public Duration getMaxRestartWindow() { return maxRestartWindow; }
    public void setMaxRestartWindow(Duration maxRestartWindow) { this.maxRestartWindow = maxRestartWindow; }
    public Integer getMailboxLimit() { return mailboxLimit; }
    public void setMailboxLimit(Integer mailboxLimit) { this.mailboxLimit = mailboxLimit; }
    public Integer getMaxMovesPerSecond() { return maxMovesPerSecond; }
    public void setMaxMovesPerSecond(Integer maxMovesPerSecond) { this.maxMovesPerSecond = maxMovesPerSecond; }
    public Integer getMaxMovesInFlight() { return maxMovesInFlight; }
    public void setMaxMovesInFlight(Integer maxMovesInFlight) { this.maxMovesInFlight = maxMovesInFlight; }
    public Boolean getServiceLoaderListeners() { return serviceLoaderListeners; }
    public void setServiceLoaderListeners(Boolean serviceLoaderListeners) { this.serviceLoaderListeners = serviceLoaderListeners; }
}
