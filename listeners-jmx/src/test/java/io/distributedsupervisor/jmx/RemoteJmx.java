package io.distributedsupervisor.jmx;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.rmi.NoSuchObjectException;
import java.rmi.registry.LocateRegistry;
import java.rmi.registry.Registry;
import java.rmi.server.ExportException;
import java.rmi.server.RMIServerSocketFactory;
import java.rmi.server.UnicastRemoteObject;
import java.util.HashMap;
import java.util.Map;
import javax.management.MBeanServer;
import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;
import javax.management.remote.rmi.RMIConnectorServer;

/**
 * What {@code -Dcom.sun.management.jmxremote.port} sets up, on loopback and a free port: an RMI
 * registry, a JMX connector server bound in it as {@code jmxrmi}, and a client connected
 * through the {@code service:jmx:rmi:///jndi/...} URL that JConsole uses.
 */
final class RemoteJmx implements AutoCloseable {
    private final Registry registry;
    private final JMXConnectorServer server;
    private final JMXConnector client;
    private final JMXServiceURL url;

    private RemoteJmx(Registry registry, JMXConnectorServer server, JMXConnector client, JMXServiceURL url) {
        this.registry = registry;
        this.server = server;
        this.client = client;
        this.url = url;
    }

    static RemoteJmx start(MBeanServer mbeans) throws IOException {
        RMIServerSocketFactory loopback = new LoopbackSockets();
        Registry registry = null;
        int port = 0;
        for (int attempt = 0; registry == null; attempt++) {
            port = freePort();
            try {
                registry = LocateRegistry.createRegistry(port, null, loopback);
            } catch (ExportException e) {
                if (attempt == 10) { // someone keeps taking the ports we find free
                    throw e;
                }
            }
        }
        JMXConnectorServer server = null;
        try {
            JMXServiceURL url = new JMXServiceURL("service:jmx:rmi://127.0.0.1/jndi/rmi://127.0.0.1:" + port + "/jmxrmi");
            Map<String, Object> env = new HashMap<>();
            env.put(RMIConnectorServer.RMI_SERVER_SOCKET_FACTORY_ATTRIBUTE, loopback);
            server = JMXConnectorServerFactory.newJMXConnectorServer(url, env, mbeans);
            server.start();
            JMXConnector client = JMXConnectorFactory.connect(url);
            return new RemoteJmx(registry, server, client, url);
        } catch (IOException | RuntimeException e) {
            if (server != null) {
                server.stop();
            }
            UnicastRemoteObject.unexportObject(registry, true);
            throw e;
        }
    }

    MBeanServerConnection connection() throws IOException {
        return client.getMBeanServerConnection();
    }

    JMXServiceURL url() {
        return url;
    }

    @Override
    public void close() throws IOException {
        try {
            client.close();
        } finally {
            try {
                server.stop();
            } finally {
                try {
                    UnicastRemoteObject.unexportObject(registry, true);
                } catch (NoSuchObjectException e) {
                    // not exported any more: nothing left to free
                }
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Listens on loopback only: a test has no business opening ports to the network. */
    private static final class LoopbackSockets implements RMIServerSocketFactory {
        @Override
        public ServerSocket createServerSocket(int port) throws IOException {
            return new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof LoopbackSockets; // lets RMI share one listening port among the objects it exports
        }

        @Override
        public int hashCode() {
            return LoopbackSockets.class.hashCode();
        }
    }
}
