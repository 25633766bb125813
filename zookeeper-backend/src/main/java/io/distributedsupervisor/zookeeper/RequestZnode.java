package io.distributedsupervisor.zookeeper;

import io.distributedsupervisor.spi.OperatorRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The text of a {@code requests/<request>} znode: an operator's request and the outcomes the
 * nodes wrote back. Line-based UTF-8 like {@link ZnodeData}, so {@code zkCli.sh get} shows it:
 * <pre>
 * ds2-request
 * MOVE                   the action (an {@link OperatorRequest.Action})
 * node-b                 the node it is for, or * for every live member
 * sorder-17              MOVE: the child's key; else empty
 * node-c                 MOVE: the node to move it to; else empty
 * 1795000000000          when the tool made it, epoch milliseconds
 * 5f0c...                a random nonce: a request is run once
 * proof                  HMAC of the lines above (see {@link MemberProofs}), - in open mode
 * &#64;node-b ok moved ...   one line per node that answered: its node, ok, failed or refused, and a text
 * </pre>
 * Parsing refuses anything malformed with a message naming the problem.
 */
final class RequestZnode {
    static final String FORMAT = "ds2-request";
    /** For every live member. */
    static final String EVERY_NODE = "*";
    private static final int MAX_BYTES = 64 * 1024;

    private RequestZnode() {
    }

    /** A request as written: everything but the outcomes. */
    record Request(OperatorRequest.Action action, String to, String childKey, String node, long createdAt,
                   String nonce, String proof) {
        /** The lines the proof covers. */
        String body() {
            return String.join("\n", FORMAT, action.name(), to, childKey == null ? "" : childKey,
                    node == null ? "" : node, Long.toString(createdAt), nonce);
        }

        /** This request with the proof of {@code proofs} over its body. */
        Request signedBy(MemberProofs proofs) {
            return new Request(action, to, childKey, node, createdAt, nonce, proofs.requestProof(body()));
        }

        boolean isFor(String member) {
            return to.equals(EVERY_NODE) || to.equals(member);
        }
    }

    /** A node's answer: {@code status} is ok, failed or refused. */
    record Outcome(String node, String status, String text) {
        String line() {
            return "@" + node + " " + status + " " + text.replaceAll("\\p{Cntrl}", " ");
        }
    }

    record Parsed(Request request, List<Outcome> outcomes) {
    }

    static byte[] data(Request r) {
        return (r.body() + "\n" + r.proof()).getBytes(StandardCharsets.UTF_8);
    }

    /** {@code data} with one more outcome line. */
    static byte[] withOutcome(byte[] data, Outcome o) {
        return (new String(data, StandardCharsets.UTF_8) + "\n" + o.line()).getBytes(StandardCharsets.UTF_8);
    }

    static Parsed parse(String name, byte[] data) {
        String what = "operator request " + ZnodeData.printable(name);
        if (data == null || data.length == 0) {
            throw new IllegalArgumentException(what + ": empty znode");
        }
        if (data.length > MAX_BYTES) {
            throw new IllegalArgumentException(what + ": " + data.length + " bytes, too long");
        }
        String[] lines = new String(data, StandardCharsets.UTF_8).split("\n", -1);
        if (!FORMAT.equals(lines[0]) || lines.length < 8) {
            throw new IllegalArgumentException(what + ": not in format " + FORMAT);
        }
        OperatorRequest.Action action;
        try {
            action = OperatorRequest.Action.valueOf(lines[1]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": unknown action " + ZnodeData.printable(lines[1]));
        }
        long createdAt;
        try {
            createdAt = Long.parseLong(lines[5]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + ": creation time is not a number: " + ZnodeData.printable(lines[5]));
        }
        if (lines[2].isEmpty() || lines[6].isEmpty()
                || (action == OperatorRequest.Action.MOVE && (lines[3].isEmpty() || lines[4].isEmpty()))) {
            throw new IllegalArgumentException(what + ": no node, nonce, or child and node of a move");
        }
        Request r = new Request(action, lines[2], lines[3].isEmpty() ? null : lines[3],
                lines[4].isEmpty() ? null : lines[4], createdAt, lines[6], lines[7]);
        List<Outcome> outcomes = new ArrayList<>();
        for (int i = 8; i < lines.length; i++) {
            String[] parts = lines[i].split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("@") || parts[0].length() < 2) {
                throw new IllegalArgumentException(what + ": malformed outcome line " + (i + 1));
            }
            outcomes.add(new Outcome(parts[0].substring(1), parts[1], parts.length == 3 ? parts[2] : ""));
        }
        return new Parsed(r, List.copyOf(outcomes));
    }

    /** An action as the tool spells it: {@code PAUSE_REBALANCING} is {@code pause-rebalancing}. */
    static String spelling(OperatorRequest.Action a) {
        return a.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
