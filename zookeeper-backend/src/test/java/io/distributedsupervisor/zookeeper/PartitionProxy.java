package io.distributedsupervisor.zookeeper;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on loopback between one node's ZooKeeper client and the server, to cut that node
 * off without telling it: {@link #partition()} keeps both sockets open but forwards nothing, as
 * a network partition or a frozen switch would. The node then hears nothing (no error, no
 * close) until its own timeouts fire, and the server expires its session.
 */
final class PartitionProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private volatile boolean partitioned;
    private volatile boolean closed;

    PartitionProxy(String targetConnectString) throws IOException {
        String[] hostPort = targetConnectString.split(",")[0].split(":");
        target = new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = Thread.ofVirtual().start(this::accept);
    }

    String connectString() {
        return "127.0.0.1:" + listener.getLocalPort();
    }

    void partition() {
        partitioned = true;
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(target.getAddress(), target.getPort());
                sockets.add(client);
                sockets.add(server);
                Thread.ofVirtual().start(() -> pump(client, server));
                Thread.ofVirtual().start(() -> pump(server, client));
            } catch (IOException e) {
                if (!closed) {
                    continue;
                }
                return;
            }
        }
    }

    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[8192];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                if (!partitioned) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            }
        } catch (IOException e) {
            // a side closed: the pump ends with it
        }
    }

    @Override
    public void close() throws Exception {
        closed = true;
        listener.close();
        for (Socket s : sockets) {
            s.close();
        }
        acceptor.join(5000);
    }
}
