package io.distributedsupervisor.zookeeper.transport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** A TCP relay for one connection to a target port that keeps a copy of what the client sent (a wiretap). */
final class RecordingRelay implements AutoCloseable {
    private final ServerSocket listener;
    private final ExecutorService pumps = Executors.newFixedThreadPool(2);
    private final ByteArrayOutputStream fromClient = new ByteArrayOutputStream();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    RecordingRelay(int targetPort) throws IOException {
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        pumps.execute(() -> {
            try {
                Socket client = listener.accept();
                sockets.add(client);
                Socket target = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                sockets.add(target);
                pumps.execute(() -> pump(client, target, fromClient));
                pump(target, client, null);
            } catch (IOException e) {
                // Closed.
            }
        });
    }

    String address() {
        return "127.0.0.1:" + listener.getLocalPort();
    }

    /** Everything the client sent so far. */
    byte[] fromClient() {
        synchronized (fromClient) {
            return fromClient.toByteArray();
        }
    }

    private void pump(Socket from, Socket to, ByteArrayOutputStream copy) {
        byte[] buffer = new byte[4096];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            for (int n; (n = in.read(buffer)) != -1; ) {
                if (copy != null) {
                    synchronized (copy) {
                        copy.write(buffer, 0, n);
                    }
                }
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            // One side closed.
        } finally {
            closeSockets();
        }
    }

    private void closeSockets() {
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException e) {
                // Already closed.
            }
        }
    }

    @Override
    public void close() throws Exception {
        listener.close();
        closeSockets();
        pumps.shutdownNow();
        if (!pumps.awaitTermination(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the relay's threads did not end");
        }
    }
}
