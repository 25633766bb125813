package io.distributedsupervisor.admin.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.distributedsupervisor.DistributedSupervisor;
import io.distributedsupervisor.spi.Listener;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live status page for one or more supervisors of this JVM, on the JDK's built-in HTTP server
 * ({@code com.sun.net.httpserver}):
 * <ul>
 *   <li>{@code GET /}: one self-contained HTML page (no resource from elsewhere) that shows the
 *       ring with each node's share, children per node against that share, each node's health,
 *       the recent events (starts, crashes, moves and failovers with their durations) and a
 *       failover's timeline, updated live through server-sent events;</li>
 *   <li>{@code GET /api/status}: JSON: per supervisor, the members with their address, the ring,
 *       children per node against the ring's share, orphans (children whose node is gone, not yet
 *       taken over) and children off the ring's node, and each local node's health;</li>
 *   <li>{@code GET /api/health}: JSON: each served node's {@link DistributedSupervisor#health()};
 *       status 200 when every one is {@linkplain io.distributedsupervisor.Health#ready() ready},
 *       503 otherwise, so that a probe can use it as it is;</li>
 *   <li>{@code GET /api/events}: server-sent events: {@code status} (the status above, when it
 *       changes), {@code event} (each event of the served supervisors, with a sequence number),
 *       {@code history} (the recent events, once on connection) and {@code dropped} (how many
 *       messages this client missed: each client has a bounded queue that drops its oldest
 *       message rather than wait, so a slow client never holds a supervisor's listener thread);</li>
 *   <li>{@code GET /api/events/recent?after=N}: the kept events after sequence number {@code N},
 *       for clients that poll.</li>
 * </ul>
 *
 * <p>Security: it binds to {@code 127.0.0.1} unless told otherwise; bound to any other address it
 * refuses to start without a token, and then every request must carry it, as
 * {@code Authorization: Bearer <token>}. A browser opens the page once with {@code ?token=<token>};
 * the page keeps it in memory (it removes it from the address bar) and sends it with each of its
 * requests; {@code /api/events} takes it as {@code ?token=} too, since a browser's
 * {@code EventSource} cannot send headers. Tokens are compared in constant time. Only {@code GET}
 * is served: the page changes nothing.
 *
 * <p>The events come from {@link StatusPageListener}, which {@code ServiceLoader} adds to every
 * supervisor; add {@link #listener()} by hand to a supervisor started with
 * {@code serviceLoaderListeners(false)}. Reads use only the supervisors' public API and touch no
 * network. {@link #close()} stops the server and every client's stream.
 */
public final class StatusPage implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StatusPage.class);
    /** How often the status is read for the open streams; sent only when it changed. */
    static final long TICK_MILLIS = 250;
    static final int MAX_STREAMS = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final List<DistributedSupervisor> supervisors;
    private final byte[] token;
    private final int streamQueue;
    private final StatusReport report;
    private final HttpServer server;
    private final ExecutorService handlers;
    private final ScheduledExecutorService ticker;
    private final Set<EventStream> streams = new CopyOnWriteArraySet<>();
    private final Consumer<EventJournal.Entry> onEvent;
    private final String page;
    private volatile String lastStatus;
    private volatile long lastStatusAt;

    private StatusPage(Builder b) {
        this.supervisors = List.copyOf(b.supervisors);
        this.token = b.token == null ? null : b.token.getBytes(StandardCharsets.UTF_8);
        this.streamQueue = b.streamQueue;
        this.report = new StatusReport(supervisors);
        this.page = loadPage();
        InetAddress address = resolve(b.bindAddress);
        if (!address.isLoopbackAddress() && token == null) {
            throw new IllegalArgumentException("the status page may bind to " + b.bindAddress + ", which is not a loopback "
                    + "address, only with a token: it shows the cluster to whoever reaches it. Set StatusPage.Builder.token, "
                    + "or bind to 127.0.0.1");
        }
        try {
            server = HttpServer.create(new InetSocketAddress(address, b.port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("could not bind the status page to " + b.bindAddress + ":" + b.port + ": " + e.getMessage(), e);
        }
        handlers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("ds-status-page-http-", 0).factory());
        server.setExecutor(handlers);
        server.createContext("/", this::handle);
        onEvent = this::published;
        EventJournal.JVM.subscribe(onEvent);
        ticker = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("ds-status-page-ticker").factory());
        ticker.schedule(this::tick, TICK_MILLIS, TimeUnit.MILLISECONDS);
        server.start();
        LOG.info("status page of {} on {}", supervisors, uri());
    }

    /** A builder: at least one supervisor; bound to 127.0.0.1 on a free port unless told otherwise. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A listener that feeds the status pages of this JVM, for a supervisor started with
     * {@code serviceLoaderListeners(false)}: {@code SupervisorOptions.Builder.listeners(List.of(StatusPage.listener()))}.
     */
    public static Listener listener() {
        return new StatusPageListener();
    }

    /** The address and port the page listens on (the port chosen, when 0 was asked). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** The page's address, e.g. {@code http://127.0.0.1:8558/}. */
    public URI uri() {
        InetSocketAddress a = address();
        String host = a.getAddress().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + a.getPort() + "/");
    }

    /** Stops serving: every client's stream ends, the port is freed. Idempotent. */
    @Override
    public void close() {
        EventJournal.JVM.unsubscribe(onEvent);
        ticker.shutdownNow();
        for (EventStream s : streams) {
            s.close();
        }
        server.stop(0);
        handlers.shutdownNow();
    }

    // ---- events ----

    private boolean serves(EventJournal.Entry e) {
        for (DistributedSupervisor s : supervisors) {
            if (e.source() != null ? e.source() == s : s.name().equals(e.supervisor()) && s.node().equals(e.node())) {
                return true;
            }
        }
        return false;
    }

    /** On a supervisor's listener thread: offered to each stream, never waited for. */
    private void published(EventJournal.Entry e) {
        if (!streams.isEmpty() && serves(e)) {
            for (EventStream s : streams) {
                s.offer("event", e.json());
            }
        }
    }

    /**
     * Reads the status for the open streams, then schedules the next reading: after
     * {@link #TICK_MILLIS}, or four times as long as this reading took, whichever is longer, so
     * that a cluster with very many children costs the page's thread at most a fifth of its time.
     */
    private void tick() {
        long started = System.nanoTime();
        try {
            if (!streams.isEmpty()) {
                publishStatus();
            }
        } finally {
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            try {
                ticker.schedule(this::tick, Math.max(TICK_MILLIS, 4 * took), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                // The page is closed.
            }
        }
    }

    private void publishStatus() {
        try {
            String status = report.status().toString();
            long now = System.nanoTime();
            // Sent when it changed, and now and then anyway, so that a client sees the page is live.
            if (!status.equals(lastStatus) || now - lastStatusAt > TimeUnit.SECONDS.toNanos(5)) {
                lastStatus = status;
                lastStatusAt = now;
                for (EventStream s : streams) {
                    s.offer("status", status);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("the status page could not read the status: {}", e.toString());
        }
    }

    // ---- HTTP ----

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            String path = x.getRequestURI().getPath();
            x.getResponseHeaders().set("Cache-Control", "no-store");
            x.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            x.getResponseHeaders().set("Referrer-Policy", "no-referrer");
            if (!"GET".equals(x.getRequestMethod())) {
                x.getResponseHeaders().set("Allow", "GET");
                error(x, 405, "only GET is served: the status page changes nothing");
                return;
            }
            boolean queryToken = path.equals("/") || path.equals("/api/events");
            if (!authorized(x, queryToken)) {
                x.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"distributed-supervisor\"");
                error(x, 401, "this status page needs its token: send 'Authorization: Bearer <token>'"
                        + (queryToken ? ", or open it with ?token=<token>" : ""));
                return;
            }
            switch (path) {
                case "/", "/index.html" -> page(x);
                case "/api/status" -> json(x, 200, report.status().toString());
                case "/api/health" -> {
                    var health = report.health();
                    json(x, health.get("ready").asBoolean() ? 200 : 503, health.toString());
                }
                case "/api/events" -> events(x);
                case "/api/events/recent" -> recent(x);
                default -> error(x, 404, "no such page: " + path + " (there are /, /api/status, /api/health, "
                        + "/api/events and /api/events/recent)");
            }
        } catch (IOException e) {
            LOG.debug("status page client went away: {}", e.toString());
        } catch (RuntimeException e) {
            LOG.warn("status page request {} failed", x.getRequestURI().getPath(), e);
            throw e;
        }
    }

    private boolean authorized(HttpExchange x, boolean queryToken) {
        if (token == null) {
            return true;
        }
        String header = x.getRequestHeaders().getFirst("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                && MessageDigest.isEqual(token, header.substring(7).trim().getBytes(StandardCharsets.UTF_8))) {
            return true;
        }
        if (queryToken) {
            String given = query(x, "token");
            return given != null && MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8));
        }
        return false;
    }

    private static String query(HttpExchange x, String name) {
        String q = x.getRequestURI().getRawQuery();
        if (q == null) {
            return null;
        }
        for (String part : q.split("&")) {
            int eq = part.indexOf('=');
            String key = eq < 0 ? part : part.substring(0, eq);
            if (URLDecoder.decode(key, StandardCharsets.UTF_8).equals(name)) {
                return eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private void page(HttpExchange x) throws IOException {
        String nonce = Base64.getEncoder().encodeToString(nonceBytes());
        x.getResponseHeaders().set("Content-Security-Policy", "default-src 'none'; script-src 'nonce-" + nonce + "'; "
                + "style-src 'nonce-" + nonce + "'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; "
                + "form-action 'none'; frame-ancestors 'none'");
        send(x, 200, "text/html; charset=utf-8", page.replace("{{nonce}}", nonce));
    }

    private static byte[] nonceBytes() {
        byte[] b = new byte[18];
        RANDOM.nextBytes(b);
        return b;
    }

    private void events(HttpExchange x) throws IOException {
        if (streams.size() >= MAX_STREAMS) {
            error(x, 503, "too many open event streams (" + MAX_STREAMS + "): close a page, or poll /api/events/recent");
            return;
        }
        EventStream stream = new EventStream(streamQueue);
        x.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        x.sendResponseHeaders(200, 0);
        OutputStream out = x.getResponseBody();
        streams.add(stream);
        try {
            StringBuilder first = new StringBuilder();
            first.append("retry: 1000\n");
            first.append("event: hello\ndata: {\"queue\":").append(streamQueue).append("}\n\n");
            first.append("event: status\ndata: ").append(report.status()).append("\n\n");
            first.append("event: history\ndata: ").append(recentJson(0)).append("\n\n");
            out.write(first.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            stream.pump(out);
        } finally {
            streams.remove(stream);
            stream.close();
        }
    }

    private void recent(HttpExchange x) throws IOException {
        long after = 0;
        String given = query(x, "after");
        if (given != null) {
            try {
                after = Long.parseLong(given);
            } catch (NumberFormatException e) {
                error(x, 400, "after must be an event's sequence number (a whole number); got '" + given + "'");
                return;
            }
        }
        json(x, 200, recentJson(after));
    }

    private String recentJson(long after) {
        StringBuilder b = new StringBuilder("[");
        for (EventJournal.Entry e : EventJournal.JVM.since(after)) {
            if (serves(e)) {
                if (b.length() > 1) {
                    b.append(',');
                }
                b.append(e.json());
            }
        }
        return b.append(']').toString();
    }

    private static void json(HttpExchange x, int status, String body) throws IOException {
        send(x, status, "application/json; charset=utf-8", body);
    }

    private static void error(HttpExchange x, int status, String message) throws IOException {
        json(x, status, EventJournal.JSON.createObjectNode().put("error", message).toString());
    }

    private static void send(HttpExchange x, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", type);
        x.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String loadPage() {
        try (InputStream in = StatusPage.class.getResourceAsStream("status-page.html")) {
            if (in == null) {
                throw new IllegalStateException("status-page.html is missing from the admin-http jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InetAddress resolve(String host) {
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("bindAddress '" + host + "' is not an address of this machine: " + e.getMessage(), e);
        }
    }

    /** Builds a {@link StatusPage}; {@link #start()} binds it and starts serving. */
    public static final class Builder {
        private final List<DistributedSupervisor> supervisors = new ArrayList<>();
        private String bindAddress = "127.0.0.1";
        private int port;
        private String token;
        private int streamQueue = 256;

        private Builder() {
        }

        /** A supervisor of this JVM to show; several may be given (nodes of one supervisor are shown as one cluster). */
        public Builder supervisor(DistributedSupervisor supervisor) {
            supervisors.add(Objects.requireNonNull(supervisor, "supervisor"));
            return this;
        }

        /** Supervisors of this JVM to show. */
        public Builder supervisors(List<? extends DistributedSupervisor> supervisors) {
            supervisors.forEach(this::supervisor);
            return this;
        }

        /** The address to bind to; default {@code 127.0.0.1}. Any non-loopback address needs a {@link #token}. */
        public Builder bindAddress(String bindAddress) {
            this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
            return this;
        }

        /** The port; default 0: a free port, which {@link StatusPage#uri()} tells. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0 (a free one) to 65535; got " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * The token every request must carry ({@code Authorization: Bearer <token>}); needed when
         * bound to a non-loopback address. At least 16 characters: anyone who has it sees the cluster.
         */
        public Builder token(String token) {
            Objects.requireNonNull(token, "token");
            if (token.length() < 16 || token.isBlank()) {
                throw new IllegalArgumentException("the status page's token must have at least 16 characters; got "
                        + token.length());
            }
            this.token = token;
            return this;
        }

        /** How many messages each event-stream client may have queued before its oldest are dropped; default 256. */
        public Builder streamQueue(int messages) {
            if (messages < 1) {
                throw new IllegalArgumentException("streamQueue must be at least 1; got " + messages);
            }
            this.streamQueue = messages;
            return this;
        }

        /**
         * Binds and starts serving.
         *
         * @throws IllegalArgumentException if no supervisor was given, or the address is not a loopback one and no token was set
         * @throws UncheckedIOException     if the address and port cannot be bound (e.g. the port is taken)
         */
        public StatusPage start() {
            if (supervisors.isEmpty()) {
                throw new IllegalArgumentException("the status page needs at least one supervisor: StatusPage.Builder.supervisor");
            }
            return new StatusPage(this);
        }
    }
}
