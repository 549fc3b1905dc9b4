package io.latentflow.job.monitor;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monitor's web server, the JDK's own {@link HttpServer}: the page, the chart library it draws
 * with, the thinned history as JSON and the stream of new points.
 *
 * <p>Paths: {@code /} the page; {@code /vendor/uPlot.iife.min.js} and {@code /vendor/uPlot.min.css}
 * the chart library, read from its jar; {@code /api/history?points=N& fromStep=S} every run's
 * points from step S on, each series thinned to at most N points; {@code /api/status} the
 * follower's status; {@code /api/images} the grids held, as JSON; {@code
 * /api/images/<run>/samples.png} and {@code .../reconstructions.png} a run's latest grid of each
 * kind; {@code /api/events} the Server-Sent Events stream. Nothing it serves names a broker;
 * requests from clients the {@link ClientAddressPolicy} refuses get 403, on every path alike.
 */
public final class MonitorServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MonitorServer.class);

    /** The points per series and run that the history holds unless the page asks otherwise. */
    public static final int DEFAULT_MAX_POINTS = 500;

    static final int LARGEST_MAX_POINTS = 5000;
    private static final String UPLOT_ROOT =
            "/META-INF/resources/webjars/uplot/" + uplotVersion() + "/dist/";
    private static final String PAGE_ROOT = "/io/latentflow/job/monitor/";

    private final HttpServer server;
    private final ExecutorService handlers;
    private static final String IMAGES_PATH = "/api/images";

    private final RunHistories histories;
    private final GridImages grids;
    private final Supplier<FollowerStatus> status;
    private final EventStream events = new EventStream();
    private final Map<String, Resource> resources = new LinkedHashMap<>();

    private record Resource(String classpathName, String contentType) {}

    private MonitorServer(
            HttpServer server,
            ClientAddressPolicy policy,
            RunHistories histories,
            GridImages grids,
            Supplier<FollowerStatus> status) {
        this.server = server;
        this.histories = histories;
        this.grids = grids;
        this.status = status;
        resources.put("/", new Resource(PAGE_ROOT + "index.html", "text/html; charset=utf-8"));
        resources.put(
                "/index.html", new Resource(PAGE_ROOT + "index.html", "text/html; charset=utf-8"));
        resources.put(
                "/vendor/uPlot.iife.min.js",
                new Resource(UPLOT_ROOT + "uPlot.iife.min.js", "text/javascript; charset=utf-8"));
        resources.put(
                "/vendor/uPlot.min.css",
                new Resource(UPLOT_ROOT + "uPlot.min.css", "text/css; charset=utf-8"));

        Filter guard = new RequestGuard(policy);
        context("/", this::serveResource, guard);
        context("/api/history", this::serveHistory, guard);
        context("/api/status", this::serveStatus, guard);
        context(IMAGES_PATH, this::serveImages, guard);
        context("/api/events", exchange -> events.serve(exchange, status.get()), guard);

        AtomicInteger threads = new AtomicInteger();
        handlers =
                Executors.newCachedThreadPool(
                        runnable -> {
                            Thread thread =
                                    new Thread(
                                            runnable, "monitor-http-" + threads.incrementAndGet());
                            thread.setDaemon(true);
                            return thread;
                        });
        server.setExecutor(handlers);
        histories.addListener(events::pointAdded);
        grids.addListener(events::gridAdded);
    }

    /**
     * Starts serving.
     *
     * @param bindAddress the address to listen on; a loopback address serves only this machine
     * @param port the port, 0 for any free one
     * @param histories the runs to show
     * @param grids the runs' latest grids to show
     * @param status the follower's current status
     * @return the running server
     * @throws IOException if the address cannot be bound, for example a port already in use
     */
    public static MonitorServer start(
            InetAddress bindAddress,
            int port,
            RunHistories histories,
            GridImages grids,
            Supplier<FollowerStatus> status)
            throws IOException {
        Objects.requireNonNull(bindAddress, "bindAddress");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("The port must be 0 to 65535, was " + port);
        }
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(bindAddress, port), 0);
        } catch (IOException e) {
            throw new IOException(
                    "The monitor cannot listen on "
                            + bindAddress.getHostAddress()
                            + " port "
                            + port
                            + ": "
                            + e.getMessage(),
                    e);
        }
        MonitorServer monitor =
                new MonitorServer(
                        server,
                        ClientAddressPolicy.forBindAddress(bindAddress),
                        histories,
                        grids,
                        status);
        server.start();
        LOG.info("Monitor serving on {}", monitor.url());
        return monitor;
    }

    /** The version of the uPlot jar this build put on the classpath, as Maven recorded it. */
    private static String uplotVersion() {
        Properties versions = new Properties();
        try (InputStream in =
                MonitorServer.class.getResourceAsStream("/latentflow-versions.properties")) {
            if (in != null) {
                versions.load(in);
            }
        } catch (IOException e) {
            LOG.warn("Could not read the built versions: {}", e.getMessage());
        }
        return versions.getProperty("uplot", "1.6.30");
    }

    /** Tells every open page that the follower's status changed. */
    public void statusChanged(FollowerStatus newStatus) {
        events.statusChanged(newStatus);
    }

    /** Returns the port the server listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** Returns the page's address, for example {@code http://127.0.0.1:8642/}. */
    public URI url() {
        InetAddress address = server.getAddress().getAddress();
        String host =
                address.isAnyLocalAddress()
                        ? "127.0.0.1"
                        : address.getHostAddress().contains(":")
                                ? "[" + address.getHostAddress() + "]"
                                : address.getHostAddress();
        return URI.create("http://" + host + ":" + port() + "/");
    }

    private void context(String path, HttpHandler handler, Filter guard) {
        HttpContext context = server.createContext(path, handler);
        context.getFilters().add(guard);
    }

    private void serveResource(HttpExchange exchange) throws IOException {
        Resource resource = resources.get(exchange.getRequestURI().getPath());
        if (resource == null) {
            sendText(exchange, 404, "text/plain; charset=utf-8", "Not found");
            return;
        }
        byte[] body;
        try (InputStream in = MonitorServer.class.getResourceAsStream(resource.classpathName())) {
            if (in == null) {
                throw new IOException("Missing from the classpath: " + resource.classpathName());
            }
            body = in.readAllBytes();
        }
        send(exchange, 200, resource.contentType(), body);
    }

    private void serveHistory(HttpExchange exchange) throws IOException {
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        int maxPoints;
        long fromStep;
        try {
            maxPoints = Integer.parseInt(query.getOrDefault("points", "" + DEFAULT_MAX_POINTS));
            fromStep = Long.parseLong(query.getOrDefault("fromStep", "0"));
        } catch (NumberFormatException e) {
            sendText(exchange, 400, "text/plain; charset=utf-8", "points and fromStep are numbers");
            return;
        }
        maxPoints = Math.max(2, Math.min(LARGEST_MAX_POINTS, maxPoints));
        String json =
                MonitorJson.history(
                        histories.snapshot(fromStep, maxPoints), status.get(), maxPoints);
        sendText(exchange, 200, "application/json", json);
    }

    private void serveStatus(HttpExchange exchange) throws IOException {
        sendText(exchange, 200, "application/json", MonitorJson.status(status.get()));
    }

    /** Serves the list of grids, or one grid's PNG: {@code /api/images/<run>/<kind>.png}. */
    private void serveImages(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (path.equals(IMAGES_PATH) || path.equals(IMAGES_PATH + "/")) {
            sendText(exchange, 200, "application/json", MonitorJson.grids(grids.all()));
            return;
        }
        String rest =
                path.startsWith(IMAGES_PATH + "/") ? path.substring(IMAGES_PATH.length() + 1) : "";
        int slash = rest.lastIndexOf('/');
        Optional<GridImages.Grid> grid = Optional.empty();
        if (slash > 0 && rest.endsWith(".png")) {
            String runId = rest.substring(0, slash);
            String kind = rest.substring(slash + 1, rest.length() - ".png".length());
            grid = grids.latest(runId, kind);
        }
        if (grid.isEmpty()) {
            sendText(exchange, 404, "text/plain; charset=utf-8", "No such grid");
            return;
        }
        exchange.getResponseHeaders().set("X-LatentFlow-Step", Long.toString(grid.get().step()));
        send(exchange, 200, "image/png", grid.get().png());
    }

    private static Map<String, String> query(String rawQuery) {
        Map<String, String> parameters = new LinkedHashMap<>();
        if (rawQuery == null) {
            return parameters;
        }
        for (String pair : rawQuery.split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0) {
                parameters.put(pair.substring(0, equals), pair.substring(equals + 1));
            }
        }
        return parameters;
    }

    private static void sendText(HttpExchange exchange, int code, String type, String text)
            throws IOException {
        send(exchange, code, type, text.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int code, String type, byte[] body)
            throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(code, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
        exchange.close();
    }

    @Override
    public void close() {
        events.close();
        server.stop(0);
        handlers.shutdownNow();
        LOG.info("Monitor on port {} stopped", port());
    }

    /** Refuses clients the policy does not allow, and every method but GET and HEAD. */
    private static final class RequestGuard extends Filter {
        private final ClientAddressPolicy policy;

        RequestGuard(ClientAddressPolicy policy) {
            this.policy = policy;
        }

        @Override
        public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
            exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            exchange.getResponseHeaders().set("Referrer-Policy", "no-referrer");
            exchange.getResponseHeaders().set("X-Frame-Options", "DENY");
            InetAddress client = exchange.getRemoteAddress().getAddress();
            String host = exchange.getRequestHeaders().getFirst("Host");
            if (!policy.allows(client, host)) {
                LOG.warn(
                        "Monitor refused a request from {} for host {}",
                        client.getHostAddress(),
                        host);
                sendText(
                        exchange,
                        403,
                        "text/plain; charset=utf-8",
                        "This monitor serves only its own machine.");
                return;
            }
            String method = exchange.getRequestMethod();
            if (!"GET".equals(method) && !"HEAD".equals(method)) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                sendText(exchange, 405, "text/plain; charset=utf-8", "Only GET and HEAD");
                return;
            }
            chain.doFilter(exchange);
        }

        @Override
        public String description() {
            return "Serves only the clients the monitor's policy allows";
        }
    }
}
