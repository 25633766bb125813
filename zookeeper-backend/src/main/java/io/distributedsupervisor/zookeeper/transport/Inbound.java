package io.distributedsupervisor.zookeeper.transport;

/** A frame after its payload went through the codec: what the {@link Dispatcher} acts on. */
sealed interface Inbound {

    record Request(long id, Object message) implements Inbound {
    }

    record OneWay(Object message) implements Inbound {
    }

    record Reply(long id, Object value) implements Inbound {
    }

    record ReplyFailure(long id, String text) implements Inbound {
    }

    /** A REQUEST, ONE_WAY or REPLY whose payload the codec refused or could not read. */
    record Undecodable(byte type, long id, Exception cause) implements Inbound {
    }

    /** The peer closes the connection and says why. */
    record Closing(byte reason, String text) implements Inbound {
    }
}
