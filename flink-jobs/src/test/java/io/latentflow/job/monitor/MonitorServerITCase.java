package io.latentflow.job.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.job.kafka.AvroWireFormat;
import io.latentflow.job.kafka.EmbeddedKafkaBroker;
import io.latentflow.job.kafka.TopicAdministration;
import io.latentflow.job.kafka.TopicNames;
import io.latentflow.schema.LatentSample;
import io.latentflow.schema.TrainingMetrics;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitor's endpoints against a real embedded broker, with records produced into the metrics
 * topic as the job writes them.
 */
class MonitorServerITCase {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir static Path brokerFolder;
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() throws IOException {
        broker = EmbeddedKafkaBroker.start(brokerFolder.resolve("kafka"));
    }

    @AfterAll
    static void stopBroker() throws IOException {
        broker.close();
    }

    @Test
    void historyHoldsEachRunsThinnedSeriesAndSkipsRecordsOfOtherTypes() throws Exception {
        String topic = metricsTopic("history");
        List<TrainingMetrics> records = new ArrayList<>();
        for (long step = 10; step <= 300; step += 10) {
            records.add(MetricsRecords.metrics("ali-run", "ali-mlp", step));
        }
        for (long step = 10; step <= 200; step += 10) {
            records.add(MetricsRecords.metrics("gan-run", "gan-mlp", step));
        }
        MetricsRecords.produce(broker.bootstrapServers(), topic, records);
        MetricsRecords.produceRaw(
                broker.bootstrapServers(),
                topic,
                List.of(otherRecordType(), "not avro".getBytes(StandardCharsets.UTF_8)));

        try (LiveMonitor monitor = serve(topic, MetricsTopicFollower.Start.BEGINNING, Set.of())) {
            awaitTrue(() -> monitor.status().records() == 50 && monitor.status().skipped() == 2);
            JsonNode history = getJson(monitor.url().resolve("api/history?points=10"));

            assertEquals(50, history.get("sequence").asLong());
            assertEquals(2, history.get("status").get("skipped").asLong());
            assertEquals("connected", history.get("status").get("state").asText());
            JsonNode ali = history.get("runs").get(0);
            assertEquals("ali-run", ali.get("runId").asText());
            assertEquals(30, ali.get("points").asInt());
            assertEquals(300, ali.get("lastStep").asLong());
            JsonNode losses = ali.get("series").get("discriminatorLoss");
            assertEquals(10, losses.get("steps").size());
            assertEquals(10, losses.get("steps").get(0).asLong());
            assertEquals(300, losses.get("steps").get(9).asLong());
            assertEquals(
                    1.3 + 0.1 * Math.sin(300 / 7.0 + "ali-run".hashCode()),
                    losses.get("values").get(9).asDouble(),
                    1e-12);
            JsonNode gan = history.get("runs").get(1);
            assertEquals("gan-mlp", gan.get("model").asText());
            assertTrue(
                    gan.get("series").get("reconstructionError").get("values").get(0).isNull(),
                    "a GAN's NaN reconstruction error must reach the page as null");
        }
    }

    @Test
    void recurrentAndAutoencoderRecordsAreFollowedBesideAdversarialOnes() throws Exception {
        String topic = metricsTopic("kinds");
        List<SpecificRecord> records = new ArrayList<>();
        for (long step = 10; step <= 100; step += 10) {
            records.add(MetricsRecords.sequenceMetrics("urnn-run", step));
        }
        records.add(MetricsRecords.autoencoderMetrics("autoencoder-run", 1));
        records.add(MetricsRecords.autoencoderMetrics("autoencoder-run", 2));
        records.add(MetricsRecords.metrics("gan-run", "gan-mlp", 10));
        MetricsRecords.produceAny(broker.bootstrapServers(), topic, records);

        try (LiveMonitor monitor = serve(topic, MetricsTopicFollower.Start.BEGINNING, Set.of())) {
            awaitTrue(() -> monitor.status().records() == 13);
            JsonNode history = getJson(monitor.url().resolve("api/history?points=100"));

            assertEquals(0, history.get("status").get("skipped").asLong());
            JsonNode urnn = history.get("runs").get(0);
            assertEquals("urnn-run", urnn.get("runId").asText());
            assertEquals("urnn", urnn.get("model").asText());
            assertEquals(10, urnn.get("points").asInt());
            JsonNode loss = urnn.get("series").get("sequenceLoss");
            assertEquals(0.199, loss.get("values").get(0).asDouble(), 1e-12);
            assertEquals(
                    0.1733, urnn.get("series").get("baselineLoss").get("values").get(9).asDouble());
            assertTrue(
                    urnn.get("series").get("discriminatorLoss").get("values").get(0).isNull(),
                    "a recurrent run has no discriminator loss");
            JsonNode autoencoder = history.get("runs").get(1);
            assertEquals(
                    50.0,
                    autoencoder.get("series").get("trainingError").get("values").get(1).asDouble());
            assertEquals(
                    0.5, autoencoder.get("series").get("damping").get("values").get(1).asDouble());
            JsonNode gan = history.get("runs").get(2);
            assertTrue(gan.get("series").get("sequenceLoss").get("values").get(0).isNull());
        }
    }

    @Test
    void aRunIdFilterShowsOnlyTheRunsNamed() throws Exception {
        String topic = metricsTopic("filter");
        MetricsRecords.produce(
                broker.bootstrapServers(),
                topic,
                List.of(
                        MetricsRecords.metrics("kept", "ali-mlp", 10),
                        MetricsRecords.metrics("other", "ali-mlp", 10),
                        MetricsRecords.metrics("kept", "ali-mlp", 20)));

        try (LiveMonitor monitor =
                serve(topic, MetricsTopicFollower.Start.BEGINNING, Set.of("kept"))) {
            awaitTrue(() -> monitor.status().records() == 3);
            JsonNode runs = getJson(monitor.url().resolve("api/history")).get("runs");

            assertEquals(1, runs.size());
            assertEquals("kept", runs.get(0).get("runId").asText());
            assertEquals(2, runs.get(0).get("points").asInt());
        }
    }

    @Test
    void theEventStreamPushesPointsWrittenAfterThePageConnected() throws Exception {
        String topic = metricsTopic("events");
        MetricsRecords.produce(
                broker.bootstrapServers(),
                topic,
                List.of(MetricsRecords.metrics("before", "ali-mlp", 10)));

        try (LiveMonitor monitor = serve(topic, MetricsTopicFollower.Start.END, Set.of());
                EventReader events = EventReader.open(monitor.url().resolve("api/events"))) {
            Event first = events.next(Duration.ofSeconds(10));
            assertEquals("status", first.name());
            awaitTrue(() -> monitor.status().connected());

            List<TrainingMetrics> live = new ArrayList<>();
            for (long step = 1; step <= 5; step++) {
                live.add(MetricsRecords.metrics("live-run", "gan-mlp", step));
            }
            MetricsRecords.produce(broker.bootstrapServers(), topic, live);

            List<JsonNode> points = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (points.size() < 5 && System.nanoTime() < deadline) {
                Event event = events.next(Duration.ofSeconds(20));
                if (event != null && event.name().equals("points")) {
                    JSON.readTree(event.data()).get("points").forEach(points::add);
                }
            }
            assertEquals(5, points.size(), "points received: " + points);
            assertEquals("live-run", points.get(0).get("runId").asText());
            assertEquals(1, points.get(0).get("step").asLong());
            assertEquals(5, points.get(4).get("step").asLong());
            assertEquals(5, points.get(4).get("sequence").asLong());
            assertTrue(points.get(4).get("values").get("reconstructionError").isNull());
            assertEquals(
                    0.5 * Math.exp(-5 / 3000.0),
                    points.get(4).get("values").get("generatorGradNorm").asDouble(),
                    1e-12);
        }
    }

    @Test
    void noResponseNamesTheBrokerAndOtherHostNamesAreRefused() throws Exception {
        String topic = metricsTopic("secrets");
        MetricsRecords.produce(
                broker.bootstrapServers(),
                topic,
                List.of(MetricsRecords.metrics("run", "ali-mlp", 10)));

        try (LiveMonitor monitor = serve(topic, MetricsTopicFollower.Start.BEGINNING, Set.of())) {
            awaitTrue(() -> monitor.status().records() == 1);
            String brokerPort = broker.bootstrapServers().split(":")[1];
            for (String path :
                    List.of(
                            "",
                            "index.html",
                            "api/history",
                            "api/status",
                            "api/images",
                            "vendor/uPlot.min.css")) {
                HttpResponse<String> response = get(monitor.url().resolve(path));
                assertEquals(200, response.statusCode(), path);
                assertFalse(response.body().contains(broker.bootstrapServers()), path);
                assertFalse(response.body().contains(":" + brokerPort), path);
            }
            String script = get(monitor.url().resolve("vendor/uPlot.iife.min.js")).body();
            assertTrue(script.contains("uPlot"), "the chart library is served from the jar");
            assertEquals(404, get(monitor.url().resolve("api/../../etc/passwd")).statusCode());

            for (String path :
                    List.of("/api/status", "/api/images", "/api/images/run/samples.png")) {
                String refused = rawRequest(monitor.url(), "GET " + path, "attacker.example");
                assertTrue(refused.startsWith("HTTP/1.1 403"), path + ": " + refused);
            }
            String missing =
                    rawRequest(monitor.url(), "GET /api/images/run/samples.png", "localhost");
            assertTrue(missing.startsWith("HTTP/1.1 404"), missing);
            String posted = rawRequest(monitor.url(), "POST /api/status", "127.0.0.1");
            assertTrue(posted.startsWith("HTTP/1.1 405"), posted);
        }
    }

    @Test
    void thePageHearsThatTheBrokerWentAwayAndThenGetsTheNewPointsWhenItIsBack(@TempDir Path folder)
            throws Exception {
        EmbeddedKafkaBroker ownBroker = EmbeddedKafkaBroker.start(folder.resolve("kafka"));
        try {
            String bootstrap = ownBroker.bootstrapServers();
            TopicNames topics = TopicNames.withPrefix("monitor-gone");
            TopicAdministration.ensureTopics(bootstrap, topics);
            MetricsRecords.produce(
                    bootstrap,
                    topics.metrics(),
                    List.of(MetricsRecords.metrics("outage-run", "ali-mlp", 1)));
            try (LiveMonitor monitor =
                            LiveMonitor.serve(
                                    new LiveMonitor.Source(
                                            bootstrap,
                                            topics.metrics(),
                                            MetricsTopicFollower.Start.BEGINNING,
                                            Map.of(),
                                            Set.of()),
                                    InetAddress.getLoopbackAddress(),
                                    0);
                    EventReader events = EventReader.open(monitor.url().resolve("api/events"))) {
                awaitTrue(() -> monitor.status().connected() && monitor.status().records() == 1);
                ownBroker.stop();

                assertEquals("disconnected", awaitState(events, "disconnected"));
                assertEquals(
                        "disconnected",
                        getJson(monitor.url().resolve("api/status")).get("state").asText());

                // The same port and the same files: the broker a restarted server would be.
                ownBroker.restart();
                assertEquals(bootstrap, ownBroker.bootstrapServers());
                assertEquals("connected", awaitState(events, "connected"));
                MetricsRecords.produce(
                        bootstrap,
                        topics.metrics(),
                        List.of(
                                MetricsRecords.metrics("outage-run", "ali-mlp", 2),
                                MetricsRecords.metrics("outage-run", "ali-mlp", 3)));

                List<Long> steps = new ArrayList<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (steps.size() < 2 && System.nanoTime() < deadline) {
                    Event event = events.next(Duration.ofSeconds(30));
                    if (event.name().equals("points")) {
                        JSON.readTree(event.data())
                                .get("points")
                                .forEach(point -> steps.add(point.get("step").asLong()));
                    }
                }
                assertEquals(List.of(2L, 3L), steps, "points pushed after the broker came back");
                JsonNode history = getJson(monitor.url().resolve("api/history"));
                assertEquals("connected", history.get("status").get("state").asText());
                assertEquals(3, history.get("status").get("records").asLong());
                JsonNode run = history.get("runs").get(0);
                assertEquals(3, run.get("points").asInt());
                assertEquals(3, run.get("lastStep").asLong());
            }
        } finally {
            ownBroker.close();
        }
    }

    /** Reads status events until one says {@code wanted}, for up to 30 s; returns the last. */
    private static String awaitState(EventReader events, String wanted)
            throws IOException, InterruptedException {
        String state = "";
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!state.equals(wanted) && System.nanoTime() < deadline) {
            Event event = events.next(Duration.ofSeconds(30));
            if (event.name().equals("status")) {
                state = JSON.readTree(event.data()).get("state").asText();
            }
        }
        return state;
    }

    private static String metricsTopic(String prefix) {
        TopicNames topics = TopicNames.withPrefix("monitor-" + prefix);
        TopicAdministration.ensureTopics(broker.bootstrapServers(), topics);
        return topics.metrics();
    }

    private static LiveMonitor serve(
            String topic, MetricsTopicFollower.Start start, Set<String> runs) throws IOException {
        return LiveMonitor.serve(
                new LiveMonitor.Source(broker.bootstrapServers(), topic, start, Map.of(), runs),
                InetAddress.getLoopbackAddress(),
                0);
    }

    /** A record of another type on the same topic, as another branch's probe records would be. */
    private static byte[] otherRecordType() {
        return AvroWireFormat.latentSamples()
                .encode(
                        LatentSample.newBuilder()
                                .setRunId("ali-run")
                                .setSeed(1)
                                .setSequence(0)
                                .setPrior(List.of(0.5f))
                                .setNoise(List.of(0.25f))
                                .build());
    }

    private static HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode getJson(URI uri) throws IOException, InterruptedException {
        HttpResponse<String> response = get(uri);
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    /** Sends a request by hand, since the JDK's client will not set another Host header. */
    private static String rawRequest(URI server, String requestLine, String host)
            throws IOException {
        try (Socket socket = new Socket(server.getHost(), server.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(
                    (requestLine
                                    + " HTTP/1.1\r\nHost: "
                                    + host
                                    + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new BufferedReader(
                            new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
        }
    }

    static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Condition not met within 30 s");
            }
            Thread.sleep(50);
        }
    }

    record Event(String name, String data) {}

    /** Reads a Server-Sent Events stream on a thread of its own. */
    static final class EventReader implements AutoCloseable {
        private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        private final Stream<String> lines;

        private EventReader(Stream<String> lines) {
            this.lines = lines;
            Thread reader = new Thread(this::read, "test-event-reader");
            reader.setDaemon(true);
            reader.start();
        }

        static EventReader open(URI uri) throws IOException, InterruptedException {
            HttpResponse<Stream<String>> response =
                    HTTP.send(
                            HttpRequest.newBuilder(uri).build(),
                            HttpResponse.BodyHandlers.ofLines());
            assertEquals(200, response.statusCode());
            assertEquals(
                    "text/event-stream; charset=utf-8",
                    response.headers().firstValue("Content-Type").orElse(""));
            return new EventReader(response.body());
        }

        private void read() {
            String[] name = {"message"};
            StringBuilder data = new StringBuilder();
            try {
                lines.forEach(
                        line -> {
                            if (line.startsWith("event: ")) {
                                name[0] = line.substring(7);
                            } else if (line.startsWith("data: ")) {
                                data.append(line.substring(6));
                            } else if (line.isEmpty() && data.length() > 0) {
                                events.add(new Event(name[0], data.toString()));
                                name[0] = "message";
                                data.setLength(0);
                            }
                        });
            } catch (RuntimeException e) {
                // The stream ended.
            }
        }

        /** The next event, or null if none came within the timeout. */
        Event next(Duration timeout) throws InterruptedException {
            Event event = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(event, "no event within " + timeout);
            return event;
        }

        @Override
        public void close() {
            lines.close();
        }
    }
}
