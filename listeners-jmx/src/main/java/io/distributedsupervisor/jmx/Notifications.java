package io.distributedsupervisor.jmx;

import io.distributedsupervisor.ChildStatus;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import javax.management.MBeanNotificationInfo;
import javax.management.Notification;
import javax.management.openmbean.ArrayType;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.CompositeDataSupport;
import javax.management.openmbean.CompositeType;
import javax.management.openmbean.OpenDataException;
import javax.management.openmbean.OpenType;
import javax.management.openmbean.SimpleType;

/**
 * The notifications the MBean sends and their {@code userData}: {@code CompositeData} of fixed
 * {@link CompositeType}s, so that a client needs no class of ours to read them.
 */
final class Notifications {
    /** userData of node up, down and terminate. */
    static final CompositeType NODE_EVENT;
    /** userData of a child given up. */
    static final CompositeType CHILD_EVENT;
    /** userData of a child's move. */
    static final CompositeType MOVE_EVENT;

    private static final String NODE_USER_DATA =
            "supervisor, reportedBy, node, reason, ringNodes (String[]), childIds (String[])";

    static final MBeanNotificationInfo[] INFO = {
            new MBeanNotificationInfo(new String[] {DistributedSupervisorMXBean.NODE_UP},
                    Notification.class.getName(), "A node joined the ring; sent by the one node that the ring gives the "
                    + "new node's name to (needs monitorNodes). userData: " + NODE_USER_DATA),
            new MBeanNotificationInfo(new String[] {DistributedSupervisorMXBean.NODE_DOWN},
                    Notification.class.getName(), "A node left the ring without closing; sent by the one node that the "
                    + "ring gives its name to (needs monitorNodes). userData: " + NODE_USER_DATA),
            new MBeanNotificationInfo(new String[] {DistributedSupervisorMXBean.NODE_TERMINATE},
                    Notification.class.getName(), "A node closed gracefully; sent by every other node. userData: "
                    + NODE_USER_DATA),
            new MBeanNotificationInfo(new String[] {DistributedSupervisorMXBean.CHILD_GIVEN_UP},
                    Notification.class.getName(), "A child crashed more than maxRestarts times within the window and "
                    + "was given up; sent by the node it ran on. userData: supervisor, reportedBy, childId, idType, pid, "
                    + "lastExit"),
            new MBeanNotificationInfo(new String[] {DistributedSupervisorMXBean.UNTRUSTED},
                    Notification.class.getName(), "This node ignores an entry of coordination storage it does not trust; "
                    + "the message names the entry and why. userData: none"),
            new MBeanNotificationInfo(new String[] {DistributedSupervisorMXBean.CHILD_MOVE},
                    Notification.class.getName(), "A planned move of a child of this node ended, one per move; sent by "
                    + "the node the child ran on. userData: supervisor, reportedBy, childId, idType, from, to, cause "
                    + "(JOIN, LEAVE, DRAIN, EXPLICIT), outcome (MOVED, VETOED, DROPPED, FAILED), tookMillis")
    };

    private static final String[] NODE_ITEMS = {"supervisor", "reportedBy", "node", "reason", "ringNodes", "childIds"};
    private static final String[] CHILD_ITEMS = {"supervisor", "reportedBy", "childId", "idType", "pid", "lastExit"};
    private static final String[] MOVE_ITEMS = {"supervisor", "reportedBy", "childId", "idType", "from", "to", "cause",
            "outcome", "tookMillis"};

    static {
        try {
            ArrayType<String[]> strings = ArrayType.getArrayType(SimpleType.STRING);
            NODE_EVENT = new CompositeType("io.distributedsupervisor.NodeEvent", "A node event of a supervisor",
                    NODE_ITEMS,
                    new String[] {"the supervisor's name", "the node that sent this notification", "the node the event is about",
                            "why, when known (else empty)", "the ring's nodes after the event, as the reporting node sees them",
                            "ids of the children the node ran when it closed (node terminate only, else empty)"},
                    new OpenType<?>[] {SimpleType.STRING, SimpleType.STRING, SimpleType.STRING, SimpleType.STRING, strings,
                            strings});
            CHILD_EVENT = new CompositeType("io.distributedsupervisor.ChildEvent", "A child event of a supervisor",
                    CHILD_ITEMS,
                    new String[] {"the supervisor's name", "the node that sent this notification", "the child's id as text",
                            "the id's type: string, long, int or uuid", "the incarnation that stopped",
                            "the exit that went over the limit"},
                    new OpenType<?>[] {SimpleType.STRING, SimpleType.STRING, SimpleType.STRING, SimpleType.STRING,
                            SimpleType.STRING, SimpleType.STRING});
            MOVE_EVENT = new CompositeType("io.distributedsupervisor.MoveEvent", "A planned move of a child",
                    MOVE_ITEMS,
                    new String[] {"the supervisor's name", "the node that sent this notification", "the child's id as text",
                            "the id's type: string, long, int or uuid", "the node the child ran on", "the node it was moved to",
                            "why: JOIN, LEAVE, DRAIN or EXPLICIT", "MOVED, VETOED, DROPPED or FAILED",
                            "from the move's start to the hand-over, ms; 0 for a move that did not start"},
                    new OpenType<?>[] {SimpleType.STRING, SimpleType.STRING, SimpleType.STRING, SimpleType.STRING,
                            SimpleType.STRING, SimpleType.STRING, SimpleType.STRING, SimpleType.STRING, SimpleType.LONG});
        } catch (OpenDataException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Notifications() {
    }

    static CompositeData nodeEvent(String supervisor, String reportedBy, String node, String reason, List<String> ring,
                                   List<ChildStatus> children) {
        String[] ids = children.stream().map(s -> String.valueOf(s.id())).sorted().toArray(String[]::new);
        return composite(NODE_EVENT, NODE_ITEMS, supervisor, reportedBy, node, reason, ring.toArray(String[]::new), ids);
    }

    static CompositeData childEvent(String supervisor, String reportedBy, Object id, String pid, String lastExit) {
        return composite(CHILD_EVENT, CHILD_ITEMS, supervisor, reportedBy, String.valueOf(id), ChildInfo.idType(id), pid,
                lastExit);
    }

    static CompositeData moveEvent(String supervisor, String reportedBy, Object id, String from, String to, String cause,
                                   String outcome, long tookMillis) {
        return composite(MOVE_EVENT, MOVE_ITEMS, supervisor, reportedBy, String.valueOf(id), ChildInfo.idType(id), from, to,
                cause, outcome, tookMillis);
    }

    /** The ring's nodes from a node event's {@code info}, which the runtime fills with {@code "nodes"}. */
    static List<String> ringNodes(Map<String, Object> info) {
        Object nodes = info == null ? null : info.get("nodes");
        if (nodes instanceof Collection<?> c) {
            return c.stream().map(String::valueOf).sorted().toList();
        }
        return List.of();
    }

    private static CompositeData composite(CompositeType type, String[] names, Object... values) {
        try {
            return new CompositeDataSupport(type, names, values);
        } catch (OpenDataException e) {
            // The types are fixed above and every value is built to match them.
            throw new IllegalStateException("notification data does not match " + type.getTypeName(), e);
        }
    }
}
