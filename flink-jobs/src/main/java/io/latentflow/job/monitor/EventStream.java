package io.latentflow.job.monitor;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes new points and status changes to every open page as Server-Sent Events.
 *
 * <p>Points are gathered and sent together a few times a second, as one {@code points} event, so
 * that a replay of thousands of records does not become thousands of events. When more points
 * arrive between two sends than a page should draw one by one, the pages get a {@code reload} event
 * instead and fetch the thinned history. A new sample or reconstruction grid is announced at once
 * as a {@code grid} event naming its run, kind and step; the page then loads the picture. A page
 * that cannot keep up with the events is disconnected; the browser reconnects by itself and starts
 * again from the history.
 */
final class EventStream implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventStream.class);

    /** The most pages served at once; each holds a server thread. */
    static final int MAX_CLIENTS = 16;

    private static final long SEND_INTERVAL_MILLIS = 250;
    private static final int MAX_POINTS_PER_EVENT = 2000;
    private static final int CLIENT_QUEUE_EVENTS = 64;
    private static final long KEEPALIVE_SECONDS = 15;
    private static final String CLOSED = "";

    private final List<BlockingQueue<String>> clients = new CopyOnWriteArrayList<>();
    private final List<RunHistories.Point> pending = new ArrayList<>();
    private final ScheduledExecutorService sender;
    private volatile boolean closed;

    EventStream() {
        sender =
                Executors.newSingleThreadScheduledExecutor(
                        runnable -> {
                            Thread thread = new Thread(runnable, "monitor-event-sender");
                            thread.setDaemon(true);
                            return thread;
                        });
        sender.scheduleWithFixedDelay(
                this::sendPending,
                SEND_INTERVAL_MILLIS,
                SEND_INTERVAL_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    /** Queues a new point for the next send; called on the follower's thread. */
    void pointAdded(RunHistories.Point point) {
        synchronized (pending) {
            if (clients.isEmpty()) {
                return;
            }
            pending.add(point);
        }
    }

    /** Tells every page at once that a run has a new grid; called on the follower's thread. */
    void gridAdded(GridImages.Grid grid) {
        broadcast(event("grid", MonitorJson.grid(grid)));
    }

    /** Sends a status change to every page at once. */
    void statusChanged(FollowerStatus status) {
        broadcast(event("status", MonitorJson.status(status)));
    }

    /**
     * Serves one page's event stream until the page goes away or the monitor stops; holds the
     * calling thread all that time.
     *
     * @param exchange the request for the stream
     * @param status the follower's status, sent first
     */
    void serve(HttpExchange exchange, FollowerStatus status) throws IOException {
        if (clients.size() >= MAX_CLIENTS || closed) {
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
            return;
        }
        BlockingQueue<String> queue = new ArrayBlockingQueue<>(CLIENT_QUEUE_EVENTS);
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(200, 0);
        clients.add(queue);
        try (OutputStream body = exchange.getResponseBody()) {
            write(body, "retry: 2000\n\n" + event("status", MonitorJson.status(status)));
            while (!closed) {
                String next = queue.poll(KEEPALIVE_SECONDS, TimeUnit.SECONDS);
                if (CLOSED.equals(next)) {
                    break;
                }
                write(body, next == null ? ": keepalive\n\n" : next);
            }
        } catch (IOException e) {
            LOG.debug("A monitor page closed its event stream: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            clients.remove(queue);
            exchange.close();
        }
    }

    /** Returns the number of pages connected. */
    int clientCount() {
        return clients.size();
    }

    private void sendPending() {
        List<RunHistories.Point> batch;
        synchronized (pending) {
            if (pending.isEmpty()) {
                return;
            }
            batch = new ArrayList<>(pending);
            pending.clear();
        }
        if (batch.size() > MAX_POINTS_PER_EVENT) {
            broadcast(event("reload", "{\"points\":" + batch.size() + "}"));
        } else {
            broadcast(event("points", MonitorJson.points(batch)));
        }
    }

    private void broadcast(String event) {
        for (BlockingQueue<String> queue : clients) {
            if (!queue.offer(event)) {
                // A page this far behind starts over from the history when it reconnects.
                LOG.debug("A monitor page fell behind its event stream; disconnecting it");
                clients.remove(queue);
                queue.clear();
                queue.offer(CLOSED);
            }
        }
    }

    private static String event(String name, String json) {
        return "event: " + name + "\ndata: " + json + "\n\n";
    }

    private static void write(OutputStream body, String text) throws IOException {
        body.write(text.getBytes(StandardCharsets.UTF_8));
        body.flush();
    }

    @Override
    public void close() {
        closed = true;
        sender.shutdownNow();
        for (BlockingQueue<String> queue : clients) {
            queue.clear();
            queue.offer(CLOSED);
        }
    }
}
