package io.distributedsupervisor.zookeeper.transport;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A relay on the path between two nodes, as an attacker who owns a router would run it: it
 * forwards the real handshake untouched and, once told, injects, replays, holds back (reorders),
 * drops or reflects whole frames. It knows no key: it splits the byte stream at the frames'
 * length prefixes, which are not secret. Every connection made to it gets one to the target (so
 * a node that reconnects goes through it again); its threads end, and its sockets close, when a
 * side closes or at {@link #close()}.
 */
final class TamperingRelay implements AutoCloseable {
    enum Direction { TO_SERVER, TO_CLIENT }

    /** What to do with the next frame of a type going one way. */
    enum Action {
        /** Forward it, then the same bytes again. */
        REPLAY,
        /** Keep it until the next frame of that type went by, then forward it. */
        HOLD_FOR_REORDER,
        /** Forward nothing of it. */
        DROP,
        /** Send it back where it came from instead of forwarding it. */
        REFLECT
    }

    private record Rule(Direction direction, byte type, Action action) {
    }

    /** One relayed connection: the client's socket and ours to the target. */
    private final class Pipe {
        final Socket client;
        final Socket server;
        volatile boolean closed;
        /** A frame held back, per direction (each touched by its own pump only). */
        final byte[][] held = new byte[Direction.values().length][];

        Pipe(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        Socket to(Direction direction) {
            return direction == Direction.TO_SERVER ? server : client;
        }

        Socket from(Direction direction) {
            return direction == Direction.TO_SERVER ? client : server;
        }

        void close() {
            closed = true;
            for (Socket socket : List.of(client, server)) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // Already closed.
                }
            }
        }
    }

    private final ServerSocket listener;
    private final int targetPort;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "tampering-relay");
        t.setDaemon(true);
        return t;
    });
    private final List<Pipe> pipes = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<Rule> rules = new ConcurrentLinkedQueue<>();
    private final AtomicInteger applied = new AtomicInteger();

    TamperingRelay(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::accept);
    }

    String address() {
        return "127.0.0.1:" + listener.getLocalPort();
    }

    /** The next frame of {@code type} going {@code direction} gets {@code action}. */
    void next(Direction direction, byte type, Action action) {
        rules.add(new Rule(direction, type, action));
    }

    /** How many of the rules given to {@link #next} were carried out (a hold counts when it holds). */
    int applied() {
        return applied.get();
    }

    /** Writes {@code bytes} into the latest connection, going {@code direction}, between two frames. */
    void inject(Direction direction, byte[] bytes) throws IOException {
        Pipe pipe = pipes.get(pipes.size() - 1);
        write(pipe.to(direction), bytes);
    }

    /** How many connections went through, and how many of them are closed. */
    int connections() {
        return pipes.size();
    }

    int closedConnections() {
        return (int) pipes.stream().filter(p -> p.closed).count();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                Pipe pipe = new Pipe(client, server);
                pipes.add(pipe);
                threads.execute(() -> pump(pipe, Direction.TO_SERVER));
                threads.execute(() -> pump(pipe, Direction.TO_CLIENT));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void pump(Pipe pipe, Direction direction) {
        try {
            DataInputStream in = new DataInputStream(pipe.from(direction).getInputStream());
            while (true) {
                int length = in.readInt();
                byte[] frame = ByteBuffer.allocate(4 + length).putInt(length).array();
                in.readFully(frame, 4, length);
                relay(pipe, direction, frame);
            }
        } catch (EOFException | java.net.SocketException e) {
            // A side closed.
        } catch (IOException e) {
            // A side broke off.
        } finally {
            pipe.close();
        }
    }

    private void relay(Pipe pipe, Direction direction, byte[] frame) throws IOException {
        byte type = frame[4];
        byte[] held = pipe.held[direction.ordinal()];
        if (held != null && held[4] == type) {
            write(pipe.to(direction), frame);
            write(pipe.to(direction), held);
            pipe.held[direction.ordinal()] = null;
            return;
        }
        Rule rule = take(direction, type);
        if (rule == null) {
            write(pipe.to(direction), frame);
            return;
        }
        applied.incrementAndGet();
        switch (rule.action()) {
            case REPLAY -> {
                write(pipe.to(direction), frame);
                write(pipe.to(direction), frame);
            }
            case HOLD_FOR_REORDER -> pipe.held[direction.ordinal()] = frame;
            case DROP -> {
            }
            case REFLECT -> write(pipe.from(direction), frame);
        }
    }

    private Rule take(Direction direction, byte type) {
        for (Rule rule : rules) {
            if (rule.direction() == direction && rule.type() == type && rules.remove(rule)) {
                return rule;
            }
        }
        return null;
    }

    private static void write(Socket socket, byte[] bytes) throws IOException {
        // Both pumps may write to one socket (a reflection): whole frames only.
        synchronized (socket) {
            OutputStream out = socket.getOutputStream();
            out.write(bytes);
            out.flush();
        }
    }

    @Override
    public void close() throws Exception {
        listener.close();
        for (Pipe pipe : pipes) {
            pipe.close();
        }
        threads.shutdownNow();
        if (!threads.awaitTermination(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the relay's threads did not end");
        }
    }
}
