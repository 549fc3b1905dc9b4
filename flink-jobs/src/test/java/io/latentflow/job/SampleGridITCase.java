package io.latentflow.job;

import static io.latentflow.job.PipelineFixture.Decoder.unchecked;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.core.image.PngFile;
import io.latentflow.core.model.AdversarialConfig;
import io.latentflow.core.model.AdversarialModel;
import io.latentflow.job.kafka.EmbeddedKafkaBroker;
import io.latentflow.job.kafka.TopicAdministration;
import io.latentflow.job.kafka.TopicNames;
import io.latentflow.job.monitor.LiveMonitor;
import io.latentflow.job.monitor.MetricsTopicFollower;
import io.latentflow.job.operators.SampleGrids;
import io.latentflow.schema.GridKind;
import io.latentflow.schema.ModelSnapshot;
import io.latentflow.schema.SampleGrid;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sample and reconstruction grids from a short ALI run: the job publishes them on the images topic
 * every few steps and after the last, and the monitor serves the latest of each kind.
 */
class SampleGridITCase {
    private static final long STEPS = 25;
    private static final int IMAGE_INTERVAL = 10;
    private static final int TILE = 28;

    @TempDir static Path brokerDirectory;
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = EmbeddedKafkaBroker.start(brokerDirectory.resolve("kafka"));
    }

    @AfterAll
    static void stopBroker() throws Exception {
        broker.close();
    }

    @Test
    void gridsArriveEveryIntervalAndAfterTheLastStepAndTheMonitorServesTheLatest()
            throws Exception {
        String bootstrap = broker.bootstrapServers();
        TopicNames topics = TopicNames.withPrefix("grids-test");
        TopicAdministration.ensureTopics(bootstrap, topics);
        PipelineFixture.produceRun(bootstrap, topics, "grid-run", 3, STEPS);

        try (LiveMonitor monitor =
                LiveMonitor.serve(
                        new LiveMonitor.Source(
                                bootstrap,
                                topics.metrics(),
                                MetricsTopicFollower.Start.BEGINNING,
                                Map.of(),
                                Set.of(),
                                topics.images()),
                        InetAddress.getLoopbackAddress(),
                        0)) {
            PipelineFixture.runJob(
                    bootstrap,
                    topics,
                    "grid-run",
                    PipelineFixture.trainer(STEPS, 10, IMAGE_INTERVAL),
                    null,
                    null);

            List<SampleGrid> grids =
                    PipelineFixture.readAll(
                            bootstrap, topics.images(), unchecked(SampleGrid.getDecoder()::decode));
            assertEquals(
                    List.of(10L, 10L, 20L, 20L, 25L, 25L),
                    grids.stream().map(SampleGrid::getStep).toList());
            assertEquals(
                    List.of(
                            GridKind.SAMPLES,
                            GridKind.RECONSTRUCTIONS,
                            GridKind.SAMPLES,
                            GridKind.RECONSTRUCTIONS,
                            GridKind.SAMPLES,
                            GridKind.RECONSTRUCTIONS),
                    grids.stream().map(SampleGrid::getKind).toList());

            int reconstructed = PipelineFixture.BATCH_SIZE;
            for (SampleGrid grid : grids) {
                assertEquals("grid-run", grid.getRunId());
                assertEquals(3, grid.getSeed());
                assertEquals(grid.getStep() * PipelineFixture.BATCH_SIZE - 1, grid.getDataOffset());
                BufferedImage image = decode(grid);
                assertEquals(grid.getPixelWidth(), image.getWidth());
                assertEquals(grid.getPixelHeight(), image.getHeight());
                if (grid.getKind() == GridKind.SAMPLES) {
                    assertEquals(SampleGrids.codeSeed(3), grid.getCodeSeed());
                    assertEquals(100, grid.getImages());
                    assertEquals(10 * (TILE * 2 + 2) + 2, image.getWidth());
                    assertEquals(10 * (TILE * 2 + 2) + 2, image.getHeight());
                } else {
                    // The first batch's sixteen examples, each followed by its reconstruction.
                    assertEquals(reconstructed, grid.getImages());
                    assertEquals(0, grid.getFirstSequence());
                    assertEquals(20 * (TILE * 2 + 2) + 2, image.getWidth());
                    assertEquals(2 * (TILE * 2 + 2) + 2, image.getHeight());
                }
            }
            assertFalse(
                    grids.get(0).getPng().equals(grids.get(4).getPng()),
                    "the samples did not change between steps 10 and 25");

            SampleGrid lastSamples = grids.get(4);
            ModelSnapshot snapshot =
                    PipelineFixture.readSnapshots(bootstrap, topics.snapshots()).get(0);
            assertEquals(snapshot.getParameterHash(), lastSamples.getParameterHash());
            assertArrayEquals(
                    drawnFrom(snapshot),
                    bytes(lastSamples.getPng()),
                    "the last samples grid is not what the final snapshot draws");

            awaitGrids(monitor, 6);
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<byte[]> served =
                    http.send(
                            HttpRequest.newBuilder(
                                            monitor.url()
                                                    .resolve("api/images/grid-run/samples.png"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, served.statusCode());
            assertEquals("image/png", served.headers().firstValue("Content-Type").orElse(""));
            assertEquals("25", served.headers().firstValue("X-LatentFlow-Step").orElse(""));
            assertArrayEquals(bytes(lastSamples.getPng()), served.body());

            JsonNode listed =
                    new ObjectMapper()
                            .readTree(
                                    http.send(
                                                    HttpRequest.newBuilder(
                                                                    monitor.url()
                                                                            .resolve("api/images"))
                                                            .build(),
                                                    HttpResponse.BodyHandlers.ofString())
                                            .body())
                            .get("grids");
            assertEquals(2, listed.size(), listed.toString());
            assertEquals("reconstructions", listed.get(1).get("kind").asText());
            assertEquals(25, listed.get(1).get("step").asLong());
            assertEquals(2 * (TILE * 2 + 2) + 2, listed.get(1).get("height").asInt());
            URI missing = monitor.url().resolve("api/images/other-run/samples.png");
            assertEquals(
                    404,
                    http.send(
                                    HttpRequest.newBuilder(missing).build(),
                                    HttpResponse.BodyHandlers.discarding())
                            .statusCode());
        }
    }

    private static BufferedImage decode(SampleGrid grid) throws IOException {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes(grid.getPng())));
        assertTrue(image != null, "not a PNG: " + grid.getKind() + " at " + grid.getStep());
        return image;
    }

    /** The samples grid a model rebuilt from a snapshot draws, as PNG bytes. */
    private static byte[] drawnFrom(ModelSnapshot snapshot) throws IOException {
        Map<String, float[]> parameters = new HashMap<>();
        for (Map.Entry<String, ByteBuffer> network : snapshot.getNetworks().entrySet()) {
            ByteBuffer values = network.getValue().duplicate().order(ByteOrder.LITTLE_ENDIAN);
            float[] floats = new float[values.remaining() / Float.BYTES];
            values.asFloatBuffer().get(floats);
            parameters.put(network.getKey(), floats);
        }
        AdversarialModel model =
                AdversarialModel.fromParameters(
                        AdversarialConfig.fromDescription(snapshot.getConfiguration()), parameters);
        return PngFile.bytes(SampleGrids.samples(model, snapshot.getSeed(), TILE, TILE));
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }

    private static void awaitGrids(LiveMonitor monitor, long count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (monitor.grids().received() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "the monitor read " + monitor.grids().received() + " grids in 30 s");
            }
            Thread.sleep(50);
        }
    }
}
